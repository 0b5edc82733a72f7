"""OverfetchFilter's decisions: which queries it sends, and post-filter semantics at the edges."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import pytest

from qa_service.adapters.chroma_filters import (
    Hit,
    MetadataCache,
    OverfetchFilter,
    metadata_matches,
    where_clause,
)
from qa_service.core.models import SearchFilters

DAY = date(2024, 3, 10).toordinal()


class Ranked:
    """A collection as a ranked list of ids with metadata; records every window asked for."""

    def __init__(self, metas: list[dict[str, Any]]) -> None:
        self.metas = {f"c{i}": m for i, m in enumerate(metas)}
        self.hits: list[Hit] = [(f"c{i}", i / 100) for i in range(len(metas))]
        self.windows: list[int] = []
        self.fetched: list[int] = []
        self.cache = MetadataCache(self.fetch)

    def nearest(self, n: int) -> list[Hit]:
        self.windows.append(n)
        return self.hits[:n]

    def fetch(self, ids: list[str]) -> dict[str, Mapping[str, Any]]:
        self.fetched.append(len(ids))
        return {i: self.metas[i] for i in ids}


def test_broad_filter_is_answered_from_the_window() -> None:
    ranked = Ranked([{"source": "A" if i % 2 else "B"} for i in range(1000)])
    hits = OverfetchFilter(factor=10).search(
        ranked.nearest, ranked.cache, 5, SearchFilters(source="A")
    )
    assert ranked.windows == [50]
    assert [h[0] for h in hits or []] == ["c1", "c3", "c5", "c7", "c9"]


def test_window_adapts_to_the_filter_selectivity() -> None:
    ranked = Ranked([{"source": "A" if i % 20 == 0 else "B"} for i in range(5000)])  # 5%
    search = OverfetchFilter(factor=10, max_window=1500)
    only_a = SearchFilters(source="A")
    assert search.search(ranked.nearest, ranked.cache, 10, only_a) is None  # 5 of 100: short
    hits = search.search(ranked.nearest, ranked.cache, 10, only_a)
    assert ranked.windows == [100, 400]  # 2 x 10 / 0.05
    assert hits is not None and len(hits) == 10 and search.fallbacks == 1


def test_too_narrow_filter_goes_to_where_then_is_reprobed() -> None:
    ranked = Ranked([{"source": "rare" if i % 1000 == 0 else "B"} for i in range(5000)])
    search = OverfetchFilter(factor=10, max_window=300, reprobe=2)
    narrow = SearchFilters(source="rare")
    for _ in range(4):
        assert search.search(ranked.nearest, ranked.cache, 10, narrow) is None
    assert ranked.windows == [100, 300]  # probe, two skips straight to where, re-probe at cap
    assert search.fallbacks == 4


def test_window_covering_the_whole_collection_needs_no_fallback() -> None:
    ranked = Ranked([{"source": "rare"}] + [{"source": "B"}] * 9)
    hits = OverfetchFilter(factor=10).search(
        ranked.nearest, ranked.cache, 5, SearchFilters(source="rare")
    )
    assert ranked.windows == [50] and [h[0] for h in hits or []] == ["c0"]


def test_metadata_is_fetched_once_per_chunk() -> None:
    ranked = Ranked([{"source": "A"}] * 100)
    search = OverfetchFilter(factor=4)
    search.search(ranked.nearest, ranked.cache, 5, SearchFilters(source="A"))
    search.search(ranked.nearest, ranked.cache, 5, SearchFilters(source="A"))
    assert ranked.fetched == [20]


@pytest.mark.parametrize(
    ("meta", "filters", "expected"),
    [
        # inclusive
        ({"published_day": DAY}, SearchFilters(published_after=date(2024, 3, 10)), True),
        ({"published_day": DAY}, SearchFilters(published_before=date(2024, 3, 10)), True),
        ({"published_day": DAY}, SearchFilters(published_after=date(2024, 3, 11)), False),
        ({"published_day": DAY}, SearchFilters(published_before=date(2024, 3, 9)), False),
        ({}, SearchFilters(published_after=date(2000, 1, 1)), False),  # undated never matches
        ({}, SearchFilters(published_before=date(2100, 1, 1)), False),
        ({"source": "A"}, SearchFilters(source="A"), True),
        ({}, SearchFilters(source="A"), False),
        ({"source": "A", "published_day": DAY}, SearchFilters(date(2024, 1, 1), None, "B"), False),
        ({}, SearchFilters(), True),
        # as_of: nothing published later; undated (day 0, or no day at all) stays eligible
        ({"published_day": DAY}, SearchFilters(as_of=date(2024, 3, 10)), True),
        ({"published_day": DAY}, SearchFilters(as_of=date(2024, 3, 9)), False),
        ({"published_day": 0}, SearchFilters(as_of=date(2024, 3, 9)), True),
        ({}, SearchFilters(as_of=date(2024, 3, 9)), True),
        ({"published_day": 0}, SearchFilters(published_before=date(2024, 3, 9)), False),
        # an explicit bound excludes undated even with as_of; the earlier upper bound wins
        ({}, SearchFilters(published_after=date(2000, 1, 1), as_of=date(2024, 3, 9)), False),
        (
            {"published_day": DAY},
            SearchFilters(published_before=date(2024, 3, 31), as_of=date(2024, 3, 9)),
            False,
        ),
    ],
)
def test_post_filter_semantics(
    meta: dict[str, Any], filters: SearchFilters, expected: bool
) -> None:
    assert metadata_matches(meta, filters) is expected


def test_where_clause_shapes() -> None:
    assert where_clause(SearchFilters()) is None
    assert where_clause(SearchFilters(source="A")) == {"source": "A"}
    both = where_clause(SearchFilters(published_after=date(2024, 3, 10), source="A"))
    assert both == {"$and": [{"published_day": {"$gte": DAY}}, {"source": "A"}]}
