"""Strict JSON bodies: what the OpenAPI document says, no type coercion, no recursion bombs.

Litestar converts request data with msgspec's lax mode, which turns ``"stream": 0`` into ``false``
and ``"top_k": "5"`` into ``5``. The document (and every client generated from it) says JSON
booleans and integers, and schemathesis' negative fuzzing flagged each accepted coercion, so the
body is first decoded strictly in a ``before_request`` hook; the handler's lax decode then only
ever sees bodies that are valid as written. One relaxation matches JSON Schema itself: ``36.0`` is
an integer there (and in JavaScript), so integral floats count as integers.

Nesting is bounded before anything walks the body: a 1 KB body of 488 nested ``[`` made the
recursive walk below raise ``RecursionError`` (a 500), and msgspec's own untyped decode raises it
past ~1,000 levels. No valid body is deeper than ``MAX_DEPTH``.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn

import msgspec
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException, ValidationException
from litestar.handlers import BaseRouteHandler
from litestar.params import BodyKwarg
from litestar.status_codes import HTTP_415_UNSUPPORTED_MEDIA_TYPE

_AT = re.compile(r" - at `\$\.?([^`]*)`$")
MAX_DEPTH = 16  # the deepest valid body (ask: history -> turn -> content) has 3 levels


def strict_body(
    struct: type[msgspec.Struct],
) -> Callable[[Request[Any, Any, Any]], Awaitable[None]]:
    """A ``before_request`` hook rejecting (400) a body that decodes into ``struct`` only laxly."""

    async def check(request: Request[Any, Any, Any]) -> None:
        try:
            raw = msgspec.json.decode(await request.body())
        except msgspec.DecodeError:
            return  # not JSON at all: Litestar's own decode reports it the usual way
        except RecursionError:
            _reject(request, "JSON nested too deeply")
        if nesting_depth(raw) > MAX_DEPTH:
            _reject(request, f"JSON nested deeper than {MAX_DEPTH} levels")
        try:
            msgspec.convert(_integral_floats_as_ints(raw), type=struct, strict=True)
        except msgspec.ValidationError as exc:
            message = str(exc)
            at = _AT.search(message)
            _reject(request, message, at.group(1) if at and at.group(1) else None)

    return check


def takes_json_body(handler: BaseRouteHandler) -> bool:
    """Whether the handler reads a JSON ``data`` body (Litestar's default body encoding)."""
    field = handler.parsed_fn_signature.parameters.get("data")
    if field is None:
        return False
    kwarg = field.kwarg_definition
    return not isinstance(kwarg, BodyKwarg) or kwarg.media_type == RequestEncodingType.JSON


def is_json_media_type(content_type: str) -> bool:
    """``application/json`` or ``application/<anything>+json``, parameters ignored."""
    essence = content_type.split(";", 1)[0].strip().lower()
    return essence == "application/json" or (
        essence.startswith("application/") and essence.endswith("+json")
    )


async def json_content_type_guard(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """415 for a JSON route called with another content type (``text/plain``, a form...).

    Litestar parses any body as JSON whatever its declared type, so a cross-site "simple
    request" (a form post or ``text/plain``, sent without a CORS preflight) could make an
    open-mode server do work. A guard, so it covers every route of the router it is set on."""
    if takes_json_body(handler) and not is_json_media_type(
        connection.headers.get("content-type", "")
    ):
        raise HTTPException(
            status_code=HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            detail="Send the body as JSON with 'Content-Type: application/json'",
        )


def _reject(request: Request[Any, Any, Any], message: str, key: str | None = None) -> NoReturn:
    error: dict[str, str] = {"message": message, "source": "body"}
    if key:
        error["key"] = key
    raise ValidationException(
        detail=f"Validation failed for {request.method} {request.url.path}", extra=[error]
    ) from None


def nesting_depth(value: Any) -> int:
    """Depth of nested lists/dicts (a scalar is 0), walked with an explicit stack."""
    deepest = 0
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth + 1)
            stack.extend((child, depth + 1) for child in item)
    return deepest


def _integral_floats_as_ints(value: Any) -> Any:
    """Recursive, so only called on bodies no deeper than ``MAX_DEPTH``."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_integral_floats_as_ints(v) for v in value]
    if isinstance(value, dict):
        return {k: _integral_floats_as_ints(v) for k, v in value.items()}
    return value
