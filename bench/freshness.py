"""Freshness: how long from ``POST /v1/documents`` until ``/v1/search`` finds the article, and
what adding 1 or 100 articles costs through ``python -m ingest``, on a given store.

Two measurements, both on a copy-free store you name (it gains the benchmark's articles):

- ``push``: real HTTP requests through Litestar's test client (the whole ASGI app with
  ``QA_API_KEYS`` set). Each push is a distinct article with a unique word; the clock runs from
  sending the POST until a search for that word, sent to a *second* app instance over the same
  store (a replica: its own tantivy reader, which must notice the commit), returns the article.
  p50/p95 over ``--pushes``.
- ``ingest``: wall time of ``python -m ingest FILE --store STORE`` (a subprocess: model load,
  store open, the run) for a file of 1 and of 100 new articles, ``--runs`` times each.

    QA_EMBEDDER=hashing PYTHONPATH=$PWD .venv/bin/python -m bench.freshness --store /tmp/big
    QA_EMBEDDER=hashing PYTHONPATH=$PWD .venv/bin/python -m bench.freshness --store /tmp/empty

``--baseline OTHER_STORE`` (e.g. an empty one) alternates the ingest runs between the two stores,
so both see the same machine load, and prints the ratio of the medians (#15's acceptance check:
one article into ~60k chunks costs <= 1.5x one into an empty store).
``--ingest-only`` / ``--push-only`` run one half. The embedder is the configured one
(``QA_EMBEDDER``); compare stores with the same embedder. Results: docs/benchmarks.md
"Freshness".
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SERVICE_KEY = "freshness-bench-key"
POLL_S = 0.01


def article(rng: random.Random, tag: str) -> dict[str, str]:
    """A distinct article: a unique marker word plus random words (no near-duplicate of another)."""
    words = [f"w{rng.randrange(10**9)}" for _ in range(300)]
    marker = f"Fresh{tag}x{rng.randrange(10**9)}"
    return {
        "doc_id": f"fresh-{marker.lower()}",
        "title": f"Freshness probe {tag}",
        "source": "Bench Wire",
        "published_at": "2025-06-01",
        "text": f"{marker} was announced today. " + " ".join(rng.sample(words, 180)) + ".",
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def ingest_cost(
    stores: list[Path], articles: int, runs: int, rng: random.Random
) -> list[list[float]]:
    """Seconds per ``python -m ingest`` of a new file of ``articles`` articles, per store (the
    stores take turns run by run)."""
    seconds: list[list[float]] = [[] for _ in stores]
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(runs):
            for n, store in enumerate(stores):
                path = Path(tmp) / f"batch{run}-{n}.jsonl"
                tag = f"i{articles}r{run}s{n}n"
                lines = [json.dumps(article(rng, f"{tag}{i}")) for i in range(articles)]
                path.write_text("\n".join(lines) + "\n", encoding="utf-8")
                command = [sys.executable, "-m", "ingest", str(path), "--store", str(store)]
                started = time.perf_counter()
                subprocess.run(
                    [*command, "--quiet"], cwd=REPO, check=True, stdout=subprocess.DEVNULL
                )
                seconds[n].append(time.perf_counter() - started)
    return seconds


def push_latency(store: Path, pushes: int, rng: random.Random) -> dict[str, Any]:
    """POST on one app, search on a second app (replica) until the article is found."""
    from litestar.testing import TestClient
    from pydantic import SecretStr

    from qa_service.api.app import create_app
    from qa_service.settings import Settings

    settings = Settings(
        chroma_path=store,
        api_keys=SecretStr(SERVICE_KEY),
        retrieval_mode="lexical",
        rate_limit_per_minute=1_000_000,
    )
    headers = {"Authorization": f"Bearer {SERVICE_KEY}"}
    post_s: list[float] = []
    findable_s: list[float] = []
    with TestClient(create_app(settings)) as writer, TestClient(create_app(settings)) as replica:
        assert replica.post("/v1/search", json={"query": "warm up"}, headers=headers).is_success
        for i in range(pushes):
            doc = article(rng, f"p{i}")
            marker = doc["text"].split()[0]
            started = time.perf_counter()
            response = writer.post("/v1/documents", json={"documents": [doc]}, headers=headers)
            response.raise_for_status()
            post_s.append(time.perf_counter() - started)
            while True:
                found = replica.post("/v1/search", json={"query": marker}, headers=headers)
                found.raise_for_status()
                ids = [r["document_id"] for r in found.json()["results"]]
                if doc["doc_id"] in ids:
                    break
                if time.perf_counter() - started > 60:
                    raise TimeoutError(f"{marker} not findable after 60 s")
                time.sleep(POLL_S)
            findable_s.append(time.perf_counter() - started)
    return {
        "pushes": pushes,
        "post_p50_s": percentile(post_s, 0.5),
        "post_p95_s": percentile(post_s, 0.95),
        "findable_p50_s": percentile(findable_s, 0.5),
        "findable_p95_s": percentile(findable_s, 0.95),
        "findable_max_s": max(findable_s),
        "findable_each_s": [round(x, 3) for x in findable_s],  # the first builds the writer
    }


def chunks_in(store: Path) -> int:
    from qa_service.container import build_embedder, build_store
    from qa_service.settings import Settings

    settings = Settings(chroma_path=store)
    return build_store(settings, build_embedder(settings).model_id).count_chunks()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3, help="ingest runs per batch size")
    parser.add_argument("--pushes", type=int, default=20)
    parser.add_argument("--batches", default="1,100", help="articles per ingest run")
    parser.add_argument("--baseline", type=Path, help="a second store, e.g. an empty one")
    parser.add_argument("--ingest-only", action="store_true")
    parser.add_argument("--push-only", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed or time.time_ns())
    result: dict[str, Any] = {
        "store": str(args.store),
        "baseline": str(args.baseline) if args.baseline else None,
        "embedder": os.environ.get("QA_EMBEDDER", "(settings default)"),
        "chunks_before": chunks_in(args.store) if args.store.exists() else 0,
    }
    if not args.push_only:
        stores = [args.store] + ([args.baseline] if args.baseline else [])
        for size in (int(s) for s in args.batches.split(",")):
            seconds = ingest_cost(stores, size, args.runs, rng)
            result[f"ingest_{size}_s"] = [round(s, 2) for s in seconds[0]]
            result[f"ingest_{size}_median_s"] = round(statistics.median(seconds[0]), 2)
            if args.baseline:
                base = statistics.median(seconds[1])
                result[f"baseline_ingest_{size}_s"] = [round(s, 2) for s in seconds[1]]
                result[f"baseline_ingest_{size}_median_s"] = round(base, 2)
                result[f"ingest_{size}_ratio"] = round(statistics.median(seconds[0]) / base, 2)
            print(json.dumps({k: v for k, v in result.items() if k.endswith("_s")}), flush=True)
    if not args.ingest_only:
        result["push"] = push_latency(args.store, args.pushes, rng)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
