"""Article records in Chroma: metadata (de)serialisation, and the pages of ``GET /v1/documents``
(stable order: document id; filters by source and date; the cursor: the last id of a page)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from qa_service.core.dates import UNDATED, day_ordinal
from qa_service.core.filter_rules import compile_filters
from qa_service.core.models import Article, DocumentSummary, SearchFilters


def matches(meta: dict[str, Any], filters: SearchFilters) -> bool:
    """The search filter rules (``compile_filters``) applied to an article record: source is
    exact, dates inclusive; an article without a (readable) date never matches a date filter."""
    published = meta.get("published_at")
    try:
        day = day_ordinal(published) if isinstance(published, str) else UNDATED
    except ValueError:
        day = UNDATED
    source = meta.get("source")
    return compile_filters(filters).admits(day, source if isinstance(source, str) else None)


def select_page(
    ids: Sequence[str],
    metadatas: Sequence[dict[str, Any]],
    limit: int | None,
    after: str | None,
    filters: SearchFilters,
) -> list[tuple[str, dict[str, Any]]]:
    """The (id, metadata) rows after ``after`` in id order that pass ``filters``, at most
    ``limit`` of them (None: all)."""
    rows = sorted(
        (doc_id, dict(meta))
        for doc_id, meta in zip(ids, metadatas, strict=True)
        if (after is None or doc_id > after) and matches(dict(meta), filters)
    )
    return rows if limit is None else rows[:limit]


def article_metadata(article: Article, content_hash: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"content_hash": content_hash, "origins": json.dumps(article.origins)}
    for key in ("title", "source", "url", "author", "published_at"):
        value = getattr(article, key)
        if value:
            meta[key] = value
    return meta


def article_from(doc_id: str, text: str, meta: dict[str, Any]) -> Article:
    return Article(
        doc_id=doc_id,
        text=text,
        title=meta.get("title"),
        source=meta.get("source"),
        url=meta.get("url"),
        author=meta.get("author"),
        published_at=meta.get("published_at"),
        origins=tuple(json.loads(str(meta.get("origins", "[]")))),
    )


def summary(doc_id: str, meta: dict[str, Any], n_chunks: int) -> DocumentSummary:
    article = article_from(doc_id, "", meta)
    return DocumentSummary(
        doc_id=doc_id,
        title=article.title,
        source=article.source,
        url=article.url,
        author=article.author,
        published_at=article.published_at,
        n_chunks=n_chunks,
        origins=article.origins,
    )
