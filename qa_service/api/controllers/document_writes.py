"""POST /v1/documents (push) and DELETE /v1/documents/{id} (retract), for internal tools.

Mounted by ``create_app`` on its own router, which adds the write guard (``api/write_guard.py``)
and the push body limit (``QA_PUSH_MAX_BODY_BYTES``) to these two routes only. Both go through
the same ingestion service as ``python -m ingest`` (``qa_service.ingestion``).
"""

from __future__ import annotations

from typing import Literal, cast

import msgspec
from litestar import Controller, delete, post

from qa_service.api.openapi_docs import problems
from qa_service.api.schemas import PushRequest, PushResponse, PushResult
from qa_service.api.strict_body import strict_body
from qa_service.container import Services
from qa_service.core.errors import DocumentNotFound
from qa_service.ingestion.push import PushedDocument, push

Status = Literal["created", "updated", "unchanged", "duplicate", "skipped"]


class DocumentWritesController(Controller):
    path = "/v1/documents"
    tags = ["documents"]

    @post(
        summary="Push articles: created / updated / unchanged / duplicate per article",
        description="Up to 100 articles per request, body up to `QA_PUSH_MAX_BODY_BYTES` (5 MiB). "
        "Needs a service key from `QA_API_KEYS`. Answers once the articles are searchable. "
        "Each push is one incremental commit to the lexical (BM25) index, so it costs about the "
        "same into a large store as into a small one (docs/architecture.md).",
        status_code=200,
        before_request=strict_body(PushRequest),
        sync_to_thread=True,
        responses=problems(400, 401, 403, 413, 422, 429),
    )
    def push_documents(self, data: PushRequest, services: Services) -> PushResponse:
        pushed = [PushedDocument(**msgspec.structs.asdict(d)) for d in data.documents]
        return PushResponse(
            documents=[
                PushResult(
                    id=o.doc_id,
                    status=cast(Status, o.status),
                    duplicate_of=o.duplicate_of,
                    reason=o.reason,
                )
                for o in push(services.ingestion(), pushed)
            ]
        )

    @delete(
        "/{doc_id:str}",
        summary="Retract a document: gone from search, answers and GET",
        sync_to_thread=True,
        responses=problems(401, 403, 404, 429),
    )
    def delete_document(self, doc_id: str, services: Services) -> None:
        if not services.ingestion().retract(doc_id):
            raise DocumentNotFound(f"no document with id {doc_id!r}")
