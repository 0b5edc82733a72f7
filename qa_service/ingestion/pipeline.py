"""records -> clean -> dedup -> chunk -> embed -> upsert, idempotently, through ``CorpusWriter``.

The records come from the CLI's file loaders (``ingest/``) or from the HTTP push route. The work
on one record, article or chunk runs in ``IngestStages`` (this process, or a Ray cluster:
``ingest/executors/ray.py``); every decision across documents is taken here, so both agree.

Every read and write of a run is about its batch (the incoming articles' stored chunk ids and
hashes, their chunks), never the whole archive: adding one article costs the same into a large
store as into an empty one (docs/benchmarks.md "Freshness").

Write order (what makes a killed run safe to re-run):
1. new chunks are upserted (ids are content hashes, so a repeat is a no-op),
2. stale chunks of a changed article are deleted,
3. one lexical (tantivy) commit replaces the chunks of every document this run touched (its
   chunks by doc id out, its current chunks in) and removes collapsed documents; the commit is
   atomic for readers (``tantivy_index``). Then a cheap check: if the index and the store no
   longer hold the same number of chunks (a run killed long ago, an index built by another
   engine or lost), the index is reconciled with the store id by id (O(archive), only then),
4. the article record (text + metadata + content hash) is upserted last,
5. the MinHash signatures of the written articles are saved beside the store (cross-run dedup;
   one checksummed frame appended to the signature log: a run killed before or while writing
   it is repaired by the next run's ``ArchiveDedup.load``, a torn frame being ignored whole).
A crash between steps leaves at worst extra chunks or an old article hash; the next run over the
same input sees the changed hash (the article record is written after the lexical commit), so it
replaces that document's lexical entries again, and it sees the difference between the computed
and stored chunk ids and repairs it. Nothing is ever lost because
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
)
from qa_service.ingestion.verify import StoreCheck, check_store

CHUNK_READ_BLOCK = 1000  # ids per chunk read (SQLite caps the variables of one query)


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
    lexical_updated: bool = False  # this run committed to the lexical index
    lexical_reconciled: bool = False  # ... and had to bring it in line with the whole store
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
            stored_ids = self._store.chunk_ids_of([doc_id])
            stored_hashes = self._store.article_hashes_of([doc_id])
            if doc_id not in stored_ids and doc_id not in stored_hashes:
                return False
            gone = stored_ids.pop(doc_id, set())
            self._store.delete_chunks(gone)
            self._store.update_lexical([], [doc_id], gone)
            self._store.delete_articles([doc_id])
            signatures, repaired = self._archive.load_for({})
            self._archive.save(signatures, [], {doc_id}, repaired)
            return True

    def verify(self, repair: bool = False) -> StoreCheck:
        """Where the store and the lexical index disagree (``verify.py``); with ``repair``, fix
        it: orphan chunks deleted, unindexed articles chunked and embedded again from their
        stored text, the lexical index brought in line with the store chunk by chunk (built
        from the store when there is none, e.g. a store indexed by bm25s before), the
        signatures reconciled. Returns what was found (before the repair). Reads the whole
        store and index: O(archive), unlike an ingest run."""
        with self._lock():
            found = check_store(self._store, self._archive)
            if repair and not found.consistent:
                self._store.delete_chunks(found.orphan_chunks)
                articles = self._store.get_articles(found.unindexed_articles)
                chunks = [c for cs in self._stages.chunk(articles, frozenset()) for c in cs]
                self._stages.embed_and_upsert(self._store, chunks, frozenset(), None)
                self.reconcile_lexical()
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
        batch = [a.doc_id for a in loaded]
        stored_hashes = self._store.article_hashes_of(batch)
        articles, report.duplicates = collapse_near_duplicates(
            loaded,
            threshold=self._dedup_threshold,
            stored=stored_hashes.keys(),
            signatures=[unpack(packed) if packed else None for _, packed in signed],
        )
        signatures, repaired = self._archive.load_for(stored_hashes)
        known = {article.text: packed for article, packed in signed}  # signed once, by the stages
        articles, report.archive_duplicates = self._archive.fold(articles, signatures, known)
        report.documents = len(articles)
        # stored originals that new copies were folded into are not in ``batch``: read them too
        in_batch = set(batch)
        folded = [a.doc_id for a in articles if a.doc_id not in in_batch]
        stored_hashes |= self._store.article_hashes_of(folded)
        stored_ids = self._store.chunk_ids_of(batch + folded)

        pending: list[Chunk] = []
        stale: list[str] = []
        current: dict[str, list[Chunk]] = {}
        lost_chunks: set[str] = set()  # documents some stored chunk of which is now stale
        shared = shared_titles(articles)
        for article, chunks in zip(articles, self._stages.chunk(articles, shared), strict=True):
            current[article.doc_id] = chunks
            have = stored_ids.get(article.doc_id, set())
            wanted = {c.chunk_id for c in chunks}
            pending.extend(c for c in chunks if c.chunk_id not in have)
            report.chunks_unchanged += len(wanted & have)
            if have - wanted:
                stale.extend(have - wanted)
                lost_chunks.add(article.doc_id)
        collapsed = {a.doc_id for a in loaded} - {a.doc_id for a in articles}
        stale.extend(cid for doc in collapsed for cid in stored_ids.get(doc, set()))

        lap = report.timed("dedup + chunk", len(loaded), lap)
        self._stages.embed_and_upsert(self._store, pending, shared, progress)
        report.chunks_new = len(pending)
        lap = report.timed("embed + write chunks", len(pending), lap)
        self._store.delete_chunks(stale)
        report.chunks_deleted = len(stale)
        hashed = [(article, article_hash(article)) for article in articles]
        changed = [(a, digest) for a, digest in hashed if stored_hashes.get(a.doc_id) != digest]
        # a document is re-indexed when its record changes (also a re-run after a crash before
        # step 4) or its chunks do
        touched = {a.doc_id for a, _ in changed} | {c.doc_id for c in pending} | lost_chunks
        reindexed = [lexical_record(c) for doc in sorted(touched) for c in current[doc]]
        # a copy collapsed in this run was only ever indexed if it had been stored before
        gone = {doc for doc in collapsed if doc in stored_ids or doc in stored_hashes}
        report.lexical_updated = bool(touched or gone or stale)
        if report.lexical_updated:
            self._store.update_lexical(reindexed, sorted(touched | gone), stale)
        report.lexical_reconciled = self.sync_lexical()
        self._store.upsert_articles(changed)  # batched: one round trip per ~4 MB, not per article
        report.articles_written = len(changed)
        self._store.delete_articles(collapsed & set(stored_hashes))
        self._archive.save(signatures, changed, collapsed, repaired, known)
        report.status = {a.doc_id: _status(stored_hashes.get(a.doc_id), h) for a, h in hashed}
        report.timed("lexical + articles", len(changed), lap)
        report.seconds = time.perf_counter() - started
        return report

    def sync_lexical(self) -> bool:
        """Reconcile the lexical index with the store when their chunk counts differ (two
        cheap counts per run; the id-by-id reconciliation only then). Returns whether it ran."""
        if self._store.lexical_count() == self._store.count_chunks():
            return False
        self.reconcile_lexical()
        return True

    def reconcile_lexical(self) -> None:
        """Add the store's chunks the lexical index lacks and remove the ids it has that the
        store does not (one commit). When most of the store is missing (no index, or one holding
        only what was pushed since a store left its bm25s snapshots), one sequential read of
        every chunk into a fresh index is cheaper than fetching ids; that is the migration from
        the bm25s snapshots, which it then removes."""
        indexed = self._store.lexical_chunk_ids() or set()
        stored = all_chunk_ids(self._store.chunk_ids_by_document())
        missing = sorted(stored - indexed)
        if len(missing) * 2 > len(stored):
            self.rebuild_lexical()
            return
        added = [
            lexical_record(c)
            for lo in range(0, len(missing), CHUNK_READ_BLOCK)
            for c in self._store.get_chunks(missing[lo : lo + CHUNK_READ_BLOCK])
        ]
        self._store.update_lexical(added, (), sorted(indexed - stored))

    def rebuild_lexical(self) -> None:
        """The whole lexical index again, from one sequential read of every stored chunk."""
        self._store.rebuild_lexical([lexical_record(c) for c in self._store.all_chunks()])


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
        doc_id=chunk.doc_id,
    )
