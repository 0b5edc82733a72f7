"""One definition of what ``SearchFilters`` admit; each backend only translates ``FilterRules``.

Chunks carry ``published_day`` (date ordinal, 0 = undated) and ``source``. Every date field of
``SearchFilters`` folds into a single inclusive day range plus "may an undated chunk pass?", so a
new date field (``as_of`` was one) changes ``compile_filters`` and nothing in the evaluators:
``chroma_filters.where_clause`` / ``metadata_matches`` and ``tantivy_index`` (fast-field queries).
"""

from __future__ import annotations

from dataclasses import dataclass

from qa_service.core.dates import UNDATED
from qa_service.core.models import SearchFilters


@dataclass(frozen=True, slots=True)
class DayRange:
    """``lo <= published_day <= hi`` (ordinals; None = open); undated chunks pass iff
    ``undated``. Dated days are always >= 1, so an open ``lo`` with ``undated=False`` is 1."""

    lo: int | None
    hi: int | None
    undated: bool

    def admits(self, day: int) -> bool:
        if day == UNDATED:
            return self.undated
        return (self.lo is None or day >= self.lo) and (self.hi is None or day <= self.hi)


@dataclass(frozen=True, slots=True)
class FilterRules:
    days: DayRange | None = None
    source: str | None = None

    def admits(self, day: int, source: str | None) -> bool:
        """The reference evaluator; the backends must agree with it (tests compare them)."""
        if self.days is not None and not self.days.admits(day):
            return False
        return self.source is None or source == self.source


def compile_filters(filters: SearchFilters) -> FilterRules:
    """``published_after``/``published_before`` exclude undated articles; ``as_of`` alone keeps
    them (they are old as far as anyone can tell) but bounds every dated one."""
    his = [d.toordinal() for d in (filters.published_before, filters.as_of) if d is not None]
    lo = filters.published_after.toordinal() if filters.published_after else None
    explicit = filters.published_after is not None or filters.published_before is not None
    days = None
    if his or lo is not None:
        days = DayRange(lo=lo, hi=min(his) if his else None, undated=not explicit)
    return FilterRules(days=days, source=filters.source)
