"""Stable ids for records without doc_id: url, else source+title+date, else text; never position."""

from __future__ import annotations

import json
from pathlib import Path

from ingest.loaders import iter_records
from qa_service.ingestion.identity import normalise_url, stable_doc_id
from qa_service.ingestion.records import RawRecord


def test_url_wins_and_is_normalised() -> None:
    a = stable_doc_id({"url": "HTTPS://News.Example/a/story/#comments", "title": "A"}, "x")
    b = stable_doc_id({"url": "https://news.example/a/story", "title": "Other title"}, "y")
    assert a == b and a.startswith("url-")
    assert normalise_url("https://news.example/a?id=2") != normalise_url("https://news.example/a")


def test_source_title_date_when_no_url_so_a_corrected_text_keeps_its_id() -> None:
    meta: dict[str, str | None] = {
        "title": "Mayor  opens bridge",
        "source": "The Daily",
        "published_at": "2025-03-02T10:00:00Z",
    }
    first = stable_doc_id(meta, "The mayor opened the bridge on Monday.")
    corrected = stable_doc_id(
        {**meta, "title": "mayor opens bridge", "published_at": "2025-03-02"},
        "The mayor opened the bridge on Tuesday.",
    )
    assert first == corrected and first.startswith("meta-")
    assert stable_doc_id({**meta, "published_at": "2025-03-03"}, "t") != first
    assert stable_doc_id({**meta, "source": "Other"}, "t") != first


def test_text_hash_when_nothing_else() -> None:
    assert stable_doc_id({}, "Same  text.") == stable_doc_id({}, "same text.")
    assert stable_doc_id({}, "One text.") != stable_doc_id({}, "Another text.")
    assert stable_doc_id({}, "One text.").startswith("text-")


def _ids(path: Path) -> list[str]:
    return [r.doc_id for r in iter_records([path]) if isinstance(r, RawRecord)]


def test_inserting_a_line_at_the_top_changes_no_other_id(tmp_path: Path) -> None:
    lines = [
        {"text": "Story one body."},
        {"title": "Story two", "text": "Body two."},
        {"url": "https://n.example/3", "text": "Body three."},
    ]
    path = tmp_path / "feed.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    before = _ids(path)
    path.write_text(
        "".join(json.dumps(x) + "\n" for x in [{"text": "A new story."}, *lines]), encoding="utf-8"
    )
    after = _ids(path)
    assert after[1:] == before
    assert len(set(after)) == 4


def test_records_sharing_an_id_in_one_run_keep_the_first_and_report_the_rest(
    tmp_path: Path,
) -> None:
    from qa_service.ingestion.loading import load_articles
    from qa_service.ingestion.pipeline import IngestReport

    page = "https://quiz.example/week-12"  # one page, several items, no doc_id
    path = tmp_path / "feed.jsonl"
    path.write_text(
        json.dumps({"url": page, "text": "First item of the quiz page."})
        + "\n"
        + json.dumps({"url": page, "text": "Second item of the quiz page."})
        + "\n",
        encoding="utf-8",
    )
    report = IngestReport()
    articles = load_articles(iter_records([path]), report)
    assert [a.text for a in articles] == ["First item of the quiz page."]
    assert [(s.origin, s.reason) for s in report.skipped] == [
        ("feed.jsonl#L2", f"id {articles[0].doc_id} already used by feed.jsonl#L1")
    ]
