"""Request/response types: the public HTTP contract (also what /schema documents)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

# "Has a visible character": Python's \s also counts \x1c-\x1f and \x85 as space, the JSON
# Schema (ECMA-262) \s does not; naming them keeps the documented pattern and the check in step.
NonBlankText = Annotated[
    str, Meta(min_length=1, max_length=2000, pattern=r"[^\s\x1c-\x1f\x85]")
]
TopK = Annotated[int, Meta(ge=1, le=50)]
# "YYYY-MM-DD" or an ISO 8601 datetime (its own calendar day counts). The pattern makes anything
# else a 400 and tells clients the format; a day the calendar lacks (02-30) is a 422 (convert.py)
AS_OF_PATTERN = (
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"([T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
    r"(Z|[+-]([01][0-9]|2[0-3]):?[0-5][0-9])?)?$"
)
AsOf = Annotated[
    str,
    Meta(
        min_length=10,
        max_length=40,
        pattern=AS_OF_PATTERN,
        description=(
            "Answer as of this day: nothing published later is used, and a question without"
            " time words prefers that period's news (mildly). Default: today, with no such"
            " preference."
        ),
        examples=["2025-12-11", "2025-12-11T18:00:00+01:00"],
    ),
]


class Filters(msgspec.Struct, forbid_unknown_fields=True):
    """Dates are inclusive; articles without a date never match a date filter."""

    published_after: date | None = None
    published_before: date | None = None
    source: Annotated[str, Meta(min_length=1, max_length=200)] | None = None


class SearchRequest(msgspec.Struct, forbid_unknown_fields=True):
    query: NonBlankText
    top_k: TopK | None = None  # None: the service default, QA_TOP_K
    filters: Filters | None = None
    as_of: AsOf | None = None


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


class EvidenceDates(msgspec.Struct):
    """Oldest and newest ``published_at`` among the evidence (None: no dated evidence)."""

    oldest: str | None
    newest: str | None


class SearchResponse(msgspec.Struct):
    results: list[SearchResult]
    as_of: str  # the day the search was placed at (given, or today)
    evidence_dates: EvidenceDates  # over the results


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
    next_cursor: str | None = None  # pass back as ?cursor= for the next page; null: last page


class DocumentOut(msgspec.Struct):
    id: str
    title: str | None
    source: str | None
    url: str | None
    author: str | None
    published_at: str | None
    origins: list[str]
    text: str


DocId = Annotated[
    str, Meta(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:~-]*$")
]
ShortField = Annotated[str, Meta(max_length=2000)]
MAX_PUSH_DOCUMENTS = 100


class DocumentIn(msgspec.Struct, forbid_unknown_fields=True):
    """An article as a CMS has it: extracted text (lightly cleaned, never dropped) + metadata.
    Without ``doc_id`` its id is derived from its url, else source + title + date, else text."""

    text: Annotated[str, Meta(min_length=1)]  # blank after cleaning: "skipped", with the reason
    doc_id: DocId | None = None
    title: ShortField | None = None
    url: ShortField | None = None
    source: ShortField | None = None
    author: ShortField | None = None
    published_at: ShortField | None = None


class PushRequest(msgspec.Struct, forbid_unknown_fields=True):
    documents: Annotated[list[DocumentIn], Meta(min_length=1, max_length=MAX_PUSH_DOCUMENTS)]


class PushResult(msgspec.Struct):
    """``status``: created | updated | unchanged | duplicate (``duplicate_of`` names the document
    it joined) | skipped (``reason``)."""

    id: str
    status: Literal["created", "updated", "unchanged", "duplicate", "skipped"]
    duplicate_of: str | None = None
    reason: str | None = None


class PushResponse(msgspec.Struct):
    documents: list[PushResult]


class HistoryTurn(msgspec.Struct, forbid_unknown_fields=True):
    # An enum, not a regex: r"^(user|assistant)$" also matched "user\n" ($ before a final newline).
    role: Literal["user", "assistant"]
    content: Annotated[str, Meta(max_length=4000)]


class AskRequest(msgspec.Struct, forbid_unknown_fields=True):
    question: NonBlankText
    top_k: TopK | None = None  # None: the service default, QA_ASK_TOP_K
    filters: Filters | None = None
    as_of: AsOf | None = None
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
    as_of: str  # the day the answer was placed at (given, or today)
    evidence_dates: EvidenceDates  # over the citations


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
