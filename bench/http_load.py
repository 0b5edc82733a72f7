"""Loopback HTTP helpers for the benchmarks: a server subprocess, latency samples, a load loop.

The server runs as its own process (``python -m qa_service``), as in production, so the load
generator does not share its GIL. Every request goes to 127.0.0.1 only; loops are bounded.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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


async def _load(base: str, bodies: Sequence[dict[str, Any]], clients: int, seconds: float) -> Any:
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


def load_test(
    base: str, bodies: Sequence[dict[str, Any]], clients: int = 16, seconds: float = 15
) -> tuple[float, float, float, int]:
    """Closed loop: ``clients`` connections each sending the next request as soon as one returns.
    Returns (requests/s, p50 ms, p95 ms, errors)."""
    rate, latencies, errors = asyncio.run(_load(base, bodies, clients, seconds))
    return rate, med(latencies), pct(latencies, 95), errors
