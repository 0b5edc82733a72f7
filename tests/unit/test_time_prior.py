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


def test_a_range_pulls_in_range_candidates_into_the_pool() -> None:
    """The in-range article ranks far below the cut corpus-wide; a second, range-filtered
    search makes it a candidate and the prior puts it first."""
    corpus = [_passage(f"old{i}", 1.0 - i / 100, "2025-06-01") for i in range(50)]
    fresh = _passage("fresh", 0.2, "2025-12-10")
    calls: list[SearchFilters] = []

    def inner(query: str, top_k: int, filters: SearchFilters) -> list[Passage]:
        calls.append(filters)
        ranked = [*corpus, fresh]
        if filters.published_after is not None:
            ranked = [p for p in ranked if p.chunk.published_at >= str(filters.published_after)]
        # fused scores are rank-based: 1 / (60 + rank) within what this search saw
        return [Passage(p.chunk, 1 / (60 + rank)) for rank, p in enumerate(ranked[:top_k], 1)]

    policy = TimePolicy(today=lambda: AS_OF)
    got = policy.search(inner, "What did Peskov say this week?", 5, SearchFilters(as_of=AS_OF), 30)
    assert _ids(got)[0] == "fresh" and len(got) == 5
    assert calls[1].published_after == date(2025, 12, 8)
    calls.clear()
    plain = policy.search(inner, "What did Peskov say?", 5, SearchFilters(), 30)
    assert "fresh" not in _ids(plain) and len(calls) == 1  # no intent: one search, as is


def test_a_stated_as_of_anchors_a_question_without_time_words_mildly() -> None:
    """Asked "as of" a day, the newer of two comparable passages leads; a strong old
    background passage still beats a weak new one (the floor is 0.5, not 0.1)."""
    policy = TimePolicy(today=lambda: AS_OF)
    _, intent, _ = policy.plan("What did Peskov say?", SearchFilters(as_of=AS_OF))
    assert intent == TimeIntent("anchored", "as_of")
    _, intent, _ = policy.plan("What did Peskov say?", SearchFilters())
    assert intent is None  # as_of defaults to now: no prior without time words
    off = TimePolicy(today=lambda: AS_OF, anchor_as_of=False)
    assert off.plan("What did Peskov say?", SearchFilters(as_of=AS_OF))[1] is None
    passages = [
        _passage("background", 0.030, "2025-01-10"),
        _passage("month", 0.024, "2025-11-11"),
        _passage("week", 0.020, "2025-12-04"),
        _passage("weak-new", 0.012, "2025-12-11"),
        _passage("undated", 0.016, None),
    ]
    ranked = TimePrior().apply(passages, TimeIntent("anchored", "as_of"), AS_OF)
    assert _ids(ranked) == ["week", "background", "month", "weak-new", "undated"]
    vague = TimePrior().apply(passages, TimeIntent("recent", "latest"), AS_OF)
    assert _ids(vague)[:2] == ["weak-new", "week"]  # "latest" decays 4x faster, to 0.1


def test_a_range_no_candidate_falls_in_keeps_the_fused_order() -> None:
    intent = TimeIntent("range", "this week", date(2026, 11, 30), date(2026, 12, 2))
    passages = [_passage("a", 0.03, "2022-06-01"), _passage("b", 0.02, None)]
    assert TimePrior().apply(passages, intent, date(2026, 12, 2)) == passages


def test_recency_over_an_archive_with_nothing_recent_keeps_the_fused_order() -> None:
    passages = [_passage("a", 0.03, "2022-06-01"), _passage("b", 0.02, "2022-07-01")]
    intent = TimeIntent("recent", "latest")
    assert TimePrior().apply(passages, intent, date(2026, 12, 2)) == passages
    assert _ids(TimePrior().apply(passages, intent, date(2022, 7, 2))) == ["b", "a"]


def test_when_the_prior_says_nothing_the_result_is_the_plain_search() -> None:
    """A deeper candidate pool changes fused ranks, so a no-op prior must not return the pool."""

    def inner(query: str, top_k: int, filters: SearchFilters) -> list[Passage]:
        depth = [_passage(f"p{top_k}-{i}", 1 / (60 + i), "2022-06-01") for i in range(top_k)]
        return depth

    policy = TimePolicy(today=lambda: date(2026, 12, 2))
    got = policy.search(inner, "What happened this week?", 3, SearchFilters(), 30)
    assert _ids(got) == ["p3-0", "p3-1", "p3-2"]


def test_without_as_of_relative_ranges_only_say_recent_and_absolute_ones_stay() -> None:
    policy = TimePolicy(today=lambda: AS_OF)
    _, intent, _ = policy.plan("What did Peskov say this week?", SearchFilters())
    assert intent is not None and intent.kind == "recent"
    _, intent, _ = policy.plan("What did Peskov say in June?", SearchFilters())
    assert intent is None  # which June? too old a guess to rank by
    _, intent, _ = policy.plan("What did Peskov say in June 2025?", SearchFilters())
    assert intent is not None and intent.kind == "range" and intent.start == date(2025, 6, 1)
    _, intent, _ = policy.plan("What did Peskov say in June?", SearchFilters(as_of=AS_OF))
    assert intent is not None and intent.kind == "range"


def test_a_passage_in_any_named_span_is_in_range() -> None:
    spans = ((date(2025, 10, 6), date(2025, 10, 6)), (date(2025, 11, 20), date(2025, 11, 20)))
    intent = TimeIntent("range", "two reports", spans[0][0], spans[1][1], True, spans)
    passages = [
        _passage("between", 0.03, "2025-11-01"),  # inside the hull, in neither span
        _passage("first", 0.02, "2025-10-06"),
        _passage("second", 0.015, "2025-11-21"),
    ]
    assert _ids(TimePrior().apply(passages, intent, AS_OF)) == ["first", "second", "between"]
