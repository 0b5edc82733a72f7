"""POST /v1/search: passages for a query."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from litestar import Controller, post

from qa_service.api.convert import as_of_out, evidence_dates, filters_from, search_result
from qa_service.api.openapi_docs import problems
from qa_service.api.schemas import SearchRequest, SearchResponse
from qa_service.api.strict_body import strict_body
from qa_service.container import Services
from qa_service.core.query_text import plain_query

# Searches run one at a time per worker process, on their own thread, while the event loop
# keeps serving HTTP. A search holds the GIL most of the time (BM25 scoring, fusion), so
# concurrent search threads mostly fight over it: at 100k chunks, 16 clients, QA_WORKERS=2,
# Litestar's default pool (6 threads) served 244 req/s at 7.8 ms of CPU per request, 2 threads
# 261, 1 thread 373 at 5.1 ms (bench/scale.py store, same hour). Parallelism comes from worker
# processes. The price: a slow search (an uncached query embedding, a narrow filter that falls
# back to Chroma's `where`) delays the searches queued behind it in that worker.
SEARCH_THREADS = 1
_search_pool = ThreadPoolExecutor(SEARCH_THREADS, thread_name_prefix="search")


class SearchController(Controller):
    path = "/v1/search"
    tags = ["search"]

    @post(
        summary="Retrieve passages",
        status_code=200,
        responses=problems(400, 401, 413, 415, 422, 429),
        before_request=strict_body(SearchRequest),
    )
    async def search(self, data: SearchRequest, services: Services) -> SearchResponse:
        top_k = data.top_k or services.settings.top_k
        filters = filters_from(data.filters, data.as_of)
        passages = await asyncio.get_running_loop().run_in_executor(
            _search_pool, services.retriever.search, plain_query(data.query), top_k, filters
        )
        return SearchResponse(
            results=[search_result(p) for p in passages],
            as_of=as_of_out(filters),
            evidence_dates=evidence_dates(p.chunk.published_at for p in passages),
        )
