"""Issue 17: slow and idle clients over raw sockets against ``python -m qa_service``.

The issue's case is 1,000 half-open sockets; here the read deadline is 3 s instead of the default
20 s so the test takes seconds, with the same 1,000 sockets. The default deadline was measured by
hand (docs/reliability.md, "Slow clients").
"""

from __future__ import annotations

import json
import os
import resource
import selectors
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from tests.conftest import REPO
from tests.integration.live_server import free_port

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="raw sockets, rlimits")

SOCKETS = 1000
# QA_TEST_READ_TIMEOUT_S=20 runs the case with the default deadline (what docs/reliability.md cites)
READ_TIMEOUT_S = float(os.environ.get("QA_TEST_READ_TIMEOUT_S", "3"))
HALF_HEADERS = b"POST /v1/search HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty"
HALF_BODY = (
    b"POST /v1/search HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b'Content-Length: 1000\r\n\r\n{"query": "cease'
)


@dataclass
class Server:
    port: int
    log: Path

    def log_lines(self) -> list[dict[str, object]]:
        lines = self.log.read_text().splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]


@contextmanager
def run_server(tmp: Path, **env: str) -> Iterator[Server]:
    port = free_port()
    log = tmp / "server.log"
    environment = {
        **os.environ,
        "QA_HOST": "127.0.0.1",
        "QA_PORT": str(port),
        "QA_EMBEDDER": "hashing",
        "QA_CHROMA_PATH": str(tmp / "chroma"),
        "PYTHONPATH": str(REPO),
        **env,
    }
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "qa_service"], env=environment, cwd=tmp, stdout=out, stderr=out
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "server did not start"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        yield Server(port, log)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="module", autouse=True)
def enough_file_descriptors() -> Iterator[None]:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4 * SOCKETS
    if soft < wanted:
        if hard != resource.RLIM_INFINITY and hard < wanted:
            pytest.skip(f"open-file hard limit {hard} < {wanted}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("slow-clients")
    with run_server(tmp, QA_REQUEST_READ_TIMEOUT_S=str(READ_TIMEOUT_S)) as running:
        yield running


def open_half_sent(port: int, count: int) -> list[socket.socket]:
    """Half of them stop inside the headers, half inside a declared 1,000-byte body."""
    sockets = []
    for i in range(count):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(HALF_HEADERS if i % 2 else HALF_BODY)
        sockets.append(sock)
    return sockets


def wait_closed_by_server(sockets: list[socket.socket], timeout_s: float) -> tuple[int, float]:
    """How many sockets the server closed (EOF or reset) within ``timeout_s``, and when the
    last of those closed (seconds from now)."""
    started = time.monotonic()
    selector = selectors.DefaultSelector()
    for sock in sockets:
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
    closed, last = 0, 0.0
    while closed < len(sockets) and time.monotonic() - started < timeout_s:
        for key, _ in selector.select(timeout=0.5):
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            try:
                data = sock.recv(4096)
            except (ConnectionResetError, BlockingIOError):
                data = b""
            if not data:
                selector.unregister(sock)
                closed += 1
                last = time.monotonic() - started
    selector.close()
    return closed, last


def test_a_thousand_half_open_sockets_neither_block_healthz_nor_stay_open(server: Server) -> None:
    sockets = open_half_sent(server.port, SOCKETS)
    try:
        started = time.monotonic()
        health = httpx.get(f"http://127.0.0.1:{server.port}/healthz", timeout=2)
        health_s = time.monotonic() - started
        assert health.status_code == 200 and health_s < 2
        closed, last = wait_closed_by_server(sockets, timeout_s=READ_TIMEOUT_S + 30)
        print(
            f"/healthz {health_s:.3f} s; {closed} of {SOCKETS} closed, the last after {last:.1f} s"
        )
        assert closed == SOCKETS
        assert last >= READ_TIMEOUT_S - 1.5  # closed by the deadline, not at once
    finally:
        for sock in sockets:
            sock.close()
    timeouts = [line for line in server.log_lines() if line.get("event") == "read_timeout"]
    assert {line["phase"] for line in timeouts} == {"headers", "body"}
    assert len(timeouts) >= SOCKETS


def test_a_body_cut_off_by_the_deadline_is_logged_408_and_a_client_gone_499(
    server: Server,
) -> None:
    gone = socket.create_connection(("127.0.0.1", server.port))
    gone.sendall(HALF_BODY.replace(b"Host:", b"X-Request-ID: left-early\r\nHost:"))
    time.sleep(0.5)
    gone.close()  # the client leaves mid-body
    slow = socket.create_connection(("127.0.0.1", server.port))
    slow.sendall(HALF_BODY.replace(b"Host:", b"X-Request-ID: too-slow\r\nHost:"))
    try:
        assert wait_closed_by_server([slow], timeout_s=READ_TIMEOUT_S + 10)[0] == 1
    finally:
        slow.close()
    time.sleep(0.5)
    by_id = {line.get("request_id"): line for line in server.log_lines()}
    assert by_id["left-early"]["status"] == 499  # was logged as a 500 before
    assert by_id["too-slow"]["status"] == 408
    metrics = httpx.get(f"http://127.0.0.1:{server.port}/metrics").text
    assert 'route="/v1/search",status="499"' in metrics
    assert 'status="500"' not in metrics


def test_a_connection_cap_evicts_the_longest_waiting(tmp_path: Path) -> None:
    """Past QA_MAX_CONNECTIONS the oldest idle connections go, not /healthz."""
    with run_server(tmp_path, QA_MAX_CONNECTIONS="100", QA_REQUEST_READ_TIMEOUT_S="30") as server:
        sockets = open_half_sent(server.port, 400)
        try:
            started = time.monotonic()
            health = httpx.get(f"http://127.0.0.1:{server.port}/healthz", timeout=2)
            assert health.status_code == 200 and time.monotonic() - started < 2
            closed, _ = wait_closed_by_server(sockets, timeout_s=5)  # well before the 30 s
            assert closed >= 300
        finally:
            for sock in sockets:
                sock.close()
        assert any(line.get("event") == "evicted" for line in server.log_lines())


def test_forwarded_for_from_loopback_is_not_trusted_by_default(tmp_path: Path) -> None:
    """uvicorn trusts X-Forwarded-For from 127.0.0.1 unless told not to; the service does not:
    a made-up X-Forwarded-For per request does not escape the anonymous limit."""
    with run_server(tmp_path, QA_ANON_RATE_LIMIT_PER_MINUTE="3") as server:
        statuses = [
            httpx.post(
                f"http://127.0.0.1:{server.port}/v1/search",
                json={"query": "ceasefire"},
                headers={"X-Forwarded-For": f"203.0.113.{i}"},
            ).status_code
            for i in range(5)
        ]
        assert statuses == [200, 200, 200, 429, 429]


def test_forwarded_for_names_the_client_behind_a_trusted_proxy(tmp_path: Path) -> None:
    env = {"QA_ANON_RATE_LIMIT_PER_MINUTE": "2", "QA_TRUSTED_PROXIES": "127.0.0.1"}
    with run_server(tmp_path, **env) as server:

        def search(client: str) -> int:
            return httpx.post(
                f"http://127.0.0.1:{server.port}/v1/search",
                json={"query": "ceasefire"},
                headers={"X-Forwarded-For": f"198.51.100.7, {client}"},  # left hop is spoofed
            ).status_code

        assert [search("203.0.113.1") for _ in range(3)] == [200, 200, 429]
        assert search("203.0.113.2") == 200  # another client behind the same proxy


def test_the_deadline_holds_with_h11_too() -> None:
    """The protocol extension works on both of uvicorn's HTTP parsers (httptools may be absent)."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    from qa_service.api.server import guarded_protocol

    async def app(scope: Any, receive: Any, send: Any) -> None:
        while (await receive())["type"] != "http.disconnect":  # a body that never completes
            pass

    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
        http=guarded_protocol(1.0, 100, base=H11Protocol),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        sockets = open_half_sent(port, 20)
        try:
            closed, last = wait_closed_by_server(sockets, timeout_s=10)
            assert closed == 20 and 0.5 <= last < 5
        finally:
            for sock in sockets:
                sock.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
