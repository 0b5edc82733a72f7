"""A JSONL feed far over the per-record limit ingests fully; an oversized record is skipped alone.

The issue's feed is 45 MB / 20,000 articles against a 5 MB limit; here the same shape is scaled
down (400 articles, limit lowered to 20 KB) so the test runs in seconds. The full-size run is
measured by hand in docs/benchmarks.md ("Ingest: a 20,000-article JSONL feed")."""

from __future__ import annotations

from pathlib import Path

from ingest.job import build_pipeline
from qa_service.adapters.hashing_embedder import HashingEmbedder
from qa_service.container import build_services
from tests.integration.conftest import make_settings
from tests.reliability.synthetic import write_jsonl_feed


def test_feed_over_the_limit_ingests_every_record_but_the_oversized_one(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    size = write_jsonl_feed(feed, 400, oversized=1)
    settings = make_settings(tmp_path / "store", ingest_max_bytes=20_000)
    assert size > 20 * settings.ingest_max_bytes
    services = build_services(settings, embedder=HashingEmbedder())
    report = build_pipeline(settings, services.store, services.embedder).run([feed])

    assert [(s.origin, s.reason) for s in report.skipped] == [
        ("feed.jsonl#L201", "record larger than 20000 bytes")
    ]
    assert report.records_read == 399
    assert report.documents == 399 and not report.duplicates
    assert len(services.store.list_documents()) == 399
