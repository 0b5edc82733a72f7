"""One filter definition, three evaluators: every backend agrees with FilterRules.admits."""

from __future__ import annotations

import itertools
import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from qa_service.adapters.chroma_filters import metadata_matches, where_clause
from qa_service.adapters.tantivy_index import TantivyIndex
from qa_service.core.filter_rules import compile_filters
from qa_service.core.models import LexicalRecord, SearchFilters

D = date(2024, 3, 10).toordinal()
DAYS = [0, D - 2, D - 1, D, D + 1, D + 2]  # 0: undated
SOURCES = ["A", "B", ""]
ROWS = list(itertools.product(DAYS, SOURCES))
BOUNDS = [None, date(2024, 3, 9), date(2024, 3, 10), date(2024, 3, 11)]
CASES = [
    SearchFilters(published_after=a, published_before=b, as_of=o, source=s)
    for a, b, o, s in itertools.product(BOUNDS, BOUNDS, BOUNDS, [None, "A"])
    if not (a and b and a > b)
]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> TantivyIndex:
    index = TantivyIndex(Path(tmp_path_factory.mktemp("rules")))
    index.rebuild(
        [
            LexicalRecord(f"r{i}", "storm news", day, src, f"d{i}")
            for i, (day, src) in enumerate(ROWS)
        ]
    )
    return index


def _expected(filters: SearchFilters) -> list[str]:
    rules = compile_filters(filters)
    return [f"r{i}" for i, (day, src) in enumerate(ROWS) if rules.admits(day, src or None)]


@pytest.mark.parametrize("filters", CASES)
def test_tantivy_query_and_metadata_match_the_rules(
    index: TantivyIndex, filters: SearchFilters
) -> None:
    expected = _expected(filters)
    matched = index.matching_ids(filters)
    assert matched is not None and sorted(matched[1]) == sorted(expected)
    meta = [{"published_day": day, "source": src} if src else {"published_day": day}
            for day, src in ROWS]  # fmt: skip
    assert [f"r{i}" for i, m in enumerate(meta) if metadata_matches(m, filters)] == expected


def _where_admits(where: dict[str, object] | None, meta: dict[str, object]) -> bool:
    """A tiny evaluator of the Chroma operators where_clause emits ($and/$or/$gte/$lte/eq)."""
    if where is None:
        return True
    ((key, value),) = where.items()
    if key == "$and":
        return all(_where_admits(w, meta) for w in value)  # type: ignore[attr-defined]
    if key == "$or":
        return any(_where_admits(w, meta) for w in value)  # type: ignore[attr-defined]
    if key not in meta:
        return False
    if isinstance(value, dict):
        ((op, bound),) = value.items()
        return bool(meta[key] >= bound if op == "$gte" else meta[key] <= bound)  # type: ignore[operator]
    return meta[key] == value


@pytest.mark.parametrize("filters", CASES)
def test_where_clause_matches_the_rules(filters: SearchFilters) -> None:
    where = where_clause(filters)
    json.dumps(where)  # plain JSON for Chroma
    got = [
        f"r{i}"
        for i, (day, src) in enumerate(ROWS)
        if _where_admits(where, {"published_day": day, **({"source": src} if src else {})})
    ]
    assert got == _expected(filters)


def test_as_of_alone_keeps_undated_and_bounds_dated() -> None:
    rules = compile_filters(SearchFilters(as_of=date(2024, 3, 10)))
    assert rules.admits(0, None) and rules.admits(D, None) and not rules.admits(D + 1, None)
    assert np.array_equal([rules.admits(d, None) for d in DAYS], [1, 1, 1, 1, 0, 0])
