"""Scale-out: two API replicas share one store and one lexical directory; an ingest run commits
to the tantivy index while both serve, and both answer from the new commit without a restart."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import httpx

from qa_service.adapters.hashing_embedder import HashingEmbedder
from qa_service.api.app import create_app
from qa_service.container import build_services
from tests.conftest import SEED_DIR
from tests.integration.conftest import ingest_into, make_settings
from tests.integration.live_server import serve_in_thread

NEW_ARTICLE = """Zyxquartz mine reopens after flood repairs

The Zyxquartz mine in the northern hills reopened on Monday after three months of repairs to
flooded galleries, the operator said. Miners returned for the first shift at dawn.
"""


def search(base: str, query: str) -> list[dict[str, Any]]:
    response = httpx.post(f"{base}/v1/search", json={"query": query, "top_k": 3}, timeout=30)
    response.raise_for_status()
    return list(response.json()["results"])


def test_replicas_reload_the_snapshot_published_by_ingest(tmp_path: Path) -> None:
    # lexical mode: only the BM25 snapshot can find the new word, so a stale replica would fail
    settings = make_settings(tmp_path / "store", retrieval_mode="lexical")
    ingest_services = build_services(settings, embedder=HashingEmbedder())
    ingest_into(ingest_services, SEED_DIR)
    before = ingest_services.lexical.current_name()
    new_dir = tmp_path / "incoming"
    new_dir.mkdir()

    replicas = [create_app(settings, embedder=HashingEmbedder()) for _ in range(2)]
    with serve_in_thread(replicas[0]) as first, serve_in_thread(replicas[1]) as second:
        bases = (first, second)
        for base in bases:
            assert search(base, "ceasefire")  # both serve the seed corpus
            assert search(base, "Zyxquartz") == []

        statuses: list[int] = []
        stop = threading.Event()
        serving = threading.Event()  # ingest starts only once traffic is flowing

        def keep_searching() -> None:
            """Traffic during the ingest and the flip: no request may fail."""
            with httpx.Client(timeout=30) as client:
                while not stop.is_set():
                    for base in bases:
                        response = client.post(
                            f"{base}/v1/search", json={"query": "Zyxquartz mine", "top_k": 3}
                        )
                        statuses.append(response.status_code)
                        serving.set()

        traffic = threading.Thread(target=keep_searching)
        traffic.start()
        assert serving.wait(timeout=60), "no search answered before the ingest"
        try:
            (new_dir / "zyxquartz.txt").write_text(NEW_ARTICLE, encoding="utf-8")
            ingest_into(ingest_services, SEED_DIR, new_dir)
        finally:
            stop.set()
            traffic.join(timeout=60)

        after = ingest_services.lexical.current_name()
        assert after is not None and after != before
        assert statuses and set(statuses) == {200}
        for base in bases:
            hits = search(base, "Zyxquartz mine")
            assert hits and hits[0]["document_id"] == "zyxquartz"
            assert "Zyxquartz" in hits[0]["text"]
        for app in replicas:
            assert app.state.services.lexical.current_name() == after
