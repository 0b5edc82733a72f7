"""POST /v1/search: passages for a query."""

from __future__ import annotations

from litestar import Controller, post

from qa_service.api.convert import filters_from, search_result
from qa_service.api.openapi_docs import problems
from qa_service.api.schemas import SearchRequest, SearchResponse
from qa_service.api.strict_body import strict_body
from qa_service.container import Services


class SearchController(Controller):
    path = "/v1/search"
    tags = ["search"]

    @post(
        summary="Retrieve passages",
        status_code=200,
        sync_to_thread=True,
        responses=problems(400, 401, 413, 422, 429),
        before_request=strict_body(SearchRequest),
    )
    def search(self, data: SearchRequest, services: Services) -> SearchResponse:
        top_k = data.top_k or services.settings.top_k
        passages = services.retriever.search(data.query, top_k, filters_from(data.filters))
        return SearchResponse(results=[search_result(p) for p in passages])
