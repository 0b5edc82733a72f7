"""Turn a raw record into a domain ``Article``: cleaned body text plus page metadata."""

from __future__ import annotations

from dataclasses import dataclass

from qa_service.core.models import Article
from qa_service.ingestion.clean import clean_document
from qa_service.ingestion.metadata import extract_metadata
from qa_service.ingestion.records import RawRecord, Skipped


@dataclass(frozen=True)
class IngestWarning:
    """Something changed or left out of a record that was still ingested (e.g. an unsafe url)."""

    origin: str
    message: str


def to_article(record: RawRecord, warnings: list[IngestWarning] | None = None) -> Article | Skipped:
    """The cleaned article, or Skipped when nothing but boilerplate is left to cite."""
    text = clean_document(record.raw, record.fmt)
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
