"""Score fusion of the dense and lexical candidate lists (qa_service.core.retrieval)."""

from __future__ import annotations

import pytest

from qa_service.core.models import Chunk, Passage, SearchFilters
from qa_service.core.retrieval import (
    HybridRetriever,
    QueryEmbeddingCache,
    convex_fusion,
    reciprocal_rank_fusion,
)


def test_convex_fusion_sums_weighted_min_max_normalised_scores() -> None:
    dense = [("a", 0.9), ("b", 0.7), ("c", 0.5)]
    lexical = [("c", 12.0), ("d", 4.0)]
    fused = dict(convex_fusion([dense, lexical], [1.0, 0.5]))
    assert fused == pytest.approx({"a": 1.0, "b": 0.5, "c": 0.5, "d": 0.0})


def test_a_clear_dense_winner_keeps_its_lead_over_a_flat_lexical_list() -> None:
    # Dense is sure of "gold"; BM25 barely separates its candidates and misses "gold".
    dense = [("gold", 0.82), ("x", 0.41), ("y", 0.40), ("z", 0.39)]
    lexical = [("y", 5.1), ("z", 5.0), ("x", 4.9)]
    assert convex_fusion([dense, lexical], [1.0, 0.8])[0][0] == "gold"
    # Rank fusion puts the ids both lists hold first, whatever the dense margin.
    rrf = reciprocal_rank_fusion([[i for i, _ in dense], [i for i, _ in lexical]], [1.0, 0.8])
    assert rrf[0][0] != "gold"


def test_equal_scores_and_empty_lists_are_handled() -> None:
    assert convex_fusion([[("a", 2.0), ("b", 2.0)], []], [1.0, 1.0]) == [("a", 1.0), ("b", 1.0)]
    assert convex_fusion([[], []], [1.0, 1.0]) == []


class _Embedder:
    model_id = "fake"

    def embed(self, texts: list[str]) -> list[list[float]]:
        return [[1.0, 0.0] for _ in texts]


class _Store:
    def __init__(self, chunks: list[Chunk], scores: list[float]) -> None:
        self._passages = [Passage(chunk=c, score=s) for c, s in zip(chunks, scores, strict=True)]

    def query(self, vector: list[float], top_k: int, filters: SearchFilters) -> list[Passage]:
        return self._passages[:top_k]

    def get_chunks(self, chunk_ids: list[str]) -> list[Chunk]:
        by_id = {p.chunk.chunk_id: p.chunk for p in self._passages}
        return [by_id[i] for i in chunk_ids if i in by_id]


class _Lexical:
    def __init__(self, hits: list[tuple[str, float]]) -> None:
        self._hits = hits

    def search(self, query: str, top_k: int, filters: SearchFilters) -> list[tuple[str, float]]:
        return self._hits[:top_k]


def _chunk(name: str) -> Chunk:
    return Chunk(chunk_id=name, doc_id=name, index=0, text=f"text of {name}", start=0, end=10)


@pytest.mark.parametrize(("fusion", "first"), [("convex", "gold"), ("rrf", "y")])
def test_hybrid_retriever_uses_the_configured_fusion(fusion: str, first: str) -> None:
    chunks = [_chunk(n) for n in ("gold", "x", "y", "z")]
    retriever = HybridRetriever(
        QueryEmbeddingCache(_Embedder()),
        _Store(chunks, [0.82, 0.41, 0.40, 0.39]),
        _Lexical([("y", 5.1), ("z", 5.0), ("x", 4.9)]),
        lexical_weight=0.8,
        fusion=fusion,  # type: ignore[arg-type]
    )
    assert retriever.search("q", 3, SearchFilters())[0].chunk.chunk_id == first
