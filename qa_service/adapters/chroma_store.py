"""VectorStore on Chroma: embedded PersistentClient, or HttpClient when a URL is configured."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

from qa_service.adapters import chroma_filters as cf
from qa_service.adapters.chroma_articles import article_from, article_metadata, select_page, summary
from qa_service.adapters.chroma_paging import get_all
from qa_service.adapters.chunk_cache import ChunkCache
from qa_service.core.dates import day_ordinal
from qa_service.core.errors import StoreUnavailable
from qa_service.core.models import (
    Article,
    Chunk,
    DocumentSummary,
    Passage,
    SearchFilters,
)
from qa_service.offline import ensure_offline

MAX_BATCH = 4000  # Chroma refuses batches above ~5,461 records
_ARTICLE_VECTOR = [1.0]  # articles are fetched by id, never by similarity
ARTICLE_BATCH_CHARS = 4_000_000  # keeps one request well under the server's payload limit
READ_RETRY_DELAYS_S = (0.05, 0.1, 0.2, 0.4)
COUNT_BATCH = 500  # document ids per chunk-count request of a listing page
_NO_FILTER = SearchFilters()
T = TypeVar("T")


def read_with_retry(call: Callable[[], T]) -> T:
    """Retry an idempotent read: while a Chroma server first persists an HNSW index under
    writes, reads fail for ~10 ms ("hnsw segment reader: Nothing found on disk", see
    tests/integration/test_server_mode.py). Lasting failures become StoreUnavailable (503)."""
    from chromadb.errors import InternalError

    for delay in (*READ_RETRY_DELAYS_S, None):
        try:
            return call()
        except InternalError as exc:
            if delay is None:
                raise StoreUnavailable("vector store failed to answer") from exc
            time.sleep(delay)
    raise AssertionError("unreachable")


def make_client(path: Path | None, url: str | None) -> Any:
    """Embedded client on ``path`` unless ``url`` points at a ``chroma run`` server."""
    ensure_offline()
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    if url:
        parsed = urlparse(url)
        return chromadb.HttpClient(
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or 8000,
            ssl=parsed.scheme == "https",
            settings=chroma_settings,
        )
    assert path is not None
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def _chunk_metadata(chunk: Chunk) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "doc_id": chunk.doc_id,
        "index": chunk.index,
        "start": chunk.start,
        "end": chunk.end,
    }
    for key in ("title", "source", "url", "published_at"):
        value = getattr(chunk, key)
        if value:
            meta[key] = value
    meta["published_day"] = day_ordinal(chunk.published_at)  # 0: undated (as_of keeps those)
    if chunk.mentioned_dates:
        meta["mentioned_dates"] = ",".join(chunk.mentioned_dates)
    return meta


def _chunk_from(chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
    return Chunk(
        chunk_id=chunk_id,
        doc_id=str(meta["doc_id"]),
        index=int(meta["index"]),
        text=text,
        start=int(meta["start"]),
        end=int(meta["end"]),
        title=meta.get("title"),
        source=meta.get("source"),
        url=meta.get("url"),
        published_at=meta.get("published_at"),
        mentioned_dates=tuple(d for d in str(meta.get("mentioned_dates") or "").split(",") if d),
    )


class ChromaStore:
    """Implements ``VectorStore``: a chunk collection per embedding model, one for articles."""

    def __init__(self, client: Any, prefix: str, model_id: str) -> None:
        self._client = client
        self.chunk_collection_name = f"{prefix}-chunks-{model_id}"[:500]
        self.article_collection_name = f"{prefix}-articles"
        self._model_id = model_id
        self.filtered = cf.OverfetchFilter()  # keeps filtered search fast at scale (chroma_filters)
        self.chunk_cache = ChunkCache()  # saves the SQLite read of hot chunks (chunk_cache)
        self.subset: cf.SubsetSearch | None = None  # narrow filters, once columns are attached
        self._open_collections()

    def _open_collections(self) -> None:
        self._chunks = self._client.get_or_create_collection(
            self.chunk_collection_name,
            embedding_function=None,
            metadata={"hnsw:space": "cosine", "embedding_model": self._model_id},
        )
        self._articles = self._client.get_or_create_collection(
            self.article_collection_name, embedding_function=None
        )
        self._filter_fields = cf.MetadataCache(
            partial(cf.metadata_of, self._chunks, read_with_retry)
        )
        self._vectors = cf.VectorCache(partial(cf.vectors_of, self._chunks, read_with_retry))
        self.chunk_cache.clear()

    # --- chunks -------------------------------------------------------------
    def chunk_ids_by_document(self) -> dict[str, set[str]]:
        result: dict[str, set[str]] = {}
        got = get_all(self._chunks, ["metadatas"])
        for chunk_id, meta in zip(got["ids"], got["metadatas"] or [], strict=True):
            result.setdefault(str(meta["doc_id"]), set()).add(chunk_id)
        return result

    def chunk_ids_of(self, doc_ids: Sequence[str]) -> dict[str, set[str]]:
        """The chunk ids of ``doc_ids`` only (``where doc_id $in``: one indexed read per 500)."""
        result: dict[str, set[str]] = {}
        ids = sorted(set(doc_ids))
        for lo in range(0, len(ids), COUNT_BATCH):
            where = {"doc_id": {"$in": ids[lo : lo + COUNT_BATCH]}}
            got = read_with_retry(partial(self._chunks.get, where=where, include=["metadatas"]))
            for chunk_id, meta in zip(got["ids"], got["metadatas"] or [], strict=True):
                result.setdefault(str(meta["doc_id"]), set()).add(chunk_id)
        return result

    def upsert_chunks(self, chunks: Sequence[Chunk], vectors: Sequence[list[float]]) -> None:
        for lo in range(0, len(chunks), MAX_BATCH):
            part = chunks[lo : lo + MAX_BATCH]
            self.chunk_cache.evict(c.chunk_id for c in part)
            self._chunks.upsert(
                ids=[c.chunk_id for c in part],
                embeddings=[list(v) for v in vectors[lo : lo + MAX_BATCH]],
                documents=[c.text for c in part],
                metadatas=[_chunk_metadata(c) for c in part],
            )

    def delete_chunks(self, chunk_ids: Iterable[str]) -> None:
        ids = list(chunk_ids)
        self.chunk_cache.evict(ids)
        for lo in range(0, len(ids), MAX_BATCH):
            self._chunks.delete(ids=ids[lo : lo + MAX_BATCH])

    def query(self, vector: list[float], top_k: int, filters: SearchFilters) -> list[Passage]:
        """Ids by similarity, then chunk bodies (mostly from the cache): cheaper than asking
        Chroma for documents and metadata with the search. Filters: see ``chroma_filters``."""
        nearest = partial(cf.nearest_ids, self._chunks, read_with_retry, vector)
        hits = None
        if not filters.is_empty() and self.subset is not None:
            hits = self.subset.search(self._vectors, vector, top_k, filters)
        if hits is None and not filters.is_empty():
            hits = self.filtered.search(nearest, self._filter_fields, top_k, filters)
        if hits is None:
            hits = nearest(top_k, cf.where_clause(filters))
        by_id = {c.chunk_id: c for c in self.get_chunks([chunk_id for chunk_id, _ in hits])}
        return [Passage(chunk=by_id[i], score=1.0 - dist) for i, dist in hits if i in by_id]

    def use_filter_columns(self, columns: cf.FilterColumns) -> None:
        """Answer narrow filters by exact search over the chunks ``columns`` say match."""
        self.subset = cf.SubsetSearch(columns)

    def get_chunks(self, chunk_ids: Sequence[str]) -> list[Chunk]:
        by_id = self.chunk_cache.get_many(chunk_ids)
        missing = [i for i in chunk_ids if i not in by_id]
        if missing:
            got = read_with_retry(
                lambda: self._chunks.get(ids=missing, include=["documents", "metadatas"])
            )
            fetched = [
                _chunk_from(i, d, dict(m))
                for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
            ]
            self.chunk_cache.put_many(fetched)
            by_id.update((c.chunk_id, c) for c in fetched)
        return [by_id[i] for i in chunk_ids if i in by_id]

    def all_chunks(self) -> list[Chunk]:
        """Every stored chunk (for rebuilding the lexical index)."""
        got = get_all(self._chunks, ["documents", "metadatas"])
        return [
            _chunk_from(i, d, dict(m))
            for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]

    def count_chunks(self) -> int:
        return int(self._chunks.count())

    # --- articles -----------------------------------------------------------
    def article_hashes(self) -> dict[str, str]:
        got = get_all(self._articles, ["metadatas"])
        return {
            i: str(m.get("content_hash", ""))
            for i, m in zip(got["ids"], got["metadatas"] or [], strict=True)
        }

    def count_articles(self) -> int:
        return int(self._articles.count())

    def article_hashes_of(self, doc_ids: Sequence[str]) -> dict[str, str]:
        """The content hashes of the stored articles among ``doc_ids`` (reads by id)."""
        found: dict[str, str] = {}
        ids = sorted(set(doc_ids))
        for lo in range(0, len(ids), MAX_BATCH):
            part = ids[lo : lo + MAX_BATCH]
            got = read_with_retry(partial(self._articles.get, ids=part, include=["metadatas"]))
            found.update(
                (i, str(m.get("content_hash", "")))
                for i, m in zip(got["ids"], got["metadatas"] or [], strict=True)
            )
        return found

    def upsert_article(self, article: Article, content_hash: str) -> None:
        self.upsert_articles([(article, content_hash)])

    def upsert_articles(self, items: Sequence[tuple[Article, str]]) -> None:
        """Write articles in few requests: a server round trip costs ~40 ms however small."""
        batch: list[tuple[Article, str]] = []
        size = 0
        for article, content_hash in items:
            if batch and (
                size + len(article.text) > ARTICLE_BATCH_CHARS or len(batch) >= MAX_BATCH
            ):
                self._write_articles(batch)
                batch, size = [], 0
            batch.append((article, content_hash))
            size += len(article.text)
        if batch:
            self._write_articles(batch)

    def _write_articles(self, batch: Sequence[tuple[Article, str]]) -> None:
        self._articles.upsert(
            ids=[article.doc_id for article, _ in batch],
            embeddings=[_ARTICLE_VECTOR] * len(batch),
            documents=[article.text for article, _ in batch],
            metadatas=[article_metadata(article, digest) for article, digest in batch],
        )

    def delete_articles(self, doc_ids: Iterable[str]) -> None:
        ids = list(doc_ids)
        if ids:
            self._articles.delete(ids=ids)

    def get_article(self, doc_id: str) -> Article | None:
        got = read_with_retry(
            lambda: self._articles.get(ids=[doc_id], include=["documents", "metadatas"])
        )
        if not got["ids"]:
            return None
        return article_from(doc_id, got["documents"][0], dict(got["metadatas"][0]))

    def get_articles(self, doc_ids: Sequence[str]) -> list[Article]:
        """The stored articles among ``doc_ids`` (missing ids left out), in one read per batch."""
        found: list[Article] = []
        ids = list(doc_ids)
        for lo in range(0, len(ids), MAX_BATCH):
            part = ids[lo : lo + MAX_BATCH]
            got = read_with_retry(
                partial(self._articles.get, ids=part, include=["documents", "metadatas"])
            )
            found.extend(
                article_from(i, d, dict(m))
                for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
            )
        return found

    def article_origins(self) -> dict[str, tuple[str, ...]]:
        got = get_all(self._articles, ["metadatas"])
        return {
            i: tuple(json.loads(str(m.get("origins", "[]"))))
            for i, m in zip(got["ids"], got["metadatas"] or [], strict=True)
        }

    def list_documents(
        self,
        limit: int | None = None,
        after: str | None = None,
        filters: SearchFilters | None = None,
    ) -> list[DocumentSummary]:
        """Documents in id order after ``after`` (a cursor), at most ``limit``, passing
        ``filters`` (source, dates). Reads every article's metadata (small: no text); chunks are
        counted for the page only, unless the whole list is asked for."""
        got = get_all(self._articles, ["metadatas"])
        page = select_page(got["ids"], got["metadatas"] or [], limit, after, filters or _NO_FILTER)
        if limit is None:
            counts = {doc: len(ids) for doc, ids in self.chunk_ids_by_document().items()}
        else:
            counts = self._chunk_counts([doc_id for doc_id, _ in page])
        return [summary(doc_id, meta, counts.get(doc_id, 0)) for doc_id, meta in page]

    def _chunk_counts(self, doc_ids: list[str]) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for lo in range(0, len(doc_ids), COUNT_BATCH):
            where = {"doc_id": {"$in": doc_ids[lo : lo + COUNT_BATCH]}}
            got = read_with_retry(partial(self._chunks.get, where=where, include=["metadatas"]))
            counts.update(str(m["doc_id"]) for m in got["metadatas"] or [])
        return dict(counts)

    def ping(self) -> None:
        """Raise StoreUnavailable when Chroma does not answer: the HTTP client fails with httpx
        errors (server down: ``httpx.ConnectError``), either client with ``ChromaError``s, the
        embedded one with OS errors (data directory gone or unreadable)."""
        import httpx
        from chromadb.errors import ChromaError

        try:
            self._client.heartbeat()
        except (httpx.HTTPError, ChromaError, OSError) as exc:
            raise StoreUnavailable("vector store unreachable") from exc

    def reset(self) -> None:
        """Empty this store's collections (``ingest --reset``)."""
        for name in (self.chunk_collection_name, self.article_collection_name):
            self._client.delete_collection(name)
        self._open_collections()
