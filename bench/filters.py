"""Filtered vs unfiltered dense search on a bench/scale.py store, in-process, side by side.

Opens the store twice over: once as a replica without filter columns (over-fetch, then Chroma's
``where`` for narrow filters) and once with the BM25 snapshot's columns attached (narrow filters
searched exactly over the matching chunks). Each filter is warmed with the same 35 random unit
query vectors it is then timed on (selectivity learned, chunk bodies cached), so the medians
compare search paths, not cold caches.

    .venv/bin/python -m bench.filters --store var/bench-scale/n100000
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from datetime import date
from pathlib import Path

import numpy as np

from qa_service.adapters.chroma_store import ChromaStore, make_client
from qa_service.adapters.tantivy_index import TantivyIndex
from qa_service.core.models import SearchFilters

ROOT = Path(__file__).resolve().parents[1]


def timed(store: ChromaStore, vectors: list[list[float]], filters: SearchFilters) -> float:
    for vector in vectors:
        store.query(vector, 30, filters)
    times = []
    for vector in vectors:
        started = time.perf_counter()
        store.query(vector, 30, filters)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=ROOT / "var" / "bench-scale" / "n100000")
    parser.add_argument("--prefix", default="scale")
    parser.add_argument("--model-id", default="all-minilm-l6-v2")
    parser.add_argument("--outlet", default="Outlet 03")
    args = parser.parse_args()
    store = ChromaStore(make_client(args.store, None), args.prefix, args.model_id)
    lexical = TantivyIndex(args.store / "lexical" / store.chunk_collection_name / "tantivy")
    rng = np.random.default_rng(1)
    raw = rng.normal(size=(35, 384))
    vectors = (raw / np.linalg.norm(raw, axis=1, keepdims=True)).tolist()
    month = SearchFilters(published_after=date(2024, 3, 1), published_before=date(2024, 3, 31))
    cases = {
        "unfiltered": SearchFilters(),
        "year 2024": SearchFilters(
            published_after=date(2024, 1, 1), published_before=date(2024, 12, 31)
        ),
        "outlet": SearchFilters(source=args.outlet),
        "month": month,
        "month + outlet": dataclasses.replace(month, source=args.outlet),
    }
    print(f"{store.count_chunks()} chunks; median ms of 35 queries, top 30 (x unfiltered)")
    for label, attach in (("without columns", False), ("with columns", True)):
        if attach:
            store.use_filter_columns(lexical)
        results = {name: timed(store, vectors, f) for name, f in cases.items()}
        base = results["unfiltered"]
        cells = "  ".join(f"{n} {ms:.1f} ({ms / base:.2f}x)" for n, ms in results.items())
        print(f"{label:16s} {cells}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
