"""Translations between the HTTP schemas and core models."""

from __future__ import annotations

from qa_service.api.schemas import AskResponse, CitationOut, Filters, SearchResult, UsageOut
from qa_service.core.errors import InvalidQuery
from qa_service.core.models import Answer, Citation, Passage, SearchFilters


def filters_from(filters: Filters | None) -> SearchFilters:
    if filters is None:
        return SearchFilters()
    after, before = filters.published_after, filters.published_before
    if after and before and after > before:
        raise InvalidQuery("filters.published_after is later than filters.published_before")
    return SearchFilters(
        published_after=filters.published_after.isoformat() if filters.published_after else None,
        published_before=(
            filters.published_before.isoformat() if filters.published_before else None
        ),
        source=filters.source,
    )


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


def ask_response(answer: Answer) -> AskResponse:
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
    )
