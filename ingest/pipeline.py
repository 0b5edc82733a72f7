"""load -> clean -> dedup -> chunk -> embed -> upsert, idempotently.

Write order (what makes a killed run safe to re-run):
1. new chunks are upserted (ids are content hashes, so a repeat is a no-op),
2. stale chunks of a changed article are deleted,
3. the lexical (BM25) snapshot is rebuilt from the store whenever its chunk-id fingerprint differs
   from the store's (published atomically, see ``bm25_index``),
4. the article record (text + metadata + content hash) is upserted last.
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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ingest.articles import to_article
from ingest.chunking import ArticleChunker, embedding_text, lexical_text
from ingest.dedup import DEFAULT_THRESHOLD, collapse_near_duplicates
from ingest.loaders import Skipped, iter_records
from qa_service.adapters.bm25_index import BM25Index, LexicalRecord, ids_fingerprint
from qa_service.adapters.chroma_store import ChromaStore, date_ordinal
from qa_service.adapters.tokens import TiktokenCounter
from qa_service.container import build_lexical
from qa_service.core.article_dates import with_mentioned_dates
from qa_service.core.models import Article, Chunk
from qa_service.core.ports import Embedder
from qa_service.settings import Settings

ProgressFn = Callable[[str, int, int], None]
EMBED_BLOCK = 256  # texts per embed call: big enough for the model's length-sorted batching


@dataclass
class IngestReport:
    files_read: int = 0
    records_read: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    documents: int = 0
    chunks_new: int = 0
    chunks_unchanged: int = 0
    chunks_deleted: int = 0
    articles_written: int = 0
    lexical_rebuilt: bool = False
    seconds: float = 0.0

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


def load_articles(paths: Sequence[Path], max_bytes: int, report: IngestReport) -> list[Article]:
    articles: list[Article] = []
    files: set[str] = set()
    for item in iter_records(paths, max_bytes=max_bytes):
        if isinstance(item, Skipped):
            report.skipped.append(item)
            continue
        files.add(item.origin.split("#L")[0])
        report.records_read += 1
        converted = to_article(item)
        if isinstance(converted, Skipped):
            report.skipped.append(converted)
        else:
            articles.append(converted)
    report.files_read = len(files)
    return articles


class IngestPipeline:
    """Brings the store in line with the articles found under ``paths``."""

    def __init__(
        self,
        store: ChromaStore,
        embedder: Embedder,
        chunker: ArticleChunker,
        lexical: BM25Index,
        dedup_threshold: float = DEFAULT_THRESHOLD,
        max_bytes: int = 5_000_000,
    ) -> None:
        self._store = store
        self._embedder = embedder
        self._chunker = chunker
        self._lexical = lexical
        self._dedup_threshold = dedup_threshold
        self._max_bytes = max_bytes

    def run(self, paths: Sequence[Path], progress: ProgressFn | None = None) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        loaded = load_articles(paths, self._max_bytes, report)
        articles, report.duplicates = collapse_near_duplicates(
            loaded, threshold=self._dedup_threshold
        )
        report.documents = len(articles)
        stored_ids = self._store.chunk_ids_by_document()
        stored_hashes = self._store.article_hashes()

        pending: list[Chunk] = []
        stale: list[str] = []
        for article in articles:
            chunks = self._chunker.chunk_article(article)
            have = stored_ids.get(article.doc_id, set())
            wanted = {c.chunk_id for c in chunks}
            pending.extend(c for c in chunks if c.chunk_id not in have)
            report.chunks_unchanged += len(wanted & have)
            stale.extend(have - wanted)
        collapsed = {a.doc_id for a in loaded} - {a.doc_id for a in articles}
        stale.extend(cid for doc in collapsed for cid in stored_ids.get(doc, set()))

        self._embed_and_upsert(with_mentioned_dates(pending), progress)
        report.chunks_new = len(pending)
        self._store.delete_chunks(stale)
        report.chunks_deleted = len(stale)
        current = {cid for ids in stored_ids.values() for cid in ids} - set(stale)
        current |= {c.chunk_id for c in pending}
        report.lexical_rebuilt = self.sync_lexical(current)
        hashed = [(article, article_hash(article)) for article in articles]
        changed = [(a, digest) for a, digest in hashed if stored_hashes.get(a.doc_id) != digest]
        self._store.upsert_articles(changed)  # batched: one round trip per ~4 MB, not per article
        report.articles_written = len(changed)
        self._store.delete_articles(collapsed & set(stored_hashes))
        report.seconds = time.perf_counter() - started
        return report

    def sync_lexical(self, expected_ids: set[str]) -> bool:
        """Rebuild the BM25 snapshot if it does not hold exactly the store's chunks."""
        if self._lexical.fingerprint() == ids_fingerprint(expected_ids):
            return False
        self._lexical.rebuild([lexical_record(c) for c in self._store.all_chunks()])
        return True

    def _embed_and_upsert(self, chunks: list[Chunk], progress: ProgressFn | None) -> None:
        total = len(chunks)
        if progress:
            progress("embed", 0, total)
        for lo in range(0, total, EMBED_BLOCK):
            block = chunks[lo : lo + EMBED_BLOCK]
            vectors = self._embedder.embed([embedding_text(c) for c in block])
            self._store.upsert_chunks(block, vectors)
            if progress:
                progress("embed", lo + len(block), total)


def lexical_record(chunk: Chunk) -> LexicalRecord:
    return LexicalRecord(
        chunk_id=chunk.chunk_id,
        text=lexical_text(chunk),
        published_day=date_ordinal(chunk.published_at) if chunk.published_at else 0,
        source=chunk.source or "",
    )


def build_pipeline(settings: Settings, store: ChromaStore, embedder: Embedder) -> IngestPipeline:
    """The pipeline as configured by ``QA_*`` settings (CLI flags override via model_copy)."""
    chunker = ArticleChunker(
        TiktokenCounter().encode, settings.chunk_tokens, settings.chunk_overlap
    )
    return IngestPipeline(
        store,
        embedder,
        chunker,
        build_lexical(settings, store),
        settings.dedup_threshold,
        settings.ingest_max_bytes,
    )
