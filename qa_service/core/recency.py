"""Time priors applied to fused candidates, after fusion and before the final cut.

* ``range`` intent ("this week", "on Tuesday", "in December 2025"): a passage is *in range* when
  its article was published in ``[start, end + REPORTING_LAG_DAYS]`` (news about a day appears on
  or after it) or its text mentions a day in ``[start, end]`` (``Chunk.mentioned_dates``,
  resolved at ingest). Passages out of range keep ``miss_factor`` of their score.
* ``recent`` intent ("latest", "currently"): score x ``0.5 ** (age / half_life)`` with the age in
  days before ``as_of``, never below ``floor`` so strong old evidence can still compete; undated
  passages are ranked as if old (the floor).
* ``anchored``: a question with no time words, asked with an explicit ``as_of`` ("answer as a
  well-informed reader would have on that day"). The same decay, milder: a month-old article keeps
  half its score and none keeps less (``anchored_half_life_days`` 30, ``anchored_floor`` 0.5), so
  a strong old background article still outranks weak new ones. Without a stated ``as_of`` (the
  default: now) such questions get no prior at all.
A range no candidate falls in (e.g. "this week" over an archive), or recency when no candidate is
from the last ``stale_after_days``, leaves the order as it was.
Questions without time intent and without a stated ``as_of`` never get here: old background
articles stay where they ranked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

from qa_service.core.dates import day_or_none, utc_today
from qa_service.core.models import Chunk, Passage, SearchFilters
from qa_service.core.time_intent import TimeIntent, detect_time_intent

REPORTING_LAG_DAYS = 7


@dataclass(frozen=True, slots=True)
class TimePrior:
    half_life_days: float = 7.0
    floor: float = 0.1
    miss_factor: float = 0.3
    stale_after_days: int = 60
    anchored_half_life_days: float = 30.0
    anchored_floor: float = 0.5

    def factor(self, chunk: Chunk, intent: TimeIntent, as_of: date) -> float:
        published = day_or_none(chunk.published_at)
        if intent.kind == "range":
            return 1.0 if in_range(chunk, published, intent) else self.miss_factor
        half_life, floor = (
            (self.half_life_days, self.floor)
            if intent.kind == "recent"
            else (self.anchored_half_life_days, self.anchored_floor)
        )
        if published is None:
            return floor
        age = max((as_of - published).days, 0)
        return max(0.5 ** (age / half_life), floor)

    def apply(self, passages: Sequence[Passage], intent: TimeIntent, as_of: date) -> list[Passage]:
        """Passages re-scored and re-sorted (stable: ties keep the fused order). A range that no
        candidate falls in says nothing about them: the fused order is kept."""
        if not self.applies(passages, intent, as_of):
            return list(passages)
        scored = [
            Passage(chunk=p.chunk, score=p.score * self.factor(p.chunk, intent, as_of))
            for p in passages
        ]
        return sorted(scored, key=lambda p: -p.score)

    def applies(self, passages: Sequence[Passage], intent: TimeIntent, as_of: date) -> bool:
        """A range needs a candidate in it; recency needs a candidate from the last
        ``stale_after_days`` ("latest" over an archive asked about "now" cannot be told apart
        by age). Otherwise the prior says nothing and the order stays as fused."""
        if intent.kind == "range":
            return any(
                in_range(p.chunk, day_or_none(p.chunk.published_at), intent) for p in passages
            )
        days = [d for p in passages if (d := day_or_none(p.chunk.published_at)) is not None]
        return bool(days) and (as_of - max(days)).days <= self.stale_after_days


def in_range(chunk: Chunk, published: date | None, intent: TimeIntent) -> bool:
    if intent.start is None or intent.end is None:
        return True
    spans = intent.spans or ((intent.start, intent.end),)
    lag = timedelta(days=REPORTING_LAG_DAYS)
    if published is not None and any(start <= published <= end + lag for start, end in spans):
        return True
    return any(
        start.isoformat() <= mentioned <= end.isoformat()
        for start, end in spans
        for mentioned in chunk.mentioned_dates
    )


TimeIntentMode = Literal["prior", "filter", "off"]
SearchFn = Callable[[str, int, SearchFilters], list[Passage]]


@dataclass(frozen=True, slots=True)
class TimePolicy:
    """What the retriever does with a question's time intent (``QA_TIME_INTENT``).

    ``prior``: ranges and recency re-rank the candidates (``TimePrior``); nothing is excluded.
    With ``anchor_as_of``, a question without time words asked with a stated ``as_of`` gets the
    mild ``anchored`` prior.
    ``filter``: a range becomes a hard published-date filter ``[start, end + lag]`` (undated
    articles then drop out); vague recency still gets the prior. ``off``: no time intent.
    Relative expressions resolve against ``filters.as_of``, or today when the caller gave none.
    """

    mode: TimeIntentMode = "prior"
    prior: TimePrior = TimePrior()
    today: Callable[[], date] = utc_today
    anchor_as_of: bool = True

    def search(
        self, inner: SearchFn, query: str, top_k: int, filters: SearchFilters, pool: int
    ) -> list[Passage]:
        """``inner`` (the retriever's own search) as is without time intent; with it, a pool of
        ``pool`` candidates, plus for a range the best ``pool`` published in it (so in-range
        passages are candidates however the whole corpus ranks them), re-scored by the prior."""
        filters, intent, as_of = self.plan(query, filters)
        if intent is None:
            return inner(query, top_k, filters)
        candidates = inner(query, max(pool, top_k), filters)
        if intent.kind == "range":
            # an in-range passage keeps the better of its two fused scores: its rank among the
            # range's articles is what the question asks about
            best = {p.chunk.chunk_id: p for p in candidates}
            for p in inner(query, max(pool, top_k), self.range_filters(filters, intent, as_of)):
                known = best.get(p.chunk.chunk_id)
                if known is None or p.score > known.score:
                    best[p.chunk.chunk_id] = p
            candidates = sorted(best.values(), key=lambda p: -p.score)
        if not self.prior.applies(candidates, intent, as_of):
            return inner(query, top_k, filters)  # exactly the search without time intent
        return self.prior.apply(candidates, intent, as_of)[:top_k]

    def _unanchored(self, intent: TimeIntent, today: date) -> TimeIntent | None:
        """Without a stated ``as_of``, a relative range ("in June", "on Tuesday") is only a guess
        about which June: one ending lately says "recent", an older one nothing. Absolute ranges
        ("in December 2025") and vague recency stay as they are."""
        if intent.kind != "range" or intent.absolute or intent.end is None:
            return intent
        if (today - intent.end).days <= self.prior.stale_after_days:
            return TimeIntent("recent", intent.phrase)
        return None

    @staticmethod
    def range_filters(filters: SearchFilters, intent: TimeIntent, as_of: date) -> SearchFilters:
        """``filters`` narrowed to articles published in the range (plus the reporting lag)."""
        assert intent.start is not None and intent.end is not None
        after = max(filter(None, (filters.published_after, intent.start)))
        lagged = min(intent.end + timedelta(days=REPORTING_LAG_DAYS), as_of)
        before = min(filter(None, (filters.published_before, lagged)))
        return replace(filters, published_after=after, published_before=before)

    def plan(
        self, query: str, filters: SearchFilters
    ) -> tuple[SearchFilters, TimeIntent | None, date]:
        as_of = filters.as_of or self.today()
        if self.mode == "off":
            return filters, None, as_of
        intent = detect_time_intent(query, as_of)
        if intent is not None and filters.as_of is None:
            intent = self._unanchored(intent, as_of)
        if intent is None and filters.as_of is not None and self.anchor_as_of:
            intent = TimeIntent("anchored", "as_of")
        if self.mode == "filter" and intent is not None and intent.kind == "range":
            return self.range_filters(filters, intent, as_of), None, as_of
        return filters, intent, as_of
