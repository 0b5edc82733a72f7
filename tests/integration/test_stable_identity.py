"""Issue #15: re-ingesting a feed with one record inserted at the top adds exactly one document."""

from __future__ import annotations

import json
from pathlib import Path

from ingest.job import build_pipeline
from qa_service.adapters.hashing_embedder import HashingEmbedder
from qa_service.container import build_services
from tests.integration.conftest import make_settings

FEED = [
    {
        "title": "Council approves budget",
        "source": "City Post",
        "published_at": "2025-01-03",
        "text": "The city council approved the budget for next year after a long debate.",
    },
    {
        "url": "https://news.example/harbour",
        "title": "Harbour reopens",
        "text": "The harbour reopened to ships on Tuesday after repairs to the sea wall.",
    },
    {"text": "Snow closed several mountain passes overnight, the road agency said."},
    {
        "title": "Library extends hours",
        "published_at": "2025-01-05",
        "text": "The central library will stay open until ten in the evening from February.",
    },
    {
        "url": "https://news.example/tram",
        "source": "Metro",
        "text": "A new tram line to the airport will be built over the next three years.",
    },
]
NEW = {
    "title": "Bakery wins award",
    "source": "City Post",
    "text": "A family bakery won the national bread award for its rye loaf this week.",
}


def _write(path: Path, records: list[dict[str, str]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def test_record_inserted_at_top_adds_exactly_one_document(tmp_path: Path) -> None:
    services = build_services(make_settings(tmp_path / "store"), embedder=HashingEmbedder())
    pipeline = build_pipeline(services.settings, services.store, services.embedder)
    feed = tmp_path / "feed.jsonl"
    _write(feed, FEED)
    pipeline.run([feed])
    before = {d.doc_id for d in services.store.list_documents()}
    assert len(before) == 5

    _write(feed, [NEW, *FEED])
    report = pipeline.run([feed])
    after = {d.doc_id for d in services.store.list_documents()}
    assert before < after and len(after) == 6
    # the five known articles keep their chunks (their records only get the new line numbers
    # in their origins)
    assert (report.chunks_new, report.chunks_unchanged, report.chunks_deleted) == (1, 5, 0)
