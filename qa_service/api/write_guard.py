"""Who may write (``POST``/``DELETE /v1/documents``): a service key from ``QA_API_KEYS`` only.

Kept apart from ``security.py`` (keys and rate limits for every route): the router's key guard
still runs first; this one is added to the write handlers alone.
- no key, or a key that is not a service key: 401;
- the widget key (public: it sits in web pages): 403;
- no ``QA_API_KEYS`` configured at all: 403, unless ``QA_ALLOW_OPEN_WRITES=true``.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler

from qa_service.api.security import authenticate
from qa_service.settings import Settings


def make_write_guard(settings: Settings) -> Any:
    service_keys = settings.api_key_list
    open_writes = settings.allow_open_writes

    async def write_guard(
        connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
    ) -> None:
        if not service_keys:
            if open_writes:
                return
            raise PermissionDeniedException(
                "Writes are disabled: configure QA_API_KEYS (or QA_ALLOW_OPEN_WRITES=true)"
            )
        kind = authenticate(connection.scope, settings).kind
        if kind == "service":
            return
        if kind == "widget":
            raise PermissionDeniedException("This key may not write: use a service key")
        raise NotAuthorizedException(
            "A service API key is required to write: send 'Authorization: Bearer <key>'",
            headers={"WWW-Authenticate": "Bearer"},
        )

    return write_guard
