"""HybridRetriever's optional rerank stage, the nanoranker adapter's wiring, the setting."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

import pytest

from qa_service.adapters.nanoranker_reranker import NanorankerReranker, passage_text
from qa_service.container import build_reranker
from qa_service.core.models import Chunk, Passage, SearchFilters
from qa_service.core.retrieval import HybridRetriever, QueryEmbeddingCache
from qa_service.settings import Settings
from tests.unit.fakes import FakeEmbedder, make_article, make_passage

NO_FILTERS = SearchFilters()


def _passages(n: int) -> list[Passage]:
    """n distinct one-chunk articles, dense scores falling with the index."""
    return [
        make_passage(
            make_article(f"Article number {i} says thing {i}.", doc_id=f"d{i}"), score=1 - i / 100
        )
        for i in range(n)
    ]


class ListStore:
    """A vector store whose nearest neighbours are a fixed list, whatever the vector."""

    def __init__(self, ranked: Sequence[Passage]) -> None:
        self.ranked = list(ranked)
        self.asked: list[int] = []

    def query(self, vector: list[float], top_k: int, filters: SearchFilters) -> list[Passage]:
        self.asked.append(top_k)
        return self.ranked[:top_k]

    def get_chunks(self, chunk_ids: Sequence[str]) -> list[Chunk]:
        by_id = {p.chunk.chunk_id: p.chunk for p in self.ranked}
        return [by_id[c] for c in chunk_ids if c in by_id]


class ListLexical:
    def __init__(self, ranked_ids: Iterable[str]) -> None:
        self.ranked_ids = list(ranked_ids)

    def search(self, query: str, top_k: int, filters: SearchFilters) -> list[tuple[str, float]]:
        return [(cid, 1.0) for cid in self.ranked_ids[:top_k]]


class ReversingReranker:
    """Puts the last candidate first; records what it was given."""

    model_id = "reversing"

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str], int]] = []

    def rerank(self, query: str, passages: Sequence[Passage], top_k: int) -> list[Passage]:
        self.calls.append((query, [p.chunk.chunk_id for p in passages], top_k))
        ranked = list(reversed(passages))
        return [replace(p, score=float(len(ranked) - i)) for i, p in enumerate(ranked)]


def _retriever(
    passages: Sequence[Passage], reranker: ReversingReranker | None, rerank_candidates: int = 6
) -> HybridRetriever:
    ids = [p.chunk.chunk_id for p in passages]
    return HybridRetriever(
        QueryEmbeddingCache(FakeEmbedder()),
        ListStore(passages),  # type: ignore[arg-type]  # only query/get_chunks are used
        ListLexical(ids),
        reranker=reranker,
        rerank_candidates=rerank_candidates,
    )


def test_without_a_reranker_the_fused_order_is_final() -> None:
    passages = _passages(12)
    got = _retriever(passages, None).search("thing", 4, NO_FILTERS)
    assert [p.chunk.chunk_id for p in got] == ["d0-0", "d1-0", "d2-0", "d3-0"]


def test_reranker_sees_the_first_candidates_and_its_order_is_cut_to_top_k() -> None:
    passages = _passages(12)
    reranker = ReversingReranker()
    got = _retriever(passages, reranker, rerank_candidates=6).search("thing", 4, NO_FILTERS)
    assert reranker.calls == [("thing", [f"d{i}-0" for i in range(6)], 4)]
    assert [p.chunk.chunk_id for p in got] == ["d5-0", "d4-0", "d3-0", "d2-0"]
    assert [p.score for p in got] == [6.0, 5.0, 4.0, 3.0]  # the reranker's scores are kept


def test_reranker_gets_at_least_top_k_candidates() -> None:
    reranker = ReversingReranker()
    got = _retriever(_passages(12), reranker, rerank_candidates=2).search("thing", 5, NO_FILTERS)
    assert len(reranker.calls[0][1]) == 5
    assert got[0].chunk.chunk_id == "d4-0"


def test_reranker_is_not_called_when_nothing_was_retrieved() -> None:
    reranker = ReversingReranker()
    assert _retriever([], reranker).search("thing", 3, NO_FILTERS) == []
    assert reranker.calls == []


def test_rerank_candidates_must_be_positive() -> None:
    with pytest.raises(ValueError, match="rerank_candidates"):
        _retriever(_passages(2), ReversingReranker(), rerank_candidates=0)


class FakeRank:
    """Stands in for nanoranker.rank: scores = number of query words in the text; sorted."""

    def __init__(self) -> None:
        self.seen: list[list[str]] = []

    def __call__(
        self, query: str, documents: list[str], top_n: int = 10, normalize_scores: bool = True
    ) -> list[tuple[str, float]]:
        assert normalize_scores is False and top_n == len(documents)
        self.seen.append(documents)
        words = set(query.lower().split())
        scored = [(d, float(sum(w in words for w in d.lower().split()))) for d in documents]
        return sorted(scored, key=lambda pair: -pair[1])


def test_nanoranker_adapter_orders_by_score_and_keeps_passage_identity() -> None:
    texts = ["nothing here", "truce talks", "truce talks", "kremlin rejects truce talks"]
    passages = [
        make_passage(make_article(t, doc_id=f"d{i}", title=None), score=0.1)
        for i, t in enumerate(texts)
    ]
    rank = FakeRank()
    got = NanorankerReranker(rank=rank).rerank("kremlin truce talks", passages, 3)
    assert [p.chunk.doc_id for p in got] == ["d3", "d1", "d2"]  # equal texts keep fused order
    assert [p.score for p in got] == [3.0, 2.0, 2.0]
    assert rank.seen == [texts]


def test_nanoranker_adapter_reads_the_title_first_and_handles_empty_input() -> None:
    passage = make_passage(make_article("Body text.", title="Headline"))
    assert passage_text(passage, with_title=True) == "Headline. Body text."
    assert passage_text(passage, with_title=False) == "Body text."
    rank = FakeRank()
    reranker = NanorankerReranker(rank=rank)
    assert reranker.rerank("q", [], 5) == []
    assert reranker.rerank("q", [passage], 0) == []
    assert rank.seen == []
    assert reranker.model_id.startswith("nanoranker")


def test_reranker_setting_defaults_to_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QA_RERANKER", raising=False)
    assert Settings().reranker == "none"
    assert build_reranker(Settings()) is None


def test_reranker_setting_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QA_RERANKER", "nanoranker")
    monkeypatch.setenv("QA_RERANK_CANDIDATES", "12")
    settings = Settings()
    assert settings.rerank_candidates == 12
    assert isinstance(build_reranker(settings), NanorankerReranker)  # built lazily: no model yet
    monkeypatch.setenv("QA_RERANKER", "cohere")
    with pytest.raises(ValueError):
        Settings()
