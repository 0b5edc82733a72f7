"""The one place ISO 8601 dates are parsed: filters, chunk metadata, ``as_of`` and the lexical
columns agree on what "the day of" a timestamp is (its own calendar date, offset ignored)."""

from __future__ import annotations

from datetime import UTC, date, datetime

UNDATED = 0  # the day ordinal stored for an article without a date


def parse_day(value: str) -> date:
    """The calendar date of ``"YYYY-MM-DD"`` or an ISO datetime; ``ValueError`` when malformed."""
    text = value.strip()
    if len(text) == 10:
        return date.fromisoformat(text)
    return datetime.fromisoformat(text).date()


def day_or_none(value: str | None) -> date | None:
    """:func:`parse_day` of a stored ``published_at``; ``None`` when absent or malformed."""
    if not value:
        return None
    try:
        return parse_day(value)
    except ValueError:
        return None


def day_ordinal(value: str | None) -> int:
    """Day number of a stored ``published_at`` (Chroma range filters need numbers); 0 if none."""
    return parse_day(value).toordinal() if value else UNDATED


def utc_today() -> date:
    return datetime.now(UTC).date()
