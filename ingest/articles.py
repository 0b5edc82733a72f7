"""Turn a raw record into a domain ``Article``: cleaned body text plus page metadata."""

from __future__ import annotations

from ingest.clean import clean_document, page_text
from ingest.clean_report import CleaningReport
from ingest.loaders import RawRecord, Skipped
from ingest.metadata import extract_metadata
from qa_service.core.models import Article


def to_article(
    record: RawRecord,
    site_lines: frozenset[str] = frozenset(),
    report: CleaningReport | None = None,
) -> Article | Skipped:
    """The cleaned article, or Skipped when nothing but boilerplate is left to cite.

    ``site_lines``: lines recurring across this record's site in the run
    (``ingest.site_boilerplate``); ``report`` collects how much cleaning removed.
    """
    text = clean_document(record.raw, record.fmt, site_lines)
    if report is not None:
        report.add(record.origin, page_text(record.raw, record.fmt), text)
    if not text:
        return Skipped(record.origin, "no article text after cleaning")
    meta = extract_metadata(record.raw, record.fmt, record.meta)
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
