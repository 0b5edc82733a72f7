"""Days an article's text refers to ("on Tuesday", "last week", "30 November"), resolved at
ingest against the article's own ``published_at``, so "what happened on 30 November?" can find
a piece published on 13 December that says "on 30 November".

The expressions are the explicit ones ``time_intent`` recognises in questions, resolved the same
way (``dateparser`` with the publication day as ``RELATIVE_BASE``, past preferred). Only day-
precise references are kept (a weekday, yesterday/today, a day and month): a month or a year
named in passing says too little about which day a chunk is about.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from qa_service.core.dates import parse_day
from qa_service.core.models import Chunk
from qa_service.core.time_intent import MONTH, WEEKDAY, resolve_expression

_DAY_EXPRESSIONS = re.compile(
    rf"\b(?:(?:on|last|this|past) (?P<weekday>{WEEKDAY})|(?P<rel>yesterday|today)"
    rf"|(?P<dm>\d{{1,2}}(?:st|nd|rd|th)? (?:of )?{MONTH}(?:,? \d{{4}})?)"
    rf"|(?P<md>{MONTH} \d{{1,2}}(?:st|nd|rd|th)?(?:,? \d{{4}})?))\b",
    re.IGNORECASE,
)
MAX_DATES = 16  # per chunk: stored as one metadata string


def mentioned_dates(text: str, published_at: str | None) -> tuple[str, ...]:
    """ISO days the text names, resolved against ``published_at`` (none without a date)."""
    if not published_at:
        return ()
    try:
        base = parse_day(published_at)
    except ValueError:
        return ()
    found: set[str] = set()
    for match in _DAY_EXPRESSIONS.finditer(text):
        expr = next(g for g in match.groups() if g)
        resolved = resolve_expression(expr, base)
        if resolved is not None and resolved[1] == "day" and resolved[0] <= base:
            found.add(resolved[0].isoformat())
        if len(found) >= MAX_DATES:
            break
    return tuple(sorted(found))


def with_mentioned_dates(chunks: Iterable[Chunk]) -> list[Chunk]:
    """The chunks with ``mentioned_dates`` filled in (ingest calls this after chunking)."""
    return [
        replace(chunk, mentioned_dates=mentioned_dates(chunk.text, chunk.published_at))
        for chunk in chunks
    ]
