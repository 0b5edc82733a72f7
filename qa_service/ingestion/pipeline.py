"""records -> clean -> dedup -> chunk -> embed -> upsert, idempotently, through ``CorpusWriter``.

The records come from the CLI's file loaders (``ingest/``) or from the HTTP push route. The work
on one record, article or chunk runs in ``IngestStages`` (this process, or a Ray cluster:
``ingest/executors/ray.py``); every decision across documents is taken here, so both agree.

Write order (what makes a killed run safe to re-run):
1. new chunks are upserted (ids are content hashes, so a repeat is a no-op),
2. stale chunks of a changed article are deleted,
3. the lexical (BM25) snapshot is rebuilt from the store whenever its chunk-id fingerprint differs
   from the store's (published atomically, see ``bm25_index``),
4. the article record (text + metadata + content hash) is upserted last,
5. the MinHash signatures of the written articles are saved beside the store (cross-run dedup;
   a run killed before this is repaired by the next run's ``ArchiveDedup.load``).
A crash between steps leaves at worst extra chunks or an old article hash; the next run sees the
difference between the computed and stored chunk ids and repairs it. Nothing is ever lost because
an article's text is only replaced once its new chunks exist. Until that next run (and, the same,
while a run is between steps 1 and 4) a new or edited article's chunks are already searchable
while GET /v1/documents still serves no text or the old text for them; there is no multi-record
transaction to close that window. tests/reliability/test_crash_safe_ingest.py kills real runs
at each step and checks the repair (docs/reliability.md).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

from qa_service.core.dates import day_ordinal
from qa_service.core.models import Article, Chunk, LexicalRecord
from qa_service.core.ports import CorpusWriter, Embedder, SignatureStore
from qa_service.ingestion.archive_dedup import ArchiveDedup, unpack
from qa_service.ingestion.articles import IngestWarning
from qa_service.ingestion.chunking import ArticleChunker, lexical_text, shared_titles
from qa_service.ingestion.clean_report import CleaningReport
from qa_service.ingestion.dedup import DEFAULT_THRESHOLD, collapse_near_duplicates
from qa_service.ingestion.loading import load_signed_articles
from qa_service.ingestion.records import RawRecord, Skipped
from qa_service.ingestion.stages import (
    IngestStages,
    InProcessStages,
    ProgressFn,
    StageTime,
    embed_and_upsert,
)
from qa_service.ingestion.verify import StoreCheck, check_store


@dataclass
class IngestReport:
    files_read: int = 0
    records_read: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[IngestWarning] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (dropped, kept): in the run
    archive_duplicates: list[tuple[str, str]] = field(default_factory=list)  # kept was stored
    status: dict[str, str] = field(default_factory=dict)  # doc id -> created|updated|unchanged
    documents: int = 0
    chunks_new: int = 0
    chunks_unchanged: int = 0
    chunks_deleted: int = 0
    articles_written: int = 0
    lexical_rebuilt: bool = False
    seconds: float = 0.0
    cleaning: CleaningReport = field(default_factory=CleaningReport)
    stages: list[StageTime] = field(default_factory=list)

    def timed(self, stage: str, items: int, since: float) -> float:
        """Record that ``stage`` handled ``items`` from ``since`` until now; returns now."""
        now = time.perf_counter()
        self.stages.append(StageTime(stage, items, now - since))
        return now

    @property
    def ingested_anything(self) -> bool:
        return self.documents > 0


def article_hash(article: Article) -> str:
    payload = json.dumps(
        [
            article.text,
            article.title,
            article.source,
            article.url,
            article.author,
            article.published_at,
            sorted(article.origins),
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class IngestPipeline:
    """Brings the store in line with the articles in ``records``."""

    def __init__(
        self,
        store: CorpusWriter,
        embedder: Embedder,
        chunker: ArticleChunker,
        signatures: SignatureStore,
        dedup_threshold: float = DEFAULT_THRESHOLD,
        lock: Callable[[], AbstractContextManager[None]] = nullcontext,
        stages: IngestStages | None = None,
    ) -> None:
        """``stages``: where the per-record and per-chunk work runs (default: this process)."""
        self._store = store
        self._stages = stages or InProcessStages(embedder, chunker)
        self._lock = lock
        self._embedder = embedder
        self._chunker = chunker
        self._dedup_threshold = dedup_threshold
        self._archive = ArchiveDedup(signatures, store, dedup_threshold)

    def run(
        self, records: Iterable[RawRecord | Skipped], progress: ProgressFn | None = None
    ) -> IngestReport:
        """Ingest ``records`` holding the writer lock (one writer at a time: CLI, API workers)."""
        with self._lock():
            return self._run(records, progress)

    def retract(self, doc_id: str) -> bool:
        """Remove a document from search, answers and ``GET``; False if it was not stored.
        Chunks go first, then the lexical index, then the article record, so a retraction cut
        short leaves the document unsearchable and a repeated DELETE finishes it."""
        with self._lock():
            stored_ids = self._store.chunk_ids_by_document()
            stored_hashes = self._store.article_hashes()
            if doc_id not in stored_ids and doc_id not in stored_hashes:
                return False
            gone = stored_ids.pop(doc_id, set())
            self._store.delete_chunks(gone)
            self.sync_lexical(all_chunk_ids(stored_ids))
            self._store.delete_articles([doc_id])
            signatures, repaired = self._archive.load(stored_hashes)
            self._archive.save(signatures, [], {doc_id}, repaired)
            return True

    def verify(self, repair: bool = False) -> StoreCheck:
        """Where the store and the lexical index disagree (``verify.py``); with ``repair``, fix
        it: orphan chunks deleted, unindexed articles chunked and embedded again from their
        stored text, the lexical snapshot re-published, the signatures reconciled. Returns what
        was found (before the repair)."""
        with self._lock():
            found = check_store(self._store, self._archive)
            if repair and not found.consistent:
                self._store.delete_chunks(found.orphan_chunks)
                articles = self._store.get_articles(found.unindexed_articles)
                chunks = [c for a in articles for c in self._chunker.chunk_article(a)]
                self._embed_and_upsert(chunks, None)
                self.sync_lexical(all_chunk_ids(self._store.chunk_ids_by_document()))
                hashes = self._store.article_hashes()
                signatures, stale = self._archive.load(hashes)
                self._archive.save(signatures, [], (), stale)
            return found

    def _run(
        self, records: Iterable[RawRecord | Skipped], progress: ProgressFn | None
    ) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        signed = load_signed_articles(records, report, self._stages)
        loaded = [article for article, _ in signed]
        lap = report.timed("read + clean", report.records_read, started)
        stored_hashes = self._store.article_hashes()
        articles, report.duplicates = collapse_near_duplicates(
            loaded,
            threshold=self._dedup_threshold,
            stored=stored_hashes.keys(),
            signatures=[unpack(packed) if packed else None for _, packed in signed],
        )
        signatures, repaired = self._archive.load(stored_hashes)
        articles, report.archive_duplicates = self._archive.fold(articles, signatures)
        report.documents = len(articles)
        stored_ids = self._store.chunk_ids_by_document()

        pending: list[Chunk] = []
        stale: list[str] = []
        shared = shared_titles(articles)
        for article, chunks in zip(articles, self._stages.chunk(articles, shared), strict=True):
            have = stored_ids.get(article.doc_id, set())
            wanted = {c.chunk_id for c in chunks}
            pending.extend(c for c in chunks if c.chunk_id not in have)
            report.chunks_unchanged += len(wanted & have)
            stale.extend(have - wanted)
        collapsed = {a.doc_id for a in loaded} - {a.doc_id for a in articles}
        stale.extend(cid for doc in collapsed for cid in stored_ids.get(doc, set()))

        lap = report.timed("dedup + chunk", len(loaded), lap)
        self._stages.embed_and_upsert(self._store, pending, shared, progress)
        report.chunks_new = len(pending)
        lap = report.timed("embed + write chunks", len(pending), lap)
        self._store.delete_chunks(stale)
        report.chunks_deleted = len(stale)
        current = all_chunk_ids(stored_ids) - set(stale)
        current |= {c.chunk_id for c in pending}
        report.lexical_rebuilt = self.sync_lexical(current)
        hashed = [(article, article_hash(article)) for article in articles]
        changed = [(a, digest) for a, digest in hashed if stored_hashes.get(a.doc_id) != digest]
        self._store.upsert_articles(changed)  # batched: one round trip per ~4 MB, not per article
        report.articles_written = len(changed)
        self._store.delete_articles(collapsed & set(stored_hashes))
        self._archive.save(signatures, changed, collapsed, repaired)
        report.status = {a.doc_id: _status(stored_hashes.get(a.doc_id), h) for a, h in hashed}
        report.timed("lexical + articles", len(changed), lap)
        report.seconds = time.perf_counter() - started
        return report

    def sync_lexical(self, expected_ids: set[str]) -> bool:
        """Rebuild the BM25 snapshot if it does not hold exactly the store's chunks."""
        if self._store.lexical_holds_exactly(expected_ids):
            return False
        self._store.publish_lexical([lexical_record(c) for c in self._store.all_chunks()])
        return True

    def _embed_and_upsert(
        self,
        chunks: list[Chunk],
        progress: ProgressFn | None,
        shared: frozenset[str] = frozenset(),
    ) -> None:
        embed_and_upsert(self._store, self._embedder, chunks, progress, shared)


def all_chunk_ids(by_document: dict[str, set[str]]) -> set[str]:
    return {cid for ids in by_document.values() for cid in ids}


def _status(stored_hash: str | None, new_hash: str) -> str:
    if stored_hash is None:
        return "created"
    return "unchanged" if stored_hash == new_hash else "updated"


def lexical_record(chunk: Chunk) -> LexicalRecord:
    return LexicalRecord(
        chunk_id=chunk.chunk_id,
        text=lexical_text(chunk),
        published_day=day_ordinal(chunk.published_at),
        source=chunk.source or "",
    )
