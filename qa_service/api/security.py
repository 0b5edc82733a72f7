"""API keys (constant-time comparison, never logged) and per-key rate limits."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers import BaseRouteHandler
from litestar.middleware.rate_limit import RateLimitConfig, get_remote_address

from qa_service.settings import Settings

# Regexes matched at the start of the path; "/$" is the widget's page (exactly "/", nothing more).
OPEN_PATHS = ["/healthz", "/readyz", "/metrics", "/schema", "/static", "/widget", "/$"]


def _bearer(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def key_matches(candidate: str, keys: list[str]) -> bool:
    """Compare against every key with ``hmac.compare_digest`` so timing reveals nothing."""
    found = False
    for key in keys:
        found |= hmac.compare_digest(candidate.encode(), key.encode())
    return found


def make_api_key_guard(settings: Settings) -> Any:
    keys = settings.api_key_list + _widget_keys(settings)

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if not keys:
            return
        if not key_matches(_bearer(connection), keys):
            raise NotAuthorizedException(
                "A valid API key is required: send 'Authorization: Bearer <key>'",
                headers={"WWW-Authenticate": "Bearer"},
            )

    return guard


def _widget_keys(settings: Settings) -> list[str]:
    key = settings.widget_api_key.get_secret_value() if settings.widget_api_key else ""
    return [key] if key else []


def client_identity(request: Any) -> str:
    """Rate-limit bucket: a hash of the API key when one is sent, else the client address."""
    token = _bearer(request)
    if token:
        return "key:" + hashlib.sha256(token.encode()).hexdigest()[:16]
    return "ip:" + get_remote_address(request)


def rate_limit_configs(settings: Settings) -> list[RateLimitConfig]:
    """One limit for service keys (and anonymous use), a tighter one for the widget key."""
    widget = _widget_keys(settings)

    def is_widget(request: Any) -> bool:
        return bool(widget) and key_matches(_bearer(request), widget)

    def is_not_widget(request: Any) -> bool:
        return not is_widget(request)

    configs = [
        RateLimitConfig(
            rate_limit=("minute", settings.rate_limit_per_minute),
            exclude=OPEN_PATHS,
            identifier_for_request=client_identity,
            check_throttle_handler=is_not_widget,
            store="rate_limit",
        )
    ]
    if widget:
        configs.append(
            RateLimitConfig(
                rate_limit=("minute", settings.widget_rate_limit_per_minute),
                exclude=OPEN_PATHS,
                identifier_for_request=client_identity,
                check_throttle_handler=is_widget,
                store="rate_limit_widget",
            )
        )
    return configs
