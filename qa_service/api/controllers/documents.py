"""GET /v1/documents (paged) and /v1/documents/{id}: what the corpus holds."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, get
from litestar.params import Parameter

from qa_service.api.convert import public_origins
from qa_service.api.openapi_docs import problems
from qa_service.api.schemas import DocumentList, DocumentOut, DocumentSummaryOut
from qa_service.container import Services
from qa_service.core.errors import DocumentNotFound
from qa_service.core.models import SearchFilters

DEFAULT_PAGE = 100
MAX_PAGE = 1000


class DocumentsController(Controller):
    path = "/v1/documents"
    tags = ["documents"]

    @get(
        summary="List documents, a page at a time",
        description="Stable order (document id). Pass `next_cursor` back as `cursor` for the next "
        "page (it is the page's last id: the next page starts after it, so documents added or "
        "removed meanwhile never shift the rest); it is null on the last page. Filters: `source` "
        "(exact), `published_after` / `published_before` (inclusive; undated articles never "
        "match a date filter).",
        sync_to_thread=True,
        responses=problems(400, 401, 429),
    )
    def list_documents(
        self,
        services: Services,
        limit: Annotated[int, Parameter(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
        cursor: Annotated[str | None, Parameter(max_length=400)] = None,
        source: Annotated[str | None, Parameter(min_length=1, max_length=200)] = None,
        published_after: date | None = None,
        published_before: date | None = None,
    ) -> DocumentList:
        filters = SearchFilters(
            published_after=published_after,
            published_before=published_before,
            source=source,
        )
        page = services.store.list_documents(limit + 1, cursor, filters)
        more = len(page) > limit
        page = page[:limit]
        return DocumentList(
            documents=[
                DocumentSummaryOut(
                    id=d.doc_id,
                    title=d.title,
                    source=d.source,
                    url=d.url,
                    author=d.author,
                    published_at=d.published_at,
                    n_chunks=d.n_chunks,
                    origins=public_origins(d.origins),
                )
                for d in page
            ],
            next_cursor=page[-1].doc_id if more else None,
        )

    @get(
        "/{doc_id:str}",
        summary="One document with its clean text",
        sync_to_thread=True,
        responses=problems(400, 401, 404, 429),
    )
    def get_document(self, doc_id: str, services: Services) -> DocumentOut:
        article = services.store.get_article(doc_id)
        if article is None:
            raise DocumentNotFound(f"no document with id {doc_id!r}")
        return DocumentOut(
            id=article.doc_id,
            title=article.title,
            source=article.source,
            url=article.url,
            author=article.author,
            published_at=article.published_at,
            origins=public_origins(article.origins),
            text=article.text,
        )
