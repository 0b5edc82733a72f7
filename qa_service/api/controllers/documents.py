"""GET /v1/documents and /v1/documents/{id}: what the corpus holds."""

from __future__ import annotations

from litestar import Controller, get

from qa_service.api.convert import public_origins
from qa_service.api.openapi_docs import problems
from qa_service.api.schemas import DocumentList, DocumentOut, DocumentSummaryOut
from qa_service.container import Services
from qa_service.core.errors import DocumentNotFound


class DocumentsController(Controller):
    path = "/v1/documents"
    tags = ["documents"]

    @get(summary="List documents", sync_to_thread=True, responses=problems(401, 429))
    def list_documents(self, services: Services) -> DocumentList:
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
                for d in services.store.list_documents()
            ]
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
