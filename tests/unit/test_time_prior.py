"""Recency prior and date-range prior over fused candidates (core/recency.py)."""

from __future__ import annotations

from datetime import date

from qa_service.core.models import Chunk, Passage, SearchFilters
from qa_service.core.recency import TimePolicy, TimePrior
from qa_service.core.time_intent import TimeIntent

AS_OF = date(2025, 12, 11)


def _passage(
    chunk_id: str, score: float, published: str | None, mentioned: tuple[str, ...] = ()
) -> Passage:
    chunk = Chunk(chunk_id, chunk_id, 0, "text", 0, 4, published_at=published)
    return Passage(Chunk(**{**_fields(chunk), "mentioned_dates": mentioned}), score)


def _fields(chunk: Chunk) -> dict[str, object]:
    return {name: getattr(chunk, name) for name in chunk.__slots__}  # type: ignore[attr-defined]


def _ids(passages: list[Passage]) -> list[str]:
    return [p.chunk.chunk_id for p in passages]


def test_recent_intent_prefers_new_evidence_and_ranks_undated_as_old() -> None:
    passages = [
        _passage("old", 0.030, "2025-06-01"),
        _passage("undated", 0.029, None),
        _passage("new", 0.015, "2025-12-10"),
    ]
    ranked = TimePrior().apply(passages, TimeIntent("recent", "latest"), AS_OF)
    assert _ids(ranked) == ["new", "old", "undated"]


def test_range_intent_keeps_published_or_mentioned_in_range_first() -> None:
    intent = TimeIntent("range", "on 30 November", date(2025, 11, 30), date(2025, 11, 30))
    passages = [
        _passage("off", 0.030, "2025-10-01"),
        _passage("mentions", 0.020, "2025-12-13", ("2025-11-30",)),  # published after the lag
        _passage("reported", 0.015, "2025-12-02"),  # within the reporting lag
    ]
    assert _ids(TimePrior().apply(passages, intent, AS_OF)) == ["mentions", "reported", "off"]


def test_no_intent_no_prior_and_filter_mode_turns_ranges_into_filters() -> None:
    today = TimePolicy(today=lambda: AS_OF)
    filters, intent, as_of = today.plan("What is Moscow's position?", SearchFilters())
    assert (filters, intent, as_of) == (SearchFilters(), None, AS_OF)
    hard = TimePolicy(mode="filter")
    given = SearchFilters(as_of=AS_OF)
    filters, intent, _ = hard.plan("What did Peskov say this week?", given)
    assert intent is None
    assert filters == SearchFilters(
        published_after=date(2025, 12, 8), published_before=AS_OF, as_of=AS_OF
    )
    off = TimePolicy(mode="off")
    assert off.plan("What did Peskov say this week?", given) == (given, None, AS_OF)
