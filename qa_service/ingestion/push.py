"""Documents pushed over HTTP (``POST /v1/documents``) through the same ingestion service as the
CLI: each becomes a record like a JSONL line (already extracted text: light cleaning only)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qa_service.core.errors import InvalidQuery
from qa_service.ingestion.identity import stable_doc_id
from qa_service.ingestion.pipeline import IngestPipeline
from qa_service.ingestion.records import RawRecord

PUSH_ORIGIN = "push:"
META_FIELDS = ("title", "url", "source", "author", "published_at")


@dataclass(frozen=True)
class PushedDocument:
    text: str
    doc_id: str | None = None
    title: str | None = None
    url: str | None = None
    source: str | None = None
    author: str | None = None
    published_at: str | None = None


@dataclass(frozen=True)
class PushOutcome:
    """``status``: created | updated | unchanged | duplicate (then ``duplicate_of`` names the
    document it joined) | skipped (then ``reason`` says why)."""

    doc_id: str
    status: str
    duplicate_of: str | None = None
    reason: str | None = None


def to_record(document: PushedDocument) -> RawRecord:
    meta = {name: _clean(getattr(document, name)) for name in META_FIELDS}
    doc_id = _clean(document.doc_id) or stable_doc_id(meta, document.text)
    return RawRecord(f"{PUSH_ORIGIN}{doc_id}", doc_id, "jsonl", document.text, meta)


def push(service: IngestPipeline, documents: Sequence[PushedDocument]) -> list[PushOutcome]:
    """Ingest the documents (one run, under the writer lock); one outcome per document, in order.
    Returns once the run's chunks and lexical snapshot are written, i.e. searchable."""
    records = [to_record(d) for d in documents]
    ids = [r.doc_id for r in records]
    if len(set(ids)) != len(ids):
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        raise InvalidQuery(f"documents repeat an id in one request: {', '.join(repeated)}")
    report = service.run(records)
    joined = dict(report.duplicates + report.archive_duplicates)
    skipped = {s.origin: s.reason for s in report.skipped}
    outcomes = []
    for record in records:
        kept = record.doc_id
        while kept in joined:
            kept = joined[kept]
        if record.origin in skipped:
            outcomes.append(PushOutcome(record.doc_id, "skipped", reason=skipped[record.origin]))
        elif kept != record.doc_id:
            outcomes.append(PushOutcome(record.doc_id, "duplicate", duplicate_of=kept))
        else:
            outcomes.append(PushOutcome(record.doc_id, report.status[record.doc_id]))
    return outcomes


def _clean(value: str | None) -> str | None:
    return value.strip() or None if value else None
