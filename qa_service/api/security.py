"""API keys (constant-time comparison, never logged) and who a request comes from.

``authenticate`` runs once per ``/v1`` request, in the rate limiter (qa_service/api/rate_limit.py),
which needs to know the caller before the route runs; the guard then only reads its verdict.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from typing import Any, Literal

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers import BaseRouteHandler
from litestar.types import Scope

from qa_service.settings import Settings

CALLER = "qa_caller"  # key of the authentication verdict in scope["state"]
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Caller:
    """``kind`` is the key that matched (None: no valid key); ``key_id`` names its budget."""

    kind: Literal["service", "widget"] | None
    key_id: str = ""


def _bearer(scope: Scope) -> str:
    header = next((v for k, v in scope["headers"] if k == b"authorization"), b"")
    scheme, _, token = header.decode("latin-1").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def key_matches(candidate: str, keys: list[str]) -> bool:
    """Compare against every key with ``hmac.compare_digest`` so timing reveals nothing."""
    found = False
    for key in keys:
        found |= hmac.compare_digest(candidate.encode(), key.encode())
    return found


def widget_keys(settings: Settings) -> list[str]:
    key = settings.widget_api_key.get_secret_value() if settings.widget_api_key else ""
    return [key] if key else []


def authenticate(scope: Scope, settings: Settings) -> Caller:
    """The caller's key, compared with every service key and then the widget key."""
    token = _bearer(scope)
    service = key_matches(token, settings.api_key_list)
    widget = key_matches(token, widget_keys(settings))
    if not (service or widget):
        return Caller(None)
    key_id = "key:" + hashlib.sha256(token.encode()).hexdigest()[:16]
    return Caller("service" if service else "widget", key_id)


def make_api_key_guard(settings: Settings) -> Any:
    required = bool(settings.api_key_list or widget_keys(settings))

    # async: Litestar runs a sync guard in a worker thread (a thread hop per request).
    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if not required:
            return
        caller = connection.scope.get("state", {}).get(CALLER)
        if caller is None:  # the limiter did not see this request: decide here
            caller = authenticate(connection.scope, settings)
        if caller.kind is None:
            raise NotAuthorizedException(
                "A valid API key is required: send 'Authorization: Bearer <key>'",
                headers={"WWW-Authenticate": "Bearer"},
            )

    return guard


def parse_networks(text: str) -> list[IPNetwork]:
    """``QA_TRUSTED_PROXIES``: comma-separated addresses or CIDR blocks."""
    parts = [part.strip() for part in text.split(",")]
    return [ipaddress.ip_network(part, strict=False) for part in parts if part]


def _trusted(address: str, proxies: list[IPNetwork]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


def client_address(scope: Scope, proxies: list[IPNetwork]) -> str:
    """The peer address; behind a trusted proxy, the nearest untrusted ``X-Forwarded-For`` hop.

    ``X-Forwarded-For`` is read only when the peer itself is a configured proxy, and from the
    right: each proxy appends the address it saw, so hops left of the first untrusted one are
    whatever the client chose to send."""
    client = scope.get("client")
    peer = str(client[0]) if client else "unknown"
    if not proxies or not _trusted(peer, proxies):
        return peer
    forwarded = b",".join(v for k, v in scope["headers"] if k == b"x-forwarded-for")
    hops = [hop.strip() for hop in forwarded.decode("latin-1").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop[:64]
    return hops[0][:64] if hops else peer
