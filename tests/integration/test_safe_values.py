"""Issue 17: values a client may render are safe by default: only http(s) urls, plain-text
titles, origins without server paths (ingested for real, read back over the API)."""

from __future__ import annotations

import json
from pathlib import Path

from litestar.testing import TestClient

from ingest.job import build_pipeline
from qa_service.adapters.hashing_embedder import HashingEmbedder
from qa_service.api.app import create_app
from qa_service.api.convert import public_origins
from qa_service.container import build_services
from tests.integration.conftest import make_settings

BODY = (
    "The harbour authority of Valdoria approved a new ferry schedule on Tuesday. "
    "Ferries will leave every forty minutes during the summer season, the authority said. "
    "Local traders welcomed the change and expect more visitors in July."
)


def test_unsafe_url_title_and_origin_never_reach_the_api(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    records = [
        {
            "doc_id": "ferry-js",
            "title": 'Ferry <img src=x onerror="alert(1)"> schedule',
            "url": "javascript:alert(document.cookie)",
            "source": "<b>Harbour News</b>",
            "text": BODY,
        },
        {
            "doc_id": "ferry-ok",
            "title": "Ferry fares",
            "url": "https://harbour.example/fares",
            "text": BODY.replace("schedule", "fare table").replace("forty", "thirty"),
        },
    ]
    (corpus / "feed.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    settings = make_settings(tmp_path / "chroma")
    services = build_services(settings, embedder=HashingEmbedder())
    report = build_pipeline(settings, services.store, services.embedder).run([corpus])
    assert [(w.origin, w.message) for w in report.warnings] == [
        ("feed.jsonl#L1", "url dropped: scheme 'javascript' is not http(s)")
    ]

    with TestClient(create_app(settings, services=services)) as client:
        document = client.get("/v1/documents/ferry-js").json()
        assert document["url"] is None
        assert document["title"] == "Ferry schedule"
        assert document["source"] == "Harbour News"
        assert document["origins"] == ["feed.jsonl#L1"]
        listed = {d["id"]: d for d in client.get("/v1/documents").json()["documents"]}
        assert listed["ferry-ok"]["url"] == "https://harbour.example/fares"
        assert all(str(tmp_path) not in o for d in listed.values() for o in d["origins"])
        results = client.post("/v1/search", json={"query": "ferry schedule Valdoria"}).json()
        by_doc = {r["document_id"]: r for r in results["results"]}
        assert by_doc["ferry-js"]["url"] is None and "<" not in by_doc["ferry-js"]["title"]
        answer = client.post("/v1/ask", json={"question": "How often will Valdoria ferries leave?"})
        citations = answer.json()["citations"]
        assert citations, answer.json()
        for citation in citations:
            assert citation["url"] in (None, "https://harbour.example/fares")
            assert "<" not in (citation["title"] or "")
        raw = client.get("/v1/documents").text + answer.text
        assert "javascript:" not in raw and "onerror" not in raw


def test_absolute_origins_from_an_older_ingest_are_cut_to_file_names() -> None:
    origins = ("/tmp/tmpab12/corpus/a.txt", "/srv/feeds/feed.jsonl#L3", "world/b.md")
    assert public_origins(origins) == ["a.txt", "feed.jsonl#L3", "world/b.md"]
