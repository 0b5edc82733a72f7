"""POST /v1/search: passages for a query."""

from __future__ import annotations

from litestar import Controller, post

from qa_service.api.convert import filters_from, search_result
from qa_service.api.schemas import SearchRequest, SearchResponse
from qa_service.container import Services


class SearchController(Controller):
    path = "/v1/search"
    tags = ["search"]

    @post(summary="Retrieve passages", status_code=200, sync_to_thread=True)
    def search(self, data: SearchRequest, services: Services) -> SearchResponse:
        passages = services.retriever.search(data.query, data.top_k, filters_from(data.filters))
        return SearchResponse(results=[search_result(p) for p in passages])
