"""The pure parts a parallel executor relies on: per-record results merged in order give the
one-process report, site lines from per-page summaries, dedup from precomputed signatures."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import pytest

from qa_service.core.models import Article, Chunk
from qa_service.core.ports import CorpusWriter
from qa_service.ingestion import loading
from qa_service.ingestion.archive_dedup import signature_of, unpack
from qa_service.ingestion.clean_report import CleaningReport
from qa_service.ingestion.dedup import collapse_near_duplicates
from qa_service.ingestion.loading import load_articles, load_signed_articles
from qa_service.ingestion.pipeline import IngestReport
from qa_service.ingestion.records import RawRecord, Skipped
from qa_service.ingestion.site_boilerplate import repeated_site_lines, site_lines_from
from qa_service.ingestion.stages import (
    Converted,
    ProgressFn,
    convert_record,
    page_summary,
)

MENU = "Harbour Gazette: independent reporting from the northern coast since 1921"


def page(n: int, folder: str = "gazette") -> RawRecord:
    story = f"The council met on day {n} and approved plan {n} after a long public debate."
    raw = f"Story {n}\n\n{story} {f'Officials said plan {n} would be reviewed. ' * 6}"
    raw += f"\n\n{MENU}\n\nThe vote was close, with seven councillors against it.\n"
    return RawRecord(f"{folder}/story-{n}.txt", f"story-{n}", "txt", raw)


def feed(n: int, doc_id: str | None = None, **meta: str | None) -> RawRecord:
    text = f"A bridge number {n} opened in the valley at dawn, officials said on Monday."
    return RawRecord(f"feed.jsonl#L{n}", doc_id or f"feed-{n}", "jsonl", text, dict(meta))


RECORDS: list[RawRecord | Skipped] = [
    Skipped("missing.txt", "path does not exist"),
    page(0),
    feed(1, url="javascript:alert(1)"),
    page(1),
    feed(2, doc_id="feed-1"),  # the id of an earlier record
    RawRecord("feed.jsonl#L3", "blank", "jsonl", "   "),  # nothing left after cleaning
    page(2),
    feed(4),
    page(3, folder="other-site"),
]


class OutOfOrderStages:
    """Works through the items backwards (as parallel workers finish in any order) and hands
    the results back in input order, as an executor must."""

    def site_lines(self, pages: Sequence[RawRecord]) -> Mapping[str, frozenset[str]]:
        return site_lines_from(reversed([page_summary(p) for p in pages]))

    def convert(self, items: Sequence[tuple[RawRecord, frozenset[str]]]) -> list[Converted]:
        return [convert_record(*item) for item in reversed(items)][::-1]

    def chunk(self, articles: Sequence[Article], shared: frozenset[str]) -> list[list[Chunk]]:
        raise NotImplementedError

    def embed_and_upsert(
        self,
        store: CorpusWriter,
        chunks: Sequence[Chunk],
        shared: frozenset[str],
        progress: ProgressFn | None,
    ) -> None:
        raise NotImplementedError


@pytest.mark.parametrize("batch", [2, loading.CONVERT_BATCH])
def test_out_of_order_stages_give_the_in_process_articles_and_report(
    batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loading, "CONVERT_BATCH", batch)  # feeds are converted in batches
    here, there = IngestReport(), IngestReport()
    articles = load_articles(RECORDS, here)
    signed = load_signed_articles(RECORDS, there, OutOfOrderStages())
    assert [a for a, _ in signed] == articles
    assert dataclasses.asdict(there) == dataclasses.asdict(here)
    assert [a.doc_id for a in articles] == ["feed-1", "feed-4", *(f"story-{n}" for n in range(4))]
    assert [s.origin for s in here.skipped] == ["missing.txt", "feed.jsonl#L2", "feed.jsonl#L3"]
    assert [w.origin for w in here.warnings] == ["feed.jsonl#L1"]
    assert all(MENU not in a.text for a in articles if a.doc_id != "story-3")
    assert MENU in next(a.text for a in articles if a.doc_id == "story-3")  # one page of its site
    assert [packed for _, packed in signed] == [signature_of(a) for a in articles]


def test_site_lines_from_page_summaries_equal_repeated_site_lines() -> None:
    pages = [page(n) for n in range(3)] + [page(3, folder="other-site")]
    expected = repeated_site_lines(pages)
    assert site_lines_from(page_summary(p) for p in pages) == expected
    assert MENU.casefold() in expected["gazette"] and not expected["other-site"]


def test_cleaning_reports_merged_in_order_equal_one_report() -> None:
    texts = [("a", "one two three four", "one two"), ("b", "x y", "x y"), ("c", "p q r s", "p")]
    whole, merged = CleaningReport(), CleaningReport()
    for origin, before, after in texts:
        whole.add(origin, before, after)
        part = CleaningReport()
        part.add(origin, before, after)
        merged.merge(part)
    assert merged == whole and whole.max_removed_origin == "c"


def test_dedup_on_precomputed_signatures_equals_dedup_on_texts() -> None:
    base = "The harbour authority approved a new ferry terminal after a long public debate. " * 4
    articles = [
        Article(doc_id="a", text=base, title="Terminal"),
        Article(doc_id="b", text=base + " Updated.", title=None, source="Gazette"),
        Article(doc_id="c", text="Fishermen protested the quota cut at the town hall.", title="Q"),
        Article(doc_id="d", text="", title=None),
    ]
    packed = [signature_of(a) for a in articles]
    given = [unpack(p) if p else None for p in packed]
    assert collapse_near_duplicates(articles, signatures=given) == collapse_near_duplicates(
        articles
    )
    assert collapse_near_duplicates(articles)[1] == [("a", "b")]  # b: the longer text
