"""Translations between the HTTP schemas and core models."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import PurePath

from qa_service.api.schemas import (
    AskResponse,
    CitationOut,
    EvidenceDates,
    Filters,
    SearchResult,
    UsageOut,
)
from qa_service.core.dates import parse_day, utc_today
from qa_service.core.errors import InvalidQuery
from qa_service.core.models import Answer, Citation, Passage, SearchFilters


def as_of_from(value: str | None) -> date | None:
    """The request's ``as_of`` day. The schema's pattern already made other formats a 400; what
    is left to fail is a day the calendar lacks (``2025-02-30``): well-formed, unanswerable."""
    if value is None:
        return None
    try:
        return parse_day(value)
    except ValueError:
        raise InvalidQuery("as_of is not a calendar day") from None


def filters_from(filters: Filters | None, as_of: str | None = None) -> SearchFilters:
    """Request filters + ``as_of`` as typed ``SearchFilters`` (the only place they are parsed)."""
    day = as_of_from(as_of)
    if filters is None:
        return SearchFilters(as_of=day)
    after, before = filters.published_after, filters.published_before
    if after and before and after > before:
        raise InvalidQuery("filters.published_after is later than filters.published_before")
    if after and day and after > day:
        raise InvalidQuery("filters.published_after is later than as_of")
    return SearchFilters(
        published_after=after, published_before=before, source=filters.source, as_of=day
    )


def public_origins(origins: tuple[str, ...] | list[str]) -> list[str]:
    """Origins as clients may see them: ingest stores them relative to its root; an absolute
    path (written by an older ingest) is cut to its file name, never shown whole."""
    return [PurePath(o).name if PurePath(o).is_absolute() else o for o in origins]


def as_of_out(filters: SearchFilters) -> str:
    return (filters.as_of or utc_today()).isoformat()


def evidence_dates(published: Iterable[str | None]) -> EvidenceDates:
    """Oldest and newest of the given ``published_at`` values (ISO strings sort by time when
    they share a format; the day decides first, so mixed formats order correctly by day)."""
    dated = sorted((day, p) for p in published if p and (day := _day_or_none(p)) is not None)
    if not dated:
        return EvidenceDates(oldest=None, newest=None)
    return EvidenceDates(oldest=dated[0][1], newest=dated[-1][1])


def _day_or_none(published_at: str) -> date | None:
    """A stored date that does not parse is left out, never a 500."""
    try:
        return parse_day(published_at)
    except ValueError:
        return None


def search_result(passage: Passage) -> SearchResult:
    c = passage.chunk
    return SearchResult(
        chunk_id=c.chunk_id,
        document_id=c.doc_id,
        title=c.title,
        source=c.source,
        url=c.url,
        published_at=c.published_at,
        text=c.text,
        start=c.start,
        end=c.end,
        score=round(passage.score, 6),
    )


def citation_out(c: Citation) -> CitationOut:
    return CitationOut(
        id=c.id,
        chunk_id=c.chunk_id,
        document_id=c.document_id,
        title=c.title,
        source=c.source,
        url=c.url,
        published_at=c.published_at,
        quote=c.quote,
        start=c.start,
        end=c.end,
        speaker=c.speaker,
    )


def ask_response(answer: Answer, filters: SearchFilters) -> AskResponse:
    return AskResponse(
        answer=answer.answer,
        abstained=answer.abstained,
        degraded=answer.degraded,
        citations=[citation_out(c) for c in answer.citations],
        model=answer.model,
        usage=UsageOut(answer.usage.prompt_tokens, answer.usage.completion_tokens),
        retrieved=answer.retrieved,
        dropped_citations=answer.dropped_citations,
        latency_ms=answer.latency_ms,
        as_of=as_of_out(filters),
        evidence_dates=evidence_dates(c.published_at for c in answer.citations),
    )
