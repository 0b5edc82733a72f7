"""Strict JSON bodies: what the OpenAPI document says, no type coercion.

Litestar converts request data with msgspec's lax mode, which turns ``"stream": 0`` into ``false``
and ``"top_k": "5"`` into ``5``. The document (and every client generated from it) says JSON
booleans and integers, and schemathesis' negative fuzzing flagged each accepted coercion, so the
body is first decoded strictly in a ``before_request`` hook; the handler's lax decode then only
ever sees bodies that are valid as written. One relaxation matches JSON Schema itself: ``36.0`` is
an integer there (and in JavaScript), so integral floats count as integers.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException

_AT = re.compile(r" - at `\$\.?([^`]*)`$")


def strict_body(
    struct: type[msgspec.Struct],
) -> Callable[[Request[Any, Any, Any]], Awaitable[None]]:
    """A ``before_request`` hook rejecting (400) a body that decodes into ``struct`` only laxly."""

    async def check(request: Request[Any, Any, Any]) -> None:
        try:
            raw = msgspec.json.decode(await request.body())
        except msgspec.DecodeError:
            return  # not JSON at all: Litestar's own decode reports it the usual way
        try:
            msgspec.convert(_integral_floats_as_ints(raw), type=struct, strict=True)
        except msgspec.ValidationError as exc:
            message = str(exc)
            at = _AT.search(message)
            error: dict[str, str] = {"message": message, "source": "body"}
            if at and at.group(1):
                error["key"] = at.group(1)
            raise ValidationException(
                detail=f"Validation failed for {request.method} {request.url.path}", extra=[error]
            ) from None

    return check


def _integral_floats_as_ints(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_integral_floats_as_ints(v) for v in value]
    if isinstance(value, dict):
        return {k: _integral_floats_as_ints(v) for k, v in value.items()}
    return value
