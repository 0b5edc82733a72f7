"""Load: N concurrent clients for T seconds against the real server, on loopback only.

The API runs as ``python -m qa_service`` (its own process, as in production) over a store ingested
from data/articles with the real MiniLM model; ``/v1/ask`` answers through the stub OpenAI-
compatible server (bench/stub_llm.py, 200 ms to first token). Each phase is a closed loop: every
client sends its next request as soon as the previous one returns, until the time is up.
Reports requests, errors, p50/p95/p99 latency, req/s and the server's RSS before and after.

Run: ``.venv/bin/python -m bench.load`` (60 s x 50 clients per phase; ``--duration``,
``--concurrency``, ``--phases search,ask``, ``--embedder hashing`` for a quick smoke run).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.http_load import free_port, pct, rss_mib, server_process

ROOT = Path(__file__).resolve().parents[1]

QUERIES = [
    "30-day ceasefire",
    "What did Peskov say about a ceasefire?",
    "Who is Rodion Miroshnik?",
    "Kremlin position on a referendum in Ukraine",
    "Russian Foreign Ministry concern over Ukraine's proposal",
    "guaranteed peace rather than a temporary pause",
    "What happened on 30 November?",
    "Moscow wants lasting peace",
]
PATHS = {"search": "/v1/search", "ask": "/v1/ask"}


@dataclass
class PhaseResult:
    phase: str
    concurrency: int
    seconds: float
    requests: int
    errors: int
    error_kinds: dict[str, int] = field(default_factory=dict)
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    req_per_s: float = 0.0
    rss_before_mib: float = 0.0
    rss_after_mib: float = 0.0
    rss_peak_mib: float = 0.0
    abstained: int = 0  # /v1/ask answers that cited nothing (not errors: reported for context)


def body_for(phase: str, i: int) -> dict[str, Any]:
    query = QUERIES[i % len(QUERIES)]
    return {"query": query} if phase == "search" else {"question": query}


async def drive(base: str, phase: str, concurrency: int, seconds: float) -> PhaseResult:
    """Closed loop of ``concurrency`` clients for ``seconds``; every non-200 is an error."""
    latencies: list[float] = []
    kinds: Counter[str] = Counter()
    abstained = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        stop = time.perf_counter() + seconds

        async def worker(offset: int) -> None:
            nonlocal abstained
            i = offset
            while time.perf_counter() < stop:
                started = time.perf_counter()
                try:
                    response = await client.post(PATHS[phase], json=body_for(phase, i))
                    if response.status_code != 200:
                        kinds[f"HTTP {response.status_code}"] += 1
                    elif phase == "ask" and response.json()["abstained"]:
                        abstained += 1
                except httpx.HTTPError as exc:
                    kinds[type(exc).__name__] += 1
                latencies.append((time.perf_counter() - started) * 1000)
                i += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker(c) for c in range(concurrency)))
        elapsed = time.perf_counter() - started
    return PhaseResult(
        phase=phase,
        concurrency=concurrency,
        seconds=round(elapsed, 1),
        requests=len(latencies),
        errors=sum(kinds.values()),
        error_kinds=dict(kinds),
        p50_ms=round(pct(latencies, 50), 1),
        p95_ms=round(pct(latencies, 95), 1),
        p99_ms=round(pct(latencies, 99), 1),
        req_per_s=round(len(latencies) / elapsed, 1),
        abstained=abstained,
    )


def run_phase(base: str, pid: int, phase: str, concurrency: int, seconds: float) -> PhaseResult:
    before, _ = rss_mib(pid)
    result = asyncio.run(drive(base, phase, concurrency, seconds))
    result.rss_before_mib, result.rss_peak_mib = round(before, 1), round(rss_mib(pid)[1], 1)
    result.rss_after_mib = round(rss_mib(pid)[0], 1)
    return result


def ingest(store: Path, embedder: str) -> None:
    env = {**os.environ, "QA_EMBEDDER": embedder, "PYTHONPATH": str(ROOT)}
    articles = str(ROOT / "data" / "articles")
    subprocess.run(
        [sys.executable, "-m", "ingest", articles, "--store", str(store), "--quiet"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


@contextmanager
def stub_llm(latency_ms: float) -> Iterator[str]:
    """bench/stub_llm.py in its own process, so it never competes with the load generator's GIL."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.stub_llm",
            "--port",
            f"{port}",
            "--latency-ms",
            f"{latency_ms}",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/stats", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("stub LLM did not start") from None
                time.sleep(0.1)
        yield f"{url}/v1"
    finally:
        process.terminate()
        process.wait(timeout=10)


def run(
    phases: Sequence[str],
    seconds: float,
    concurrency: int,
    embedder: str = "minilm",
    stub_latency_ms: float = 200.0,
) -> list[PhaseResult]:
    with tempfile.TemporaryDirectory(prefix="qa-load-") as tmp:
        store = Path(tmp) / "store"
        ingest(store, embedder)
        with stub_llm(stub_latency_ms) as llm_url:
            env = {
                "QA_CHROMA_PATH": str(store),
                "QA_EMBEDDER": embedder,
                "QA_LLM_BASE_URL": llm_url,
                "QA_LLM_API_KEY": "sk-stub",
                "QA_LLM_MODEL": "stub-model",
            }
            with server_process(env) as (base, pid):
                return [run_phase(base, pid, phase, concurrency, seconds) for phase in phases]


def table(results: Sequence[PhaseResult]) -> str:
    rows = [
        "| phase | clients | s | requests | errors | p50 ms | p95 ms | p99 ms | req/s "
        "| RSS before → after (peak) MiB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        rows.append(
            f"| {PATHS[r.phase]} | {r.concurrency} | {r.seconds} | {r.requests} | {r.errors} "
            f"| {r.p50_ms} | {r.p95_ms} | {r.p99_ms} | {r.req_per_s} "
            f"| {r.rss_before_mib} → {r.rss_after_mib} ({r.rss_peak_mib}) |"
        )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per phase")
    parser.add_argument("--concurrency", type=int, default=50, help="concurrent clients")
    parser.add_argument("--phases", default="search,ask", help="comma-separated: search,ask")
    parser.add_argument("--embedder", default="minilm", choices=["minilm", "hashing"])
    parser.add_argument("--stub-latency-ms", type=float, default=200.0)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    phases = [p for p in args.phases.split(",") if p]
    if unknown := set(phases) - set(PATHS):
        parser.error(f"unknown phases {sorted(unknown)}")
    results = run(phases, args.duration, args.concurrency, args.embedder, args.stub_latency_ms)
    print(table(results))
    for r in results:
        if r.errors:
            print(f"{r.phase}: errors {r.error_kinds}")
        if r.phase == "ask":
            print(f"ask: {r.abstained} of {r.requests} answers abstained")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2))
    return 1 if any(r.errors for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
