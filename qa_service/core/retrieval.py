"""Retrieval: dense (cached query embedding -> vector store), lexical (BM25), or both fused
(``convex_fusion`` of normalised scores, or ``reciprocal_rank_fusion``).

An optional rerank stage re-scores the first ``rerank_candidates`` fused passages (after
near-duplicate removal) with a ``Reranker`` and keeps its best ``top_k``; without one, the fused
order is final.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from typing import Literal

from qa_service.core.models import Chunk, Passage, SearchFilters
from qa_service.core.ports import Embedder, LexicalIndex, Reranker, Vector, VectorStore
from qa_service.core.recency import TimePolicy

RetrievalMode = Literal["hybrid", "dense", "lexical"]
Fusion = Literal["convex", "rrf"]


class QueryEmbeddingCache:
    """LRU cache in front of an embedder: repeated questions skip the model entirely."""

    def __init__(self, embedder: Embedder, maxsize: int = 1024) -> None:
        self._embedder = embedder
        self._maxsize = maxsize
        self._items: OrderedDict[str, Vector] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def model_id(self) -> str:
        return self._embedder.model_id

    def embed(self, texts: Sequence[str]) -> list[Vector]:
        return [self.embed_query(t) for t in texts]

    def embed_query(self, text: str) -> Vector:
        key = " ".join(text.split())
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
        vector = self._embedder.embed([key])[0]
        with self._lock:
            self.misses += 1
            self._items[key] = vector
            if len(self._items) > self._maxsize:
                self._items.popitem(last=False)
        return vector


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]], weights: Sequence[float], k: int = 60
) -> list[tuple[str, float]]:
    """Sum of ``weight / (k + rank)`` over the rankings an id appears in, best first."""
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


def convex_fusion(
    scored: Sequence[Sequence[tuple[str, float]]], weights: Sequence[float]
) -> list[tuple[str, float]]:
    """Sum of ``weight * min-max normalised score`` over the lists an id appears in, best first.

    Unlike rank fusion, a ranker whose scores are flat (BM25 on a question that shares no
    distinctive word with any passage) moves little, and a clear winner keeps its lead: on
    short passages, rank fusion with a weaker BM25 fell below dense alone (docs/benchmarks.md).
    """
    totals: dict[str, float] = {}
    for ranking, weight in zip(scored, weights, strict=True):
        if not ranking:
            continue
        values = [score for _, score in ranking]
        low, high = min(values), max(values)
        for item, score in ranking:
            share = (score - low) / (high - low) if high > low else 1.0
            totals[item] = totals.get(item, 0.0) + weight * share
    return sorted(totals.items(), key=lambda pair: (-pair[1], pair[0]))


@lru_cache(maxsize=4096)  # near-duplicate checks compare each candidate with every kept one
def _normalised(text: str) -> str:
    return " ".join(text.lower().split())


def is_near_duplicate(chunk: Chunk, kept: Sequence[Chunk], max_overlap: float = 0.5) -> bool:
    """Same text (duplicate articles) or mostly the same span of one article (overlaps)."""
    text = _normalised(chunk.text)
    for other in kept:
        if _normalised(other.text) == text:
            return True
        if other.doc_id == chunk.doc_id:
            shared = min(chunk.end, other.end) - max(chunk.start, other.start)
            if shared > max_overlap * min(chunk.end - chunk.start, other.end - other.start):
                return True
    return False


class HybridRetriever:
    """Dense + BM25 candidates fused (convex score fusion or reciprocal rank); filters apply on
    both sides.

    With a ``reranker``, the first ``rerank_candidates`` fused passages are re-scored by it and
    its best ``top_k`` returned; ``reranker=None`` (the default) skips the stage entirely.
    """

    def __init__(
        self,
        queries: QueryEmbeddingCache,
        store: VectorStore,
        lexical: LexicalIndex | None,
        mode: RetrievalMode = "hybrid",
        rrf_k: int = 60,
        dense_weight: float = 1.0,
        lexical_weight: float = 1.0,
        candidates: int = 30,
        fusion: Fusion = "rrf",
        reranker: Reranker | None = None,
        rerank_candidates: int = 20,
        time: TimePolicy | None = None,
    ) -> None:
        if mode != "dense" and lexical is None:
            raise ValueError(f"retrieval mode {mode!r} needs a lexical index")
        if rerank_candidates < 1:
            raise ValueError("rerank_candidates must be at least 1")
        self._queries = queries
        self._store = store
        self._lexical = lexical
        self.mode = mode
        self._rrf_k = rrf_k
        self._weights = (dense_weight, lexical_weight)
        self._candidates = candidates
        self._fusion = fusion
        self.reranker = reranker
        self._rerank_candidates = rerank_candidates
        self.time = time or TimePolicy(mode="off")

    def search(self, query: str, top_k: int, filters: SearchFilters) -> list[Passage]:
        """Time intent in the query (recency.py) widens the pool and re-ranks it; else as is."""
        pool = max(self._candidates, top_k * 3)
        return self.time.search(self._search, query, top_k, filters, pool)

    def _search(self, query: str, top_k: int, filters: SearchFilters) -> list[Passage]:
        # the reranker sees max(rerank_candidates, top_k) passages; without it, top_k is final
        limit = max(self._rerank_candidates, top_k) if self.reranker is not None else top_k
        n = max(self._candidates, top_k * 3, limit)
        dense: list[Passage] = []
        lexical: list[tuple[str, float]] = []
        if self.mode != "lexical":
            dense = self._store.query(self._queries.embed_query(query), n, filters)
        if self.mode != "dense" and self._lexical is not None:
            lexical = self._lexical.search(query, n, filters)
        if self.mode == "dense":
            fused = [(p.chunk.chunk_id, p.score) for p in dense]
        elif self.mode == "lexical":
            fused = lexical
        elif self._fusion == "convex":
            fused = convex_fusion(
                [[(p.chunk.chunk_id, p.score) for p in dense], lexical], self._weights
            )
        else:
            fused = reciprocal_rank_fusion(
                [[p.chunk.chunk_id for p in dense], [cid for cid, _ in lexical]],
                self._weights,
                self._rrf_k,
            )
        passages = self._materialise(fused, {p.chunk.chunk_id: p.chunk for p in dense}, limit)
        if self.reranker is None or not passages:
            return passages
        return self.reranker.rerank(query, passages, top_k)[:top_k]

    def _materialise(
        self, fused: list[tuple[str, float]], known: dict[str, Chunk], limit: int
    ) -> list[Passage]:
        """Fetch chunk bodies the dense side did not return, drop near-duplicates, keep limit."""
        head = [cid for cid, _ in fused[: limit * 3]]
        missing = [cid for cid in head if cid not in known]
        known.update({c.chunk_id: c for c in self._store.get_chunks(missing)})
        kept: list[Passage] = []
        for chunk_id, score in fused:
            chunk = known.get(chunk_id)
            if chunk is None or is_near_duplicate(chunk, [p.chunk for p in kept]):
                continue
            kept.append(Passage(chunk=chunk, score=score))
            if len(kept) == limit:
                break
        return kept
