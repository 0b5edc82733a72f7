"""POST /v1/ask (JSON or SSE) and POST /v1/ask/stream (SSE)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import msgspec
import structlog
from litestar import Controller, Request, Response, post
from litestar.response import ServerSentEvent
from litestar.response.sse import ServerSentEventMessage

from qa_service.api.convert import ask_response, citation_out, filters_from, search_result
from qa_service.api.errors import problem_body
from qa_service.api.observability import Metrics
from qa_service.api.openapi_docs import EventStreamOperation, JsonOrEventStreamOperation, problems
from qa_service.api.schemas import AskRequest, AskResponse
from qa_service.api.strict_body import strict_body
from qa_service.container import Services
from qa_service.core.answering import CitationEvent, DeltaEvent, DoneEvent, RetrievalEvent
from qa_service.core.errors import QAError
from qa_service.core.models import SearchFilters
from qa_service.core.query_text import plain_query

log = structlog.get_logger("qa_service.ask")


def _history(data: AskRequest) -> list[tuple[str, str]]:
    return [(turn.role, turn.content) for turn in data.history]


def _message(event: str, payload: Any) -> ServerSentEventMessage:
    return ServerSentEventMessage(event=event, data=msgspec.json.encode(payload).decode())


def _event_stream(
    services: Services, metrics: Metrics, data: AskRequest, request: Request[Any, Any, Any]
) -> ServerSentEvent:
    """Checks the request before the 200 goes out: a bad filter is a 422, not a broken stream.

    (Found by schemathesis: the check used to run inside the generator, after the headers were
    sent, so the exception aborted the response with no ``error`` event.)
    """
    filters = filters_from(data.filters, data.as_of)
    plain_query(data.question)  # a question that is only markup fails here, not mid-stream
    return ServerSentEvent(_sse_events(services, metrics, data, filters, request))


async def _sse_events(
    services: Services,
    metrics: Metrics,
    data: AskRequest,
    filters: SearchFilters,
    request: Request[Any, Any, Any],
) -> AsyncIterator[ServerSentEventMessage]:
    events = services.answers.ask_events(
        data.question, data.top_k or services.settings.ask_top_k, filters, _history(data)
    )
    try:
        async for event in events:
            if isinstance(event, RetrievalEvent):
                yield _message(
                    "retrieval", {"passages": [search_result(p) for p in event.passages]}
                )
            elif isinstance(event, DeltaEvent):
                yield _message("delta", {"text": event.text})
            elif isinstance(event, CitationEvent):
                yield _message("citation", citation_out(event.citation))
            elif isinstance(event, DoneEvent):
                metrics.observe_answer(event.answer)
                yield _message("done", ask_response(event.answer, filters))
    except QAError as exc:
        yield _message("error", problem_body(exc))
    except Exception as exc:  # noqa: BLE001 - a stream must end with an error event, not a hang
        log.error("stream_failed", error_type=type(exc).__name__, path=request.url.path)
        yield _message("error", problem_body(None))
    finally:
        await events.aclose()


class AskController(Controller):
    path = "/v1/ask"
    tags = ["ask"]

    @post(
        summary="Answer a question with verified citations",
        status_code=200,
        responses=problems(400, 401, 413, 415, 422, 429, 502, 503),
        operation_class=JsonOrEventStreamOperation,
        before_request=strict_body(AskRequest),
    )
    async def ask(
        self,
        data: AskRequest,
        services: Services,
        metrics: Metrics,
        request: Request[Any, Any, Any],
    ) -> Response[AskResponse]:
        """JSON answer; with ``"stream": true`` the same as ``/v1/ask/stream`` (SSE).

        Returns ``Response`` objects rather than a bare struct: a bare return type would pin the
        handler's media type to JSON and the SSE branch would be sent as ``application/json``.
        """
        if data.stream:
            return _event_stream(services, metrics, data, request)  # type: ignore[return-value]
        filters = filters_from(data.filters, data.as_of)
        answer = await services.answers.ask(
            data.question, data.top_k or services.settings.ask_top_k, filters, _history(data)
        )
        metrics.observe_answer(answer)
        return Response(ask_response(answer, filters))

    @post(
        "/stream",
        summary="Answer as Server-Sent Events",
        status_code=200,
        responses=problems(400, 401, 413, 415, 422, 429),
        operation_class=EventStreamOperation,
        before_request=strict_body(AskRequest),
    )
    async def ask_stream(
        self,
        data: AskRequest,
        services: Services,
        metrics: Metrics,
        request: Request[Any, Any, Any],
    ) -> ServerSentEvent:
        """Events: retrieval, delta*, citation*, done (full AskResponse) or error (problem)."""
        return _event_stream(services, metrics, data, request)
