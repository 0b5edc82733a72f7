"""BM25Index's own query path (scoring, top-k, per-snapshot caches) against bm25s itself."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa_service.adapters.bm25_index import BM25Index, LexicalRecord, best_rows
from qa_service.core.models import SearchFilters

WORDS = "ceasefire talks minister election budget storm flood market rally court vote".split()


def records(n: int, seed: int, extra: str = "") -> list[LexicalRecord]:
    rng = np.random.default_rng(seed)
    return [
        LexicalRecord(
            chunk_id=f"c{seed}-{i}",
            text=" ".join(rng.choice(WORDS, size=int(rng.integers(3, 12)))) + extra,
            published_day=date(2024, 1 + i % 12, 1).toordinal(),
            source=f"Outlet {i % 3}",
        )
        for i in range(n)
    ]


def reference(index: BM25Index, query: str, k: int, mask: np.ndarray | None) -> dict[str, float]:
    """What bm25s' own retrieve returns (the previous implementation)."""
    snapshot = index._current()
    assert snapshot is not None and snapshot.model is not None
    words = index._tokenize(query)
    known = [w for w in words if w in snapshot.model.vocab_dict]
    weights = None if mask is None else mask.astype(np.float32)
    docs, scores = snapshot.model.retrieve(
        [known], k=min(k, len(snapshot.ids)), show_progress=False, weight_mask=weights
    )
    hits = zip(docs[0], scores[0], strict=True)
    return {snapshot.ids[int(i)]: float(s) for i, s in hits if s > 0}


@pytest.fixture()
def index(tmp_path: Path) -> BM25Index:
    built = BM25Index(tmp_path / "lexical")
    built.rebuild(records(400, seed=1))
    return built


@pytest.mark.parametrize(
    "filters",
    [
        SearchFilters(),
        SearchFilters(published_after=date(2024, 6, 1)),
        SearchFilters(source="Outlet 1"),
        SearchFilters(published_after=date(2024, 3, 1), published_before=date(2024, 4, 30)),
    ],
)
def test_scores_and_ranking_match_bm25s(index: BM25Index, filters: SearchFilters) -> None:
    snapshot = index._current()
    assert snapshot is not None
    for query in ("ceasefire talks", "storm flood storm", "court vote rally market", "minister"):
        for k in (1, 5, 30):
            got = index.search(query, k, filters)
            expected = reference(index, query, k, snapshot.mask(filters))
            # Same scores, bit for bit; ids may differ only by the order among equal scores.
            assert [s for _, s in got] == sorted(expected.values(), reverse=True)
            assert all(expected.get(cid, s) == s for cid, s in got)
            assert [s for _, s in got] == sorted((s for _, s in got), reverse=True)


def test_equal_scores_rank_by_row(index: BM25Index) -> None:
    snapshot = index._current()
    assert snapshot is not None
    got = index.search("election", 400, SearchFilters())
    keys = [(-score, snapshot.ids.index(cid)) for cid, score in got]
    assert len({s for s, _ in keys}) < len(keys)  # there are ties to order
    assert keys == sorted(keys)


def test_unknown_words_and_empty_filters_give_nothing(index: BM25Index) -> None:
    assert index.search("zyxquartz", 5, SearchFilters()) == []
    assert index.search("the of and", 5, SearchFilters()) == []  # stopwords only
    assert index.search("storm", 5, SearchFilters(source="Nobody")) == []


def test_query_caches_belong_to_the_snapshot(index: BM25Index) -> None:
    """Cached token ids index one snapshot's vocabulary and cached masks its rows: after a
    rebuild, the same query and filters must be answered from the new snapshot alone."""
    filters = SearchFilters(source="Outlet 1")
    before = index.search("storm flood aardvark", 10, filters)
    old = index._current()
    assert old is not None
    assert old.token_ids.cache_info().currsize == 1 and old.mask.cache_info().currsize == 1
    index.rebuild(records(50, seed=2, extra=" aardvark"))  # new vocabulary, new rows
    after = index.search("storm flood aardvark", 10, filters)
    new = index._current()
    assert new is not None and new is not old
    assert before and all(cid.startswith("c1-") for cid, _ in before)
    assert after and all(cid.startswith("c2-") for cid, _ in after)
    assert dict(after) == reference(index, "storm flood aardvark", 10, new.mask(filters))


@settings(max_examples=200, deadline=None)
@given(
    scores=st.lists(
        st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0, 3.25]) | st.floats(0, 10, width=32),
        min_size=1,
        max_size=3000,
    ),
    k=st.integers(1, 40),
)
def test_best_rows_is_a_full_sort(scores: list[float], k: int) -> None:
    array = np.asarray(scores, dtype=np.float32)
    expected = sorted((i for i, s in enumerate(array) if s > 0), key=lambda i: (-array[i], i))
    assert best_rows(array, k) == expected[:k]


def test_chunks_without_a_single_word_publish_an_empty_index(tmp_path: Path) -> None:
    """Regression (schemathesis: a pushed article whose text is "0"): bm25s cannot index an
    empty vocabulary; the snapshot is published, searchable, and finds nothing."""
    index = BM25Index(tmp_path)
    index.rebuild([LexicalRecord(chunk_id="c1", text="0", published_day=0, source="")])
    assert index.search("zero", 5, SearchFilters()) == []
    assert index.fingerprint() is not None
