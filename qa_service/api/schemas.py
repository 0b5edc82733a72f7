"""Request/response types: the public HTTP contract (also what /schema documents)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec
from msgspec import Meta

NonBlankText = Annotated[str, Meta(min_length=1, max_length=2000, pattern=r"\S")]
TopK = Annotated[int, Meta(ge=1, le=50)]


class Filters(msgspec.Struct, forbid_unknown_fields=True):
    """Dates are inclusive; articles without a date never match a date filter."""

    published_after: date | None = None
    published_before: date | None = None
    source: Annotated[str, Meta(min_length=1, max_length=200)] | None = None


class SearchRequest(msgspec.Struct, forbid_unknown_fields=True):
    query: NonBlankText
    top_k: TopK | None = None  # None: the service default, QA_TOP_K
    filters: Filters | None = None


class SearchResult(msgspec.Struct):
    chunk_id: str
    document_id: str
    title: str | None
    source: str | None
    url: str | None
    published_at: str | None
    text: str
    start: int
    end: int
    score: float


class SearchResponse(msgspec.Struct):
    results: list[SearchResult]


class DocumentSummaryOut(msgspec.Struct):
    id: str
    title: str | None
    source: str | None
    url: str | None
    author: str | None
    published_at: str | None
    n_chunks: int
    origins: list[str]


class DocumentList(msgspec.Struct):
    documents: list[DocumentSummaryOut]


class DocumentOut(msgspec.Struct):
    id: str
    title: str | None
    source: str | None
    url: str | None
    author: str | None
    published_at: str | None
    origins: list[str]
    text: str


class HistoryTurn(msgspec.Struct, forbid_unknown_fields=True):
    role: Annotated[str, Meta(pattern=r"^(user|assistant)$")]
    content: Annotated[str, Meta(max_length=4000)]


class AskRequest(msgspec.Struct, forbid_unknown_fields=True):
    question: NonBlankText
    top_k: TopK | None = None  # None: the service default, QA_TOP_K
    filters: Filters | None = None
    stream: bool = False
    history: Annotated[list[HistoryTurn], Meta(max_length=20)] = msgspec.field(default_factory=list)


class CitationOut(msgspec.Struct):
    id: int
    chunk_id: str
    document_id: str
    title: str | None
    source: str | None
    url: str | None
    published_at: str | None
    quote: str
    start: int
    end: int
    speaker: str | None = None  # who the quote is attributed to in the article, when it says


class UsageOut(msgspec.Struct):
    prompt_tokens: int
    completion_tokens: int


class AskResponse(msgspec.Struct):
    answer: str
    abstained: bool
    degraded: bool
    citations: list[CitationOut]
    model: str
    usage: UsageOut
    retrieved: list[str]
    dropped_citations: int
    latency_ms: float


class Health(msgspec.Struct, omit_defaults=True):
    status: str
    chunks: int | None = None


class FieldError(msgspec.Struct, omit_defaults=True):
    """One invalid field of a 400 response: ``key`` is the field, ``source`` where it came from."""

    message: str
    key: str | None = None
    source: str | None = None


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details: the body of every error response (``application/problem+json``)."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None
