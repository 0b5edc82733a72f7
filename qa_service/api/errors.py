"""The single mapping from exceptions to RFC 9457 problem+json responses.

Domain exceptions are raised with client-safe messages only (never SDK or stack details), so their
text may be shown as ``detail``; anything else becomes a generic 500 problem.
"""

from __future__ import annotations

from typing import Any

import structlog
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ExceptionHandlersMap

from qa_service.core.errors import (
    DocumentNotFound,
    InvalidQuery,
    QAError,
    StoreUnavailable,
    UpstreamBadResponse,
    UpstreamUnavailable,
)

PROBLEM_JSON = "application/problem+json"
log = structlog.get_logger("qa_service.errors")

_DOMAIN: dict[type[QAError], tuple[int, str, str]] = {
    InvalidQuery: (422, "invalid-query", "The query cannot be processed"),
    DocumentNotFound: (404, "not-found", "Document not found"),
    StoreUnavailable: (503, "store-unavailable", "The article store is unavailable"),
    UpstreamUnavailable: (503, "llm-unavailable", "The language model is unavailable"),
    UpstreamBadResponse: (502, "llm-bad-response", "The language model returned no usable answer"),
}


def problem(
    status: int,
    slug: str,
    title: str,
    detail: str,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": f"https://news-qa.invalid/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if extra:
        body.update(extra)
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _validation(_: Request[Any, Any, Any], exc: ValidationException) -> Response[dict[str, Any]]:
    errors = exc.extra if isinstance(exc.extra, list) else []
    safe = [
        {k: e[k] for k in ("key", "message", "source") if isinstance(e, dict) and k in e}
        for e in errors
    ]
    return problem(400, "validation", "Invalid request", str(exc.detail), {"errors": safe})


def _http(_: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    status = exc.status_code
    slug = {
        401: "unauthorized",
        403: "forbidden",
        404: "not-found",
        405: "method-not-allowed",
        413: "body-too-large",
        415: "unsupported-media-type",
        429: "rate-limited",
    }.get(status, "http-error")
    headers = dict(exc.headers or {})
    if status == 429 and not any(k.lower() == "retry-after" for k in headers):
        reset = next((v for k, v in headers.items() if k.lower() == "ratelimit-reset"), "60")
        headers["Retry-After"] = str(max(1, int(float(reset))))
    detail = exc.detail if status < 500 else "Internal error"
    return problem(status, slug, detail or "Error", detail or "Error", headers=headers)


def problem_body(exc: QAError | None) -> dict[str, Any]:
    """The problem+json body for a domain error (``None``: an unexpected failure)."""
    if exc is None:
        status, slug, title, detail = (
            500,
            "internal",
            "Internal error",
            "An unexpected error occurred",
        )
    else:
        status, slug, title = _DOMAIN.get(type(exc), (400, "bad-request", "Bad request"))
        detail = str(exc) or title
    return {
        "type": f"https://news-qa.invalid/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail,
    }


def _domain(_: Request[Any, Any, Any], exc: QAError) -> Response[dict[str, Any]]:
    body = problem_body(exc)
    return Response(body, status_code=body["status"], media_type=PROBLEM_JSON)


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.error("unhandled_error", path=request.url.path, error_type=type(exc).__name__)
    return problem(500, "internal", "Internal error", "An unexpected error occurred")


def exception_handlers() -> ExceptionHandlersMap:
    return {
        ValidationException: _validation,
        HTTPException: _http,
        QAError: _domain,
        Exception: _unexpected,
    }


__all__ = ["PROBLEM_JSON", "MediaType", "exception_handlers", "problem", "problem_body"]
