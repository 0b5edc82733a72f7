"""/v1/ask overhead over a stub OpenAI-compatible server, measured side by side on loopback.

Prints p50/p95 of: the raw stub completion (official ``openai`` SDK, streamed to the end),
``/v1/search`` and ``/v1/ask`` through HTTP (server = ``python -m qa_service`` subprocess), the
overhead ``/v1/ask - raw stub``, and for streaming: the stub's time to first token measured raw vs
the gap between our SSE ``retrieval`` event (sent right before the LLM call) and our first
``delta`` event, i.e. what we add between the model's first token and the client's first text.

Run: ``.venv/bin/python -m bench.ask --requests 40``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import openai

from bench.http_load import pct, server_process
from bench.stub_llm import StubConfig, StubLLM

ROOT = Path(__file__).resolve().parents[1]

QUESTIONS = [
    "What is Moscow's position on a 30-day truce?",
    "What did Peskov say about a ceasefire?",
    "Who is Rodion Miroshnik?",
    "What happened on 30 November?",
]


def summary(name: str, ms: list[float]) -> str:
    return f"{name:<44} p50 {statistics.median(ms):8.1f} ms   p95 {pct(ms, 95):8.1f} ms"


def ingest_seeds(store: Path) -> dict[str, str]:
    """Ingest the demo corpus with the real model; returns the env the server needs."""
    env = {**os.environ, "QA_CHROMA_PATH": str(store)}
    subprocess.run(
        [sys.executable, "-m", "ingest", str(ROOT / "data" / "articles"), "--quiet"],
        env=env,
        check=True,
        capture_output=True,
    )
    return {"QA_CHROMA_PATH": str(store), "QA_LOG_LEVEL": "WARNING"}


def raw_stub(client: openai.OpenAI, question: str) -> tuple[float, float]:
    """(total ms, time to first token ms) of one streamed completion straight from the stub."""
    prompt = f'<passages>\n<passage id="1">\n{question} Peskov said peace matters.\n</passage>'
    started = time.perf_counter()
    first = None
    stream = client.chat.completions.create(
        model="stub", messages=[{"role": "user", "content": prompt}], stream=True
    )
    for chunk in stream:
        if first is None and chunk.choices and chunk.choices[0].delta.content:
            first = time.perf_counter()
    done = time.perf_counter()
    return (done - started) * 1000, ((first or done) - started) * 1000


def sse_gap(http: httpx.Client, base: str, question: str) -> float:
    """ms between our ``retrieval`` event and our first ``delta`` event."""
    retrieval_at = None
    with http.stream("POST", f"{base}/v1/ask/stream", json={"question": question}) as response:
        for line in response.iter_lines():
            if line.startswith("event: retrieval"):
                retrieval_at = time.perf_counter()
            elif line.startswith("event: delta") and retrieval_at is not None:
                return (time.perf_counter() - retrieval_at) * 1000
    raise RuntimeError("no delta event")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--latency-ms", type=float, default=200.0)
    args = parser.parse_args()

    with (
        tempfile.TemporaryDirectory() as tmp,
        StubLLM(StubConfig(latency_ms=args.latency_ms)) as stub,
    ):
        env = ingest_seeds(Path(tmp) / "chroma")
        env |= {"QA_LLM_BASE_URL": stub.base_url, "QA_LLM_API_KEY": "bench", "QA_LLM_MODEL": "stub"}
        with server_process(env) as (base, _pid):
            sdk = openai.OpenAI(base_url=stub.base_url, api_key="bench", max_retries=0)
            http = httpx.Client(timeout=60)
            for question in QUESTIONS:  # warm caches on both sides
                http.post(f"{base}/v1/ask", json={"question": question})
                raw_stub(sdk, question)
            raw, ttft, search, ask, gaps = [], [], [], [], []
            for i in range(args.requests):
                question = QUESTIONS[i % len(QUESTIONS)]
                total, first = raw_stub(sdk, question)
                raw.append(total)
                ttft.append(first)
                started = time.perf_counter()
                http.post(f"{base}/v1/search", json={"query": question}).raise_for_status()
                search.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                http.post(f"{base}/v1/ask", json={"question": question}).raise_for_status()
                ask.append((time.perf_counter() - started) * 1000)
                gaps.append(sse_gap(http, base, question))

    print(f"requests: {args.requests} each, stub latency {args.latency_ms:.0f} ms, loopback")
    print(summary("raw stub completion (openai SDK)", raw))
    print(summary("/v1/search (HTTP)", search))
    print(summary("/v1/ask (HTTP, stub LLM)", ask))
    overhead = [a - r for a, r in zip(ask, raw, strict=True)]
    print(summary("/v1/ask overhead over raw stub", overhead))
    print(f"/v1/ask / raw stub (p50 ratio): {statistics.median(ask) / statistics.median(raw):.2f}")
    print(summary("raw stub time to first token", ttft))
    print(summary("our retrieval event -> first delta event", gaps))
    extra = statistics.median(gaps) - statistics.median(ttft)
    print(f"added between the model's first token and our first delta (p50): {extra:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
