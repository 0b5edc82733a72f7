"""Server mode as deployed: the API and the ingest job share one ``chroma run`` server.

The ingest job writes while the API answers searches; every answer must stay consistent
(``result.text == article.text[start:end]``) and nothing may fail while the corpus grows.
"""

from __future__ import annotations

import json
import os
import random
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

import qa_service.ingestion.stages
from ingest.job import build_pipeline
from qa_service.api.app import create_app
from qa_service.container import build_services
from qa_service.ingestion.pipeline import IngestReport
from qa_service.settings import Settings
from tests.integration.chroma_server import ChromaServer, run_chroma_server
from tests.integration.live_server import serve_in_thread

N_ARTICLES = 200
SOURCES = ("Daily Ledger", "Caliber.Az", "Harbor Post")
SYLLABLES = ("ka", "lo", "mer", "tin", "sa", "vor", "qu", "del", "an", "rix", "po", "zen", "ul")
HAMMER_THREADS = 3
HAMMER_DEADLINE_S = 180.0


def make_vocabulary(rng: random.Random, size: int = 3000) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def write_corpus(directory: Path, seed: int = 7) -> list[str]:
    """~200 distinct jsonl articles (random words, so none collapse as duplicates)."""
    rng = random.Random(seed)
    vocabulary = make_vocabulary(rng)
    directory.mkdir(parents=True)
    queries = []
    for file_no in range(4):
        lines = []
        for i in range(N_ARTICLES // 4):
            n = file_no * (N_ARTICLES // 4) + i
            sentences = [
                " ".join(rng.choices(vocabulary, k=rng.randint(6, 14))).capitalize() + "."
                for _ in range(rng.randint(4, 12))
            ]
            text = " ".join(sentences)
            queries.append(" ".join(rng.sample(text.rstrip(".").split(), 3)))
            record = {
                "id": f"gen-{n:03d}",
                "title": f"Generated report {n}",
                "text": text,
                "source": SOURCES[n % len(SOURCES)],
                "url": f"https://example.org/gen/{n}",
                "published_at": f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}",
            }
            lines.append(json.dumps(record))
        (directory / f"batch-{file_no}.jsonl").write_text("\n".join(lines) + "\n")
    return queries


def server_settings(server: ChromaServer, tmp_path: Path, prefix: str) -> Settings:
    return Settings(
        chroma_url=server.url,
        chroma_path=tmp_path / "unused-chroma",
        lexical_path=tmp_path / "lexical",  # the volume replicas and the ingest job share
        collection_prefix=prefix,
        embedder="hashing",
        rate_limit_per_minute=1_000_000,
    )


@dataclass
class Hammer:
    """Bounded search traffic to 127.0.0.1 that records everything it saw."""

    base_url: str
    queries: list[str]
    stop: threading.Event
    statuses: list[int] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    during_ingest: int = 0
    nonempty_during_ingest: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, worker: int, ingest_alive: threading.Event) -> None:
        rng = random.Random(worker)
        deadline = time.monotonic() + HAMMER_DEADLINE_S
        with httpx.Client(base_url=self.base_url, timeout=30) as client:
            while not self.stop.is_set() and time.monotonic() < deadline:
                query = rng.choice(self.queries)
                response = client.post("/v1/search", json={"query": query, "top_k": 8})
                body = response.json() if response.status_code == 200 else {}
                with self.lock:
                    self.statuses.append(response.status_code)
                    self.results.extend(body.get("results", []))
                    if ingest_alive.is_set():
                        self.during_ingest += 1
                        self.nonempty_during_ingest += bool(body.get("results"))
                for result in body.get("results", [])[:2]:
                    self._check_live(client, result)

    def _check_live(self, client: httpx.Client, result: dict[str, Any]) -> None:
        """Mid-ingest a chunk may precede its article (write order); once both exist they agree."""
        response = client.get(f"/v1/documents/{result['document_id']}")
        with self.lock:
            self.statuses.append(response.status_code if response.status_code != 404 else 200)
        if response.status_code == 200:
            text = response.json()["text"]
            assert text[result["start"] : result["end"]] == result["text"], result["chunk_id"]


@pytest.fixture()
def prefix() -> str:
    return f"serve{uuid.uuid4().hex[:10]}"


