"""Loopback HTTP helpers for the benchmarks: a server subprocess, latency samples, a load loop.

The server runs as its own process (``python -m qa_service``), as in production, so the load
generator does not share its GIL. Every request goes to 127.0.0.1 only; loops are bounded.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server_process(
    env: dict[str, str], timeout_s: float = 300, workers: int = 1
) -> Iterator[tuple[str, int]]:
    """``python -m qa_service`` (``QA_WORKERS=workers``) on a free loopback port; yields
    (base URL, pid of the main process)."""
    port = free_port()
    full_env = {
        **os.environ,
        "QA_HOST": "127.0.0.1",
        "QA_PORT": str(port),
        "QA_WORKERS": str(workers),
        "QA_RATE_LIMIT_PER_MINUTE": "100000000",
        "PYTHONPATH": str(REPO),
        **env,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "qa_service"],
        env=full_env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}")
            try:
                if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("server did not become ready")
            time.sleep(0.5)
        yield base, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def process_tree(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = [int(c) for c in children.read_text().split()] if children.exists() else []
    return [pid] + [p for kid in kids for p in process_tree(kid)]


def rss_mib(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of ``pid`` and its children in MiB, from /proc."""
    fields = {"VmRSS": 0.0, "VmHWM": 0.0}
    for proc in process_tree(pid):
        for line in Path(f"/proc/{proc}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in fields:
                fields[key] += int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` and its children so far, from /proc."""
    total = 0.0
    for proc in process_tree(pid):
        fields = Path(f"/proc/{proc}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def search_ms(client: httpx.Client, body: dict[str, Any]) -> float:
    started = time.perf_counter()
    response = client.post("/v1/search", json=body)
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed


def pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round((len(ordered) - 1) * q / 100))]


def med(values: Sequence[float]) -> float:
    return statistics.median(values)


async def _load_aiohttp(
    base: str, bodies: Sequence[dict[str, Any]], clients: int, seconds: float
) -> tuple[float, list[float], int]:
    """The previous generator (aiohttp client), kept to compare generators: ~3x the CPU per
    request of ``_load_raw`` on the cores the server also needs."""
    import aiohttp

    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(base_url=base, connector=connector) as session:

        async def worker(offset: int) -> None:
            nonlocal errors
            i = offset
            while time.perf_counter() < stop:
                started = time.perf_counter()
                async with session.post("/v1/search", json=bodies[i % len(bodies)]) as response:
                    await response.read()
                    if response.status != 200:
                        errors += 1
                latencies.append((time.perf_counter() - started) * 1000)
                i += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker(c) for c in range(clients)))
        elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, latencies, errors


def raw_requests(host: str, path: str, bodies: Sequence[dict[str, Any]]) -> list[bytes]:
    """Complete HTTP/1.1 keep-alive POSTs, serialised once before the run."""
    out = []
    for body in bodies:
        payload = json.dumps(body).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n"
        )
        out.append(head.encode() + payload)
    return out


async def _load_raw(
    base: str, bodies: Sequence[dict[str, Any]], clients: int, seconds: float
) -> tuple[float, list[float], int]:
    """Lean closed-loop generator: pre-serialised requests on raw keep-alive sockets, only the
    status line and Content-Length parsed. It shares the machine with the server, so its own
    CPU per request is kept as small as Python allows."""
    url = urlsplit(base)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    requests = raw_requests(url.netloc, "/v1/search", bodies)
    latencies: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds

    async def worker(offset: int) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, port)
        i = offset
        try:
            while time.perf_counter() < stop:
                started = time.perf_counter()
                writer.write(requests[i % len(requests)])
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                        break
                await reader.readexactly(length)
                if head[9:12] != b"200":
                    errors += 1
                latencies.append((time.perf_counter() - started) * 1000)
                i += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in range(clients)))
    elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, latencies, errors


def load_test(
    base: str,
    bodies: Sequence[dict[str, Any]],
    clients: int = 16,
    seconds: float = 15,
    generator: str = "raw",
) -> tuple[float, float, float, int]:
    """Closed loop: ``clients`` connections each sending the next request as soon as one returns
    (``generator``: "raw" sockets or "aiohttp"). Returns (requests/s, p50 ms, p95 ms, errors)."""
    run = _load_raw if generator == "raw" else _load_aiohttp
    try:
        import uvloop

        rate, latencies, errors = uvloop.run(run(base, bodies, clients, seconds))
    except ImportError:
        rate, latencies, errors = asyncio.run(run(base, bodies, clients, seconds))
    return rate, med(latencies), pct(latencies, 95), errors


def wrk_load(
    base: str, bodies: Sequence[dict[str, Any]], clients: int = 16, seconds: float = 15
) -> tuple[float, float, float, int] | None:
    """The same closed loop with ``wrk`` (C, one thread) when installed: the cheapest generator
    available here. Returns (requests/s, p50 ms, p95 ms, non-2xx + socket errors) or None."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return None
    lua = "\n".join(
        [
            "local bodies = {" + ",".join(json.dumps(json.dumps(b)) for b in bodies) + "}",
            "local i = 0",
            'wrk.method = "POST"',
            'wrk.headers["Content-Type"] = "application/json"',
            "request = function()",
            "  i = i + 1",
            '  return wrk.format(nil, "/v1/search", nil, bodies[(i % #bodies) + 1])',
            "end",
            "done = function(summary, latency, requests)",
            "  local e = summary.errors",
            '  io.write(string.format("JSON %f %f %f %d\\n", summary.requests /'
            " (summary.duration / 1e6),",
            "    latency:percentile(50) / 1000, latency:percentile(95) / 1000,",
            "    e.connect + e.read + e.write + e.timeout + e.status))",
            "end",
        ]
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua)
    try:
        out = subprocess.run(
            [wrk, "-t1", f"-c{clients}", f"-d{max(1, round(seconds))}s", "-s", script.name, base],
            capture_output=True,
            text=True,
            check=True,
            timeout=seconds + 60,
        ).stdout
    finally:
        os.unlink(script.name)
    fields = next(line for line in out.splitlines() if line.startswith("JSON ")).split()[1:]
    return float(fields[0]), float(fields[1]), float(fields[2]), int(fields[3])
