"""uvicorn as this service runs it: read deadlines, a connection cap, no proxy headers.

uvicorn times out only idle keep-alive connections (``timeout_keep_alive``, armed after a
response). A connection that sends half its headers or half its body has no timer at all, and
``limit_concurrency`` answers 503 to every new request, ``/healthz`` included, once reached. The
issue measured 300 half-open sockets open past 32 s and ~20,000 of them exhausting the file
descriptors (``/healthz`` dead, nothing logged). So the HTTP protocol is extended here:

* each request must arrive whole (headers and body) within ``QA_REQUEST_READ_TIMEOUT_S`` of the
  connection opening or of the previous response ending; otherwise the connection is closed and
  logged (``read_timeout``; a half-read body also shows as status 408 in the request log);
* past ``QA_MAX_CONNECTIONS`` open connections, a new one closes the connection that has waited
  longest for its request to arrive (a slow or idle one), so real requests keep getting in; only
  when every connection is busy answering is the new one refused;
* the open-file limit is raised to what that cap needs, when the hard limit allows.

``proxy_headers=False``: uvicorn would otherwise take the client address from
``X-Forwarded-For`` for any peer on 127.0.0.1; which proxies to trust is ``QA_TRUSTED_PROXIES``
(qa_service/api/security.py), one setting in one place.
"""

from __future__ import annotations

import asyncio
import resource
import time
from collections import OrderedDict
from typing import Any, ClassVar

import structlog
import uvicorn
from uvicorn.protocols.http.auto import AutoHTTPProtocol

from qa_service.api.observability import READ_TIMEOUT
from qa_service.settings import Settings

log = structlog.get_logger("qa_service.server")
FD_RESERVE = 256  # descriptors kept for the store, model files, logs and the listening socket


def guarded_protocol(
    read_timeout_s: float, max_connections: int, base: Any = AutoHTTPProtocol
) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol (httptools, else h11) with a read deadline and a connection cap."""

    class GuardedHTTPProtocol(base):
        # connections whose deadline is armed, oldest first (shared by the server's connections)
        waiting: ClassVar[OrderedDict[GuardedHTTPProtocol, None]] = OrderedDict()
        refused_logged_at: ClassVar[float] = 0.0

        def connection_made(self, transport: asyncio.Transport) -> None:
            self._deadline: asyncio.TimerHandle | None = None
            super().connection_made(transport)
            if len(self.connections) > max_connections and not self._evict_oldest_waiting():
                self._refuse()
                return
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()  # the next request on this connection gets its own deadline

        def _awaiting_request(self) -> bool:
            """Headers or body of the current request still arriving (or none begun)."""
            cycle = self.cycle
            return cycle is None or cycle.response_complete or cycle.more_body

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(read_timeout_s, self._read_timed_out)
            self.waiting[self] = None

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None
            self.waiting.pop(self, None)

        def _read_timed_out(self) -> None:
            self._deadline = None
            self.waiting.pop(self, None)
            if self._awaiting_request():
                self._close_unread("read_timeout")

        def _close_unread(self, reason: str) -> None:
            cycle = self.cycle
            phase = "body" if cycle is not None and not cycle.response_complete else "headers"
            if phase == "body":
                self.scope[READ_TIMEOUT] = True  # the request log says 408, not 499
            client = self.client[0] if self.client else None
            log.warning(reason, phase=phase, client=client, status=408)
            self.transport.close()

        def _evict_oldest_waiting(self) -> bool:
            """Close the connection that has waited longest for a request; False if none."""
            while self.waiting:
                oldest, _ = self.waiting.popitem(last=False)
                if oldest is not self and oldest._awaiting_request():
                    oldest._disarm()
                    oldest._close_unread("evicted")
                    return True
            return False

        def _refuse(self) -> None:
            now = time.monotonic()
            if now - type(self).refused_logged_at > 10:
                type(self).refused_logged_at = now
                log.warning("connection_refused", open=len(self.connections), cap=max_connections)
            self.transport.abort()

    return GuardedHTTPProtocol


def raise_fd_limit(wanted: int) -> int:
    """Raise the soft open-file limit towards ``wanted`` (never above the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft


def connection_cap(settings: Settings) -> int:
    """``QA_MAX_CONNECTIONS``, lowered if the open-file limit cannot hold that many."""
    soft = raise_fd_limit(settings.max_connections + FD_RESERVE)
    return max(16, min(settings.max_connections, soft - FD_RESERVE))


def uvicorn_config(settings: Settings, app: Any, **overrides: Any) -> uvicorn.Config:
    """The one uvicorn configuration (``python -m qa_service``, each worker, the tests)."""
    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_level": "info",
        "access_log": False,  # our middleware logs each request as JSON
        "proxy_headers": False,
        "http": guarded_protocol(settings.request_read_timeout_s, connection_cap(settings)),
        **overrides,
    }
    return uvicorn.Config(app, **options)
