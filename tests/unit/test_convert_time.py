"""as_of and evidence_dates at the API edge (api/convert.py)."""

from __future__ import annotations

from datetime import date

import pytest

from qa_service.api.convert import as_of_from, evidence_dates, filters_from
from qa_service.api.schemas import Filters
from qa_service.core.errors import InvalidQuery


def test_evidence_dates_order_by_day_and_skip_what_does_not_parse() -> None:
    got = evidence_dates(["2025-12-13T09:44:00", "garbage", None, "2025-12-10T09:08:00+00:00"])
    assert (got.oldest, got.newest) == ("2025-12-10T09:08:00+00:00", "2025-12-13T09:44:00")
    none = evidence_dates([None])
    assert (none.oldest, none.newest) == (None, None)


def test_as_of_is_parsed_once_into_typed_filters() -> None:
    assert as_of_from("2025-12-11T23:30:00-05:00") == date(2025, 12, 11)
    filters = filters_from(Filters(published_after=date(2025, 12, 1)), "2025-12-11")
    assert (filters.published_after, filters.as_of) == (date(2025, 12, 1), date(2025, 12, 11))
    with pytest.raises(InvalidQuery):
        as_of_from("2025-02-30")
    with pytest.raises(InvalidQuery):
        filters_from(Filters(published_after=date(2025, 12, 12)), "2025-12-11")
