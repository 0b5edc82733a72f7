"""API keys (constant-time comparison, never logged) and per-key rate limits."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.exceptions import NotAuthorizedException, TooManyRequestsException
from litestar.handlers import BaseRouteHandler
from litestar.middleware.rate_limit import (
    DURATION_VALUES,
    RateLimitConfig,
    RateLimitMiddleware,
    get_remote_address,
)
from litestar.types import ASGIApp, Message, Receive, Scope, Send

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

    # async: Litestar runs a sync guard in a worker thread (a thread hop per request).
    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
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


class CountingRateLimitMiddleware(RateLimitMiddleware):
    """Litestar's limiter with the same fixed window, counted instead of listed.

    Litestar keeps every request's timestamp of the current window as a JSON list in the store
    and decodes and re-encodes that list on each request: work that grows with the limit (at
    the benchmark's 10^8/minute, ~9,000 timestamps per request: ~10% of the server's Python
    time in a py-spy profile at 100k chunks). Only the list's length and the window's end were
    ever used, so a count and the end are kept here, in process memory (the store was a
    per-process ``MemoryStore`` anyway). Same checks, same 429, same ``RateLimit-*`` headers."""

    def __init__(self, app: ASGIApp, config: RateLimitConfig) -> None:
        super().__init__(app, config)
        self._duration = DURATION_VALUES[self.unit]
        self._windows: dict[str, list[int]] = {}  # key -> [requests counted, window end]
        self._prune_at = 1024

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = scope["litestar_app"].request_class(scope)
        if await self.should_check_request(request=request):
            key = self.cache_key_from_request(request)
            now = int(time.time())
            window = self._windows.get(key)
            if window is None or window[1] <= now:
                self._prune(now)
                window = self._windows[key] = [0, now + self._duration]
            # No await between reading and updating the window: atomic on the event loop.
            if window[0] >= self.max_requests:
                headers = self._headers(*window) if self.config.set_rate_limit_headers else None
                raise TooManyRequestsException(headers=headers)
            window[0] += 1
            if self.config.set_rate_limit_headers:
                send = self._send_with_headers(send, *window)
        await self.app(scope, receive, send)

    def _prune(self, now: int) -> None:
        """Forget ended windows once the table has doubled: amortised O(1) per request."""
        if len(self._windows) >= self._prune_at:
            self._windows = {k: w for k, w in self._windows.items() if w[1] > now}
            self._prune_at = max(1024, 2 * len(self._windows))

    def _headers(self, count: int, reset: int) -> dict[str, str]:
        config = self.config
        return {
            config.rate_limit_policy_header_key: f"{self.max_requests}; w={self._duration}",
            config.rate_limit_limit_header_key: str(self.max_requests),
            config.rate_limit_remaining_header_key: str(max(0, self.max_requests - count)),
            config.rate_limit_reset_header_key: str(reset - int(time.time())),
        }

    def _send_with_headers(self, send: Send, count: int, reset: int) -> Send:
        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                headers = MutableScopeHeaders(message)
                for name, value in self._headers(count, reset).items():
                    headers[name] = value
            await send(message)

        return send_wrapper


def rate_limit_configs(settings: Settings) -> list[RateLimitConfig]:
    """One limit for service keys (and anonymous use), a tighter one for the widget key."""
    widget = _widget_keys(settings)

    # async, like the guard: sync throttle checks would each run in a worker thread.
    def matches_widget(request: Any) -> bool:
        return bool(widget) and key_matches(_bearer(request), widget)

    async def is_widget(request: Any) -> bool:
        return matches_widget(request)

    async def is_not_widget(request: Any) -> bool:
        return not matches_widget(request)

    configs = [
        RateLimitConfig(
            rate_limit=("minute", settings.rate_limit_per_minute),
            exclude=OPEN_PATHS,
            identifier_for_request=client_identity,
            check_throttle_handler=is_not_widget,
            middleware_class=CountingRateLimitMiddleware,
        )
    ]
    if widget:
        configs.append(
            RateLimitConfig(
                rate_limit=("minute", settings.widget_rate_limit_per_minute),
                exclude=OPEN_PATHS,
                identifier_for_request=client_identity,
                check_throttle_handler=is_widget,
                middleware_class=CountingRateLimitMiddleware,
            )
        )
    return configs
