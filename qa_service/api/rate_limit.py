"""The one rate-limit model: a budget per caller, shared by every ``/v1`` route.

* A valid key has one budget per minute for all ``/v1`` routes together
  (``QA_RATE_LIMIT_PER_MINUTE``; the widget key ``QA_WIDGET_RATE_LIMIT_PER_MINUTE``). A route may
  cost more than one unit: an answer costs ``QA_ANSWER_RATE_COST`` (it runs retrieval and a
  model), everything else 1.
* Anonymous callers (no keys configured) are not limited unless ``QA_ANON_RATE_LIMIT_PER_MINUTE`` is
  set; then per client address, whatever bearer token they made up.
* With keys configured, a request without a valid key is a failed authentication, counted per client
  address; past ``QA_AUTH_FAILURES_PER_MINUTE`` the address gets 429 (valid keys included, so the
  status never tells a guesser that a key was right) until its window ends.
* Client addresses come from ``X-Forwarded-For`` only behind ``QA_TRUSTED_PROXIES``.

Scope is "every path under ``/v1/``", matched as a prefix, so routes added later are covered
without being listed. The counters are created once per app and shared by every route (Litestar
builds a middleware instance per route, which is how per-route counters happened before); with
``QA_WORKERS`` > 1 the workers count in one shared-memory table (qa_service/api/rate_windows.py).
Replicas (several hosts or containers) still count each on their own.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.exceptions import TooManyRequestsException
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from qa_service.api.rate_windows import Decision, FixedWindows, SharedWindows, installed
from qa_service.api.security import (
    CALLER,
    authenticate,
    client_address,
    parse_networks,
    widget_keys,
)
from qa_service.settings import Settings

API_PREFIX = "/v1/"


def request_cost(path: str, settings: Settings) -> int:
    """Budget units of one request: answers cost more than searches and document reads."""
    if path == "/v1/ask" or path.startswith("/v1/ask/"):
        return settings.answer_rate_cost
    return 1


def too_many(decision: Decision) -> TooManyRequestsException:
    headers = {**decision.headers(), "Retry-After": str(max(1, decision.reset_s))}
    return TooManyRequestsException(
        "Rate limit exceeded; retry after Retry-After seconds", headers=headers
    )


class RateLimiter:
    """The budgets of one app; ``middleware`` is what each route's stack wraps."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.keyed = bool(settings.api_key_list or widget_keys(settings))
        self.proxies = parse_networks(settings.trusted_proxies)
        # Keys ("key:…"), anonymous addresses ("ip:…") and failed authentications ("auth:…"),
        # in one table per server: shared by its QA_WORKERS processes when serve_workers made one.
        self.windows: FixedWindows | SharedWindows = installed() or FixedWindows()

    def check(self, scope: Scope) -> Decision | None:
        """Raise 429 or return the spent budget (None: not limited); records the caller."""
        settings = self.settings
        if not self.keyed:
            if settings.anon_rate_limit_per_minute is None:
                return None
            address = client_address(scope, self.proxies)
            key, limit = "ip:" + address, settings.anon_rate_limit_per_minute
        else:
            address = client_address(scope, self.proxies)
            if refused := self.windows.exhausted(
                "auth:" + address, settings.auth_failures_per_minute
            ):
                raise too_many(refused)
            caller = authenticate(scope, settings)
            scope.setdefault("state", {})[CALLER] = caller  # the guard answers 401 from this
            if caller.kind is None:
                self.windows.take("auth:" + address, settings.auth_failures_per_minute)
                return None
            limit = (
                settings.widget_rate_limit_per_minute
                if caller.kind == "widget"
                else settings.rate_limit_per_minute
            )
            key = caller.key_id
        decision = self.windows.take(key, limit, request_cost(scope["path"], settings))
        if not decision.allowed:
            raise too_many(decision)
        return decision

    def middleware(self, app: ASGIApp) -> ASGIApp:
        async def limited(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
                await app(scope, receive, send)
                return
            decision = self.check(scope)
            if decision is None:
                await app(scope, receive, send)
                return

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    headers = MutableScopeHeaders.from_message(message)
                    for name, value in decision.headers().items():
                        headers[name] = value
                await send(message)

            await app(scope, receive, send_with_headers)

        return limited
