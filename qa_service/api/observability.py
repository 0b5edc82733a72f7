"""Request ids, structured access logs and Prometheus metrics (one registry per app)."""

from __future__ import annotations

import os
import time
from typing import Any, cast

import structlog
from litestar import Response, get
from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from qa_service.core.models import Answer

log = structlog.get_logger("qa_service.access")
REQUEST_ID = "x-request-id"
_REQUEST_ID_RAW = REQUEST_ID.encode()
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.latency = Histogram(
            "qa_request_seconds",
            "HTTP request latency",
            ["method", "route", "status"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.tokens = Counter("qa_llm_tokens", "LLM tokens", ["kind"], registry=self.registry)
        self.answers = Counter(
            "qa_answers",
            "Answers given",
            ["model", "abstained", "degraded"],
            registry=self.registry,
        )
        self.dropped = Counter(
            "qa_dropped_citations",
            "Citation markers that named no retrieved passage",
            registry=self.registry,
        )
        self._latency_children: dict[tuple[str, str, str], Any] = {}

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        """``latency.labels(...).observe``, with the labelled child looked up once per label
        set instead of per request (labels() validates and locks each time)."""
        key = (method, route, str(status))
        child = self._latency_children.get(key)
        if child is None:
            child = self._latency_children[key] = self.latency.labels(*key)
        child.observe(seconds)

    def observe_answer(self, answer: Answer) -> None:
        self.tokens.labels("prompt").inc(answer.usage.prompt_tokens)
        self.tokens.labels("completion").inc(answer.usage.completion_tokens)
        self.answers.labels(answer.model, str(answer.abstained), str(answer.degraded)).inc()
        self.dropped.inc(answer.dropped_citations)


CLIENT_GONE = 499  # nginx's "client closed request": nothing was sent, the client left first
READ_TIMEOUT = "qa.read_timeout"  # scope key set by qa_service/api/server.py when it gave up


def _route(scope: Scope) -> str:
    """The route template (``/v1/documents/{doc_id:str}``), never the raw path: bounded labels.

    Unknown paths (404) have no template and share the one label ``unmatched``."""
    return str(scope.get("path_template") or "unmatched")


def observability_middleware(app: ASGIApp) -> ASGIApp:
    """Echo or mint X-Request-ID, time the request, log one JSON line (never bodies or keys).

    Wraps the whole application (create_app), so every response passes through it: 404/405
    from routing, 429 from the limiter, error pages. The status logged and counted is the one
    sent; a client that left before any response started is logged as 499 (the 500 that the
    framework then tries to send reaches no one), a body the read deadline cut off as 408."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        raw_id = next((v for k, v in scope["headers"] if k == _REQUEST_ID_RAW), b"")
        raw_id_text = raw_id.decode("latin-1")[:128]
        request_id = (
            raw_id_text if raw_id_text and raw_id_text.isprintable() else os.urandom(16).hex()
        )
        started = time.perf_counter()
        status = 500
        response_started = False
        client_gone = False

        async def receive_wrapper() -> ReceiveMessage:
            nonlocal client_gone
            message = await receive()
            if message["type"] == "http.disconnect" and not response_started:
                client_gone = True
            return message

        async def send_wrapper(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = not client_gone
                MutableScopeHeaders.from_message(message)[REQUEST_ID] = request_id
            await send(message)

        method = str(cast("dict[str, Any]", scope).get("method", ""))
        method = method if method in _METHODS else "other"  # h11 accepts any token
        try:
            await app(scope, receive_wrapper, send_wrapper)
        finally:
            if client_gone and not response_started:  # nothing reached the client
                status = 408 if scope.get(READ_TIMEOUT) else CLIENT_GONE
            elapsed = time.perf_counter() - started
            metrics: Metrics | None = getattr(scope["app"].state, "metrics", None)
            if metrics is not None:
                metrics.observe_request(method, _route(scope), status, elapsed)
            log.info(
                "request",
                request_id=request_id,
                method=method,
                path=scope["path"],
                status=status,
                ms=round(elapsed * 1000, 1),
            )

    return middleware


@get("/metrics", include_in_schema=False, sync_to_thread=False)
def metrics_endpoint(metrics: Metrics) -> Response[Any]:
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
