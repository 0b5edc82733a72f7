"""Time intent in a question: an explicit date range ("this week", "on Tuesday", "in December
2025", "since 3 December") or vague recency ("latest", "currently", "recently").

Expressions are found by pattern and resolved in code against the question's ``as_of`` day by
``dateparser`` (``RELATIVE_BASE``, past preferred, with its period: day, week, month or year),
never by a model doing date arithmetic. Week, month and year periods become the calendar week,
month or year containing the resolved day; every range ends at ``as_of`` at the latest.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Literal

WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?"
)
_NUMBER = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|a few|several)"
# explicit expressions, tried in order; group "expr" is what dateparser resolves
_EXPLICIT = [
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"\bsince (?P<expr>(?:\d{{1,2}}(?:st|nd|rd|th)? {MONTH}(?: \d{{4}})?)"
        rf"|(?:{MONTH} \d{{1,2}}(?:st|nd|rd|th)?(?:,? \d{{4}})?)|(?:{MONTH}(?: \d{{4}})?)"
        rf"|\d{{4}}|{WEEKDAY}|yesterday|last (?:week|month|year))\b",
        rf"\b(?P<expr>{_NUMBER} (?:days?|weeks?|months?|years?) ago)\b",
        r"\b(?P<expr>(?:this|last|past|previous) (?:week|month|year))\b",
        r"\b(?P<expr>yesterday|today|tonight)\b",
        rf"\b(?P<expr>\d{{1,2}}(?:st|nd|rd|th)? (?:of )?{MONTH}(?:,? \d{{4}})?)\b",
        rf"\b(?P<expr>{MONTH} \d{{1,2}}(?:st|nd|rd|th)?(?:,? \d{{4}})?)\b",
        rf"\b(?:in|during|throughout|by|of) (?P<expr>{MONTH}(?:,? \d{{4}})?|\d{{4}})\b",
        rf"\b(?:on|last|this|past) (?P<expr>{WEEKDAY})\b",
    )
]
_VAGUE = re.compile(
    r"\b(?:latest|newest|most recent|recent|recently|lately|currently|current|now|right now"
    r"|so far|these days|to date|as of|at the moment|nowadays|since|this weekend|last weekend"
    r"|newly|upcoming|this (?:summer|winter|spring|autumn|fall|season)"
    r"|(?:a|the) new (?:study|report|survey|poll|analysis|data|research|figures|ranking|index))\b",
    re.IGNORECASE,
)
_SINCE = re.compile(r"^since\b", re.IGNORECASE)
_AFTER = re.compile(r"\b(?:after|since)\s+(?:the\s+)?$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class TimeIntent:
    """``range``: the question is about ``start``..``end`` (inclusive). ``recent``: vague recency
    (newest evidence preferred, nothing excluded). ``anchored``: no time words, but the caller
    asked as of a stated day (a milder preference for what was news then). ``phrase`` is what
    was found."""

    kind: Literal["range", "recent", "anchored"]
    phrase: str
    start: date | None = None
    end: date | None = None
    absolute: bool = False  # names its year: does not depend on the day it is resolved against
    spans: tuple[tuple[date, date], ...] = ()  # each moment named; start/end is their hull


_lock = threading.Lock()


@lru_cache(maxsize=4096)
def resolve_expression(text: str, base: date) -> tuple[date, str] | None:
    """``text`` ("on Tuesday", "30 November") as a day and its period (day, week, month or
    year) relative to ``base``; None when dateparser cannot read it.

    dateparser is imported on first use (~1 s; only texts with a date-like expression get
    here); one parser per base day, since ``RELATIVE_BASE`` is a parser setting; calls are
    serialised (the parser is not documented as thread-safe)."""
    with _lock:
        data = _parser(base).get_date_data(text)
    if data.date_obj is None:
        return None
    return data.date_obj.date(), str(data.period or "day")


@lru_cache(maxsize=64)
def _parser(base: date) -> Any:
    from dateparser.date import DateDataParser  # type: ignore[import-untyped]

    settings = {
        "RELATIVE_BASE": datetime(base.year, base.month, base.day),
        "PREFER_DATES_FROM": "past",
        "PREFER_DAY_OF_MONTH": "first",
    }
    return DateDataParser(languages=["en"], settings=settings)


def period_range(day: date, period: str) -> tuple[date, date]:
    """The calendar day, week (Monday first), month or year that contains ``day``."""
    if period == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if period == "month":
        start = day.replace(day=1)
        return start, (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    if period == "year":
        return day.replace(month=1, day=1), day.replace(month=12, day=31)
    return day, day


def _explicit(question: str, as_of: date) -> TimeIntent | None:
    """Every explicit expression, in the order of the patterns; a question naming several
    moments ("between the 6 October and the 24 October reports") asks about each of them."""
    found: list[tuple[str, date, date, bool]] = []
    taken: list[tuple[int, int]] = []
    for pattern in _EXPLICIT:
        for match in pattern.finditer(question):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue  # "since 3 December" also matches "3 December": count it once
            expr = match.group("expr")
            phrase = match.group(0)
            words = expr.lower().split()
            resolved = resolve_expression(expr, as_of)
            if resolved is None:
                continue
            day, period = resolved
            if words[0] == "this" or words[-1] in ("today", "tonight"):
                day = as_of  # "this week" is the week of as_of, whatever dateparser picks
            start, end = period_range(day, period)
            if _SINCE.match(phrase) or _AFTER.search(question[: match.start()]):
                end = as_of
            if start > as_of:
                continue
            taken.append((match.start(), match.end()))
            absolute = re.search(r"\b\d{4}\b", expr) is not None
            found.append((phrase, start, min(end, as_of), absolute))
    if not found:
        return None
    spans = tuple(sorted({(start, end) for _, start, end, _ in found}))
    return TimeIntent(
        "range",
        " / ".join(phrase for phrase, *_ in found),
        min(start for start, _ in spans),
        max(end for _, end in spans),
        all(absolute for *_, absolute in found),
        spans,
    )


def detect_time_intent(question: str, as_of: date) -> TimeIntent | None:
    """The question's time intent resolved against ``as_of``; None when it has none."""
    found = _explicit(question, as_of)
    if found is not None:
        return found
    vague = _VAGUE.search(question)
    return TimeIntent("recent", vague.group(0)) if vague else None