def test_ingest_while_serving_stays_consistent(
    chroma_server: ChromaServer,
    tmp_path: Path,
    prefix: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    queries = write_corpus(tmp_path / "corpus")
    settings = server_settings(chroma_server, tmp_path, prefix)
    # small upsert blocks: many intermediate states for the searches to observe
    monkeypatch.setattr(qa_service.ingestion.stages, "EMBED_BLOCK", 16)
    ingest_services = build_services(settings)
    pipeline = build_pipeline(settings, ingest_services.store, ingest_services.embedder)

    app = create_app(settings)
    with serve_in_thread(app) as base_url:
        assert httpx.get(f"{base_url}/readyz").json()["status"] == "corpus empty"
        stop, alive = threading.Event(), threading.Event()
        hammer = Hammer(base_url, queries, stop)
        reports: list[IngestReport] = []
        with ThreadPoolExecutor(HAMMER_THREADS) as pool:
            workers = [pool.submit(hammer.run, w, alive) for w in range(HAMMER_THREADS)]
            time.sleep(0.5)  # searches against an empty store first
            alive.set()
            try:
                reports.append(pipeline.run([tmp_path / "corpus"]))
            finally:
                alive.clear()
                time.sleep(0.5)  # and a few against the finished corpus
                stop.set()
            for worker in workers:
                worker.result()  # re-raises a consistency assertion from a worker

        report = reports[0]
        assert report.documents == N_ARTICLES and not report.duplicates and not report.skipped
        assert set(hammer.statuses) == {200}, sorted(set(hammer.statuses))
        assert hammer.during_ingest >= 10, "the searches did not overlap the ingest"
        assert hammer.nonempty_during_ingest >= 1, "no search saw a partly ingested corpus"

        store = ingest_services.store
        assert store.count_chunks() == report.chunks_new
        listing = httpx.get(f"{base_url}/v1/documents", params={"limit": 1000}).json()
        documents = listing["documents"]  # one page of N_ARTICLES (the default page is 100)
        assert len(documents) == N_ARTICLES
        assert sum(d["n_chunks"] for d in documents) == report.chunks_new
        lexical = ingest_services.lexical
        assert lexical.chunk_ids() == {c.chunk_id for c in store.all_chunks()}

        articles = {d["id"]: store.get_article(d["id"]) for d in documents}
        assert hammer.results, "no search returned anything"
        for result in hammer.results:
            article = articles[result["document_id"]]
            assert article is not None
            assert article.text[result["start"] : result["end"]] == result["text"]

        ready = httpx.get(f"{base_url}/readyz")
        assert ready.status_code == 200
        assert ready.json() == {"status": "ready", "chunks": report.chunks_new}


@pytest.fixture()
def doomed_server(tmp_path: Path) -> Iterator[ChromaServer]:
    """A private server this test may stop without disturbing the session's shared one."""
    with run_chroma_server(tmp_path / "doomed", tmp_path / "doomed.log") as server:
        yield server


def test_readyz_reports_an_unreachable_server(
    doomed_server: ChromaServer, tmp_path: Path, prefix: str
) -> None:
    server = doomed_server
    settings = server_settings(server, tmp_path, prefix)
    services = build_services(settings)
    build_pipeline(settings, services.store, services.embedder).run([write_one(tmp_path)])
    app = create_app(settings, services=services)
    with serve_in_thread(app) as base_url:
        assert httpx.get(f"{base_url}/readyz").json()["status"] == "ready"
        os.kill(server.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        response = httpx.get(f"{base_url}/readyz")
        while response.status_code != 503 and time.monotonic() < deadline:
            time.sleep(0.2)
            response = httpx.get(f"{base_url}/readyz")
        assert response.status_code == 503
        assert response.json()["status"] == "store unreachable"
        assert httpx.get(f"{base_url}/healthz").status_code == 200  # liveness is not readiness


def write_one(tmp_path: Path) -> Path:
    path = tmp_path / "one" / "article.jsonl"
    path.parent.mkdir()
    record = {"id": "one", "title": "One", "text": "A single short article about harbours."}
    path.write_text(json.dumps(record) + "\n")
    return path
