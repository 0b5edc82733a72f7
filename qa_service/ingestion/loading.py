"""Records to cleaned articles: the part of a run that decides across records which ones are
used (ids used twice are skipped, a page's boilerplate is what recurs across its site), with the
cleaning itself done one record at a time in ``IngestStages`` (this process, or a cluster)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from qa_service.core.models import Article
from qa_service.ingestion.records import RawRecord, Skipped
from qa_service.ingestion.site_boilerplate import site_lines_from, site_of, takes_part
from qa_service.ingestion.stages import Converted, IngestStages, convert_record, page_summary

if TYPE_CHECKING:
    from qa_service.ingestion.pipeline import IngestReport

CONVERT_BATCH = 5000  # streamed (JSONL) records handed to the stages at a time


def load_articles(
    records: Iterable[RawRecord | Skipped],
    report: IngestReport,
    stages: IngestStages | None = None,
) -> list[Article]:
    """Clean articles from ``records``. A record repeating an id already used in this run is
    skipped (two texts under one id would overwrite each other), e.g. several items of a feed
    sharing one page url and no ``doc_id``.

    JSONL records are converted in stream order; pages (text, markdown, HTML) come after them,
    because a line is only proven boilerplate by recurring across the site's pages
    (``site_boilerplate``), so they are held until all are read.
    """
    return [article for article, _ in load_signed_articles(records, report, stages)]


def load_signed_articles(
    records: Iterable[RawRecord | Skipped],
    report: IngestReport,
    stages: IngestStages | None = None,
) -> list[tuple[Article, bytes]]:
    """``load_articles`` with each article's packed MinHash signature. The conversions run in
    ``stages`` (in parallel there, perhaps), streamed records ``CONVERT_BATCH`` at a time as they
    come (a feed's raw text is not all held); skips, warnings and the cleaning report are merged
    here in the order a one-by-one conversion would give them."""
    site_lines_of, convert = (
        (stages.site_lines, stages.convert) if stages else (_site_lines_here, _convert_here)
    )
    order: list[Skipped | int] = []  # a Skipped, or the index of a record's conversion
    converted: list[Converted] = []
    streamed: list[tuple[RawRecord, frozenset[str]]] = []
    pages: list[RawRecord] = []
    files: set[str] = set()
    first_origin: dict[str, str] = {}
    for item in records:
        if isinstance(item, Skipped):
            order.append(item)
            continue
        files.add(item.origin.split("#L")[0])
        report.records_read += 1
        if item.doc_id in first_origin:
            reason = f"id {item.doc_id} already used by {first_origin[item.doc_id]}"
            order.append(Skipped(item.origin, reason))
            continue
        first_origin[item.doc_id] = item.origin
        if takes_part(item):
            pages.append(item)
            continue
        order.append(len(converted) + len(streamed))
        streamed.append((item, frozenset()))
        if len(streamed) >= CONVERT_BATCH:
            converted += convert(streamed)
            streamed.clear()
    report.files_read = len(files)
    converted += convert(streamed) if streamed else []
    if pages:
        site_lines = site_lines_of(pages)
        order.extend(range(len(converted), len(converted) + len(pages)))
        converted += convert([(p, site_lines.get(site_of(p), frozenset())) for p in pages])
    return [signed for step in order if (signed := _take(step, converted, report))]


def _site_lines_here(pages: Sequence[RawRecord]) -> Mapping[str, frozenset[str]]:
    return site_lines_from(page_summary(p) for p in pages)


def _convert_here(items: Sequence[tuple[RawRecord, frozenset[str]]]) -> list[Converted]:
    return [convert_record(record, lines) for record, lines in items]


def _take(
    step: Skipped | int, converted: list[Converted], report: IngestReport
) -> tuple[Article, bytes] | None:
    if isinstance(step, Skipped):
        report.skipped.append(step)
        return None
    done = converted[step]
    report.warnings.extend(done.warnings)
    report.cleaning.merge(done.cleaning)
    if isinstance(done.result, Skipped):
        report.skipped.append(done.result)
        return None
    return done.result, done.signature
