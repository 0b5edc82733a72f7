"""Domain types shared by ingest, retrieval and answering (no vendor imports)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class Article:
    """A cleaned article: the text citations are checked against."""

    doc_id: str
    text: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    author: str | None = None
    published_at: str | None = None  # ISO 8601, or None when the article does not say
    origins: tuple[str, ...] = ()  # files / records this article came from (duplicates included)


@dataclass(frozen=True, slots=True)
class Chunk:
    """A token-bounded slice of an article; ``text == article.text[start:end]``."""

    chunk_id: str
    doc_id: str
    index: int
    text: str
    start: int
    end: int
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published_at: str | None = None
    # days the text refers to ("on Tuesday", "30 November"), resolved against published_at at
    # ingest (ISO dates, sorted); derived from text and published_at, so not part of the id
    mentioned_dates: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Passage:
    """A retrieved chunk with its retrieval score (higher is better)."""

    chunk: Chunk
    score: float


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """What a search may use. Dates are parsed once, at the edge; every backend evaluates the
    rules ``filter_rules.compile_filters`` derives from these fields (one definition).

    ``published_after`` / ``published_before``: inclusive, never match an undated article.
    ``as_of``: nothing published after that day; undated articles stay eligible.
    """

    published_after: date | None = None
    published_before: date | None = None
    source: str | None = None
    as_of: date | None = None

    def is_empty(self) -> bool:
        return not (self.published_after or self.published_before or self.source or self.as_of)


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    doc_id: str
    title: str | None
    source: str | None
    url: str | None
    author: str | None
    published_at: str | None
    n_chunks: int
    origins: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Citation:
    """A verified citation: ``quote == article.text[start:end]``."""

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
    speaker: str | None = None  # who the quote is attributed to in the article, if it says


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass(slots=True)
class Answer:
    answer: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    model: str = ""
    usage: Usage = field(default_factory=Usage)
    retrieved: list[str] = field(default_factory=list)
    degraded: bool = False
    dropped_citations: int = 0
    latency_ms: float = 0.0


@dataclass(frozen=True, slots=True)
class LexicalRecord:
    """What the lexical index holds per chunk: its indexed text and its filter columns."""

    chunk_id: str
    text: str
    published_day: int  # date ordinal, 0 when unknown
    source: str
    doc_id: str  # the article's: a document's chunks are replaced or deleted together
