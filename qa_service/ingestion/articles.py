"""Turn a raw record into a domain ``Article``: cleaned body text plus page metadata."""

from __future__ import annotations

from dataclasses import dataclass

from qa_service.core.models import Article
from qa_service.ingestion.clean import clean_document, page_text
from qa_service.ingestion.clean_report import CleaningReport
from qa_service.ingestion.metadata import extract_metadata
from qa_service.ingestion.records import RawRecord, Skipped


@dataclass(frozen=True)
class IngestWarning:
    """Something changed or left out of a record that was still ingested (e.g. an unsafe url)."""

    origin: str
    message: str


def to_article(
    record: RawRecord,
    warnings: list[IngestWarning] | None = None,
    site_lines: frozenset[str] = frozenset(),
    report: CleaningReport | None = None,
) -> Article | Skipped:
    """The cleaned article, or Skipped when nothing but boilerplate is left to cite.

    ``site_lines``: lines recurring across this record's site in the run
    (``site_boilerplate``); ``report`` collects how much cleaning removed.
    """
    text = clean_document(record.raw, record.fmt, site_lines)
    if report is not None:
        report.add(record.origin, page_text(record.raw, record.fmt), text)
    if not text:
        return Skipped(record.origin, "no article text after cleaning")
    notes: list[str] = []
    meta = extract_metadata(record.raw, record.fmt, record.meta, notes)
    if warnings is not None:
        warnings.extend(IngestWarning(record.origin, note) for note in notes)
    return Article(
        doc_id=record.doc_id,
        text=text,
        title=meta["title"],
        source=meta["source"],
        url=meta["url"],
        author=meta["author"],
        published_at=meta["published_at"],
        origins=(record.origin,),
    )
