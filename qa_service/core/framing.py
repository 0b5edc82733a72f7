"""The words around verbatim quotes: who said it, in which outlet, on which day, in what order.

Quotes stay verbatim (citations are cut by offsets); only the frame is ours:
``Kremlin spokesman Dmitry Peskov (Realist, 13 Dec 2025): "…" [1]``. Without a speaker the frame
is the outlet and date; without those, the bare sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from qa_service.core.attribution import Speaker
from qa_service.core.dates import day_or_none
from qa_service.core.models import Chunk

_OPENING_QUOTES = "\"'\u201c\u2018\u00ab"


@dataclass(frozen=True, slots=True)
class FramedSentence:
    n: int  # passage number the marker names
    text: str  # the verbatim sentence
    chunk: Chunk
    speaker: Speaker | None


def format_day(value: str | None) -> str | None:
    day = day_or_none(value)
    return f"{day.day} {day.strftime('%b')} {day.year}" if day else None


def frame(sentence: FramedSentence) -> str:
    """One answer sentence: attribution, the verbatim quote, its marker."""
    where = ", ".join(
        part for part in (sentence.chunk.source, format_day(sentence.chunk.published_at)) if part
    )
    quote = sentence.text
    if not quote.startswith(tuple(_OPENING_QUOTES)):
        quote = f'"{quote}"'
    if sentence.speaker is not None:
        who = sentence.speaker.label
        head = f"{who} ({where})" if where else who
        return f"{head}: {quote} [{sentence.n}]"
    if where:
        return f"{where}: {quote} [{sentence.n}]"
    return f"{sentence.text} [{sentence.n}]"


def chronological(sentences: Sequence[FramedSentence]) -> bool:
    """Statements by speakers on different days read as a timeline, not as one merged view."""
    days = {day_or_none(s.chunk.published_at) for s in sentences} - {None}
    attributed = sum(s.speaker is not None for s in sentences)
    return len(days) >= 2 and attributed >= 2


def order(sentences: Sequence[FramedSentence]) -> list[FramedSentence]:
    """Best answer first; oldest first (undated last) when :func:`chronological` says so."""
    if not chronological(sentences):
        return list(sentences)
    return sorted(sentences, key=lambda s: day_or_none(s.chunk.published_at) or date.max)


def compose_answer(sentences: Sequence[FramedSentence]) -> str:
    return " ".join(frame(s) for s in order(sentences))
