"""Scale benchmark: 10k and 100k chunks, the HTTP API against raw Chroma, side by side.

Per corpus size, in one run:
* ingest throughput vs raw embedder throughput, on a real-embedder subset (~1k chunks ingested
  by the real pipeline into the big store, so it includes building the lexical index of the
  bulk chunks);
* ``/v1/search`` p50/p95 over HTTP (server process on loopback) vs raw query embedding +
  ``collection.query`` on the same store, uncached and with cached query embeddings;
* requests/s at 16 concurrent loopback clients, cached query embeddings, from a lean Python
  generator and from ``wrk`` when installed (both share the cores with the server), with the
  server's CPU time per request;
* filtered vs unfiltered latency (HTTP, and raw ``where`` for reference);
* resident memory of the server.
The corpora (see bench/scale_corpus.py: real news sentences, mostly random unit vectors) are
built once under ``var/bench-scale/n<size>`` and reused; their build measurements are stored
beside them. Run: ``make bench-scale`` or ``.venv/bin/python -m bench.scale --sizes 10000``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

import httpx

from bench.http_load import (
    cpu_seconds,
    load_test,
    med,
    pct,
    rss_mib,
    search_ms,
    server_process,
    wrk_load,
)
from bench.scale_corpus import fill_random, write_articles_jsonl
from ingest.job import build_pipeline, load_files
from qa_service.adapters.chroma_filters import where_clause
from qa_service.adapters.tokens import TiktokenCounter
from qa_service.container import build_embedder, build_store
from qa_service.core.models import SearchFilters
from qa_service.core.ports import Embedder
from qa_service.ingestion.chunking import ArticleChunker, embedding_text
from qa_service.ingestion.pipeline import IngestReport
from qa_service.settings import Settings

REPO = Path(__file__).resolve().parents[1]
PREFIX = "scale"
FILTERS = {
    "year (~33%)": SearchFilters(published_after=date(2025, 1, 1)),
    "outlet (~8%)": SearchFilters(source="Outlet 03"),
    "month (~3%)": SearchFilters(
        published_after=date(2024, 6, 1), published_before=date(2024, 6, 30)
    ),
}


def queries() -> list[str]:
    found = []
    for path in (
        REPO / "eval" / "data" / "multihop-rag-sample" / "dev.jsonl",
        REPO.parent / "shared" / "benchmarks" / "multihop-rag-sample" / "dev.jsonl",
    ):
        if path.is_file():
            found = [json.loads(line)["query"] for line in path.read_text().splitlines() if line]
            break
    golden = REPO / "eval" / "golden" / "seeds.jsonl"
    found += [json.loads(line)["question"] for line in golden.read_text().splitlines() if line]
    return found


RetrievalMode = Literal["hybrid", "dense", "lexical"]


def settings_for(directory: Path, mode: RetrievalMode = "hybrid") -> Settings:
    return Settings(
        chroma_path=directory, collection_prefix=PREFIX, embedder="minilm", retrieval_mode=mode
    )


def build_corpus(size: int, root: Path, real_articles: int, embedder: Embedder) -> dict[str, Any]:
    """Bulk random-vector chunks + a real-embedder subset through the real ingest pipeline."""
    directory = root / f"n{size}"
    marker = directory / "bench.json"
    if marker.is_file():
        return dict(json.loads(marker.read_text()))
    settings = settings_for(directory)
    store = build_store(settings, embedder.model_id)
    started = time.perf_counter()
    if store.count_chunks() < size:
        fill_random(store, size, seed=1)  # idempotent upserts: an interrupted build resumes
    bulk_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "real.jsonl"
        write_articles_jsonl(corpus, real_articles, seed=2)
        articles = load_files([corpus], 5_000_000, IngestReport())
        chunker = ArticleChunker(
            TiktokenCounter().encode, settings.chunk_tokens, settings.chunk_overlap
        )
        texts = [embedding_text(c) for a in articles for c in chunker.chunk_article(a)]
        started = time.perf_counter()
        for lo in range(0, len(texts), 256):
            embedder.embed(texts[lo : lo + 256])
        raw_cps = len(texts) / (time.perf_counter() - started)
        pipeline = build_pipeline(settings, store, embedder)
        report = pipeline.run([corpus])
        started = time.perf_counter()
        pipeline.service.rebuild_lexical()  # one more full index build, timed alone
        lexical_s = time.perf_counter() - started
    info = {
        "size": size,
        "chunks": store.count_chunks(),
        "bulk_fill_s": round(bulk_s, 1),
        "real_chunks": report.chunks_new,
        "raw_embed_cps": round(raw_cps, 1),
        "ingest_cps": round(report.chunks_new / report.seconds, 1),
        "ingest_s": round(report.seconds, 1),
        "lexical_rebuild_s": round(lexical_s, 1),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    marker.write_text(json.dumps(info, indent=2))
    return info


def measure(directory: Path, embedder: Embedder, mode: str, load_s: float) -> dict[str, Any]:
    from qa_service.adapters.chroma_store import make_client

    texts = queries()
    collection = make_client(directory, None).get_collection(f"{PREFIX}-chunks-{embedder.model_id}")
    include = ["documents", "metadatas", "distances"]
    env = {"QA_CHROMA_PATH": str(directory), "QA_COLLECTION_PREFIX": PREFIX}
    env |= {"QA_EMBEDDER": "minilm", "QA_RETRIEVAL_MODE": mode}
    out: dict[str, Any] = {"mode": mode}
    raw, vectors = [], []

    def embed_and_query(text: str) -> list[float]:
        vector = embedder.embed([text])[0]
        collection.query(query_embeddings=[vector], n_results=10, include=include)
        return vector

    # Before the server starts, and on a worker thread as the API does: torch called from the
    # main thread measured 5x slower on this busy machine (180 vs 33 ms per query).
    with ThreadPoolExecutor(1) as pool:
        for text in texts:
            started = time.perf_counter()
            vectors.append(pool.submit(embed_and_query, text).result())
            raw.append((time.perf_counter() - started) * 1000)
    with server_process(env) as (base, pid), httpx.Client(base_url=base, timeout=60) as client:
        http = [search_ms(client, {"query": text, "top_k": 10}) for text in texts]
        out["uncached"] = {"http_p50": med(http), "http_p95": pct(http, 95), "raw_p50": med(raw)}
        raw_q, http_c = [], []
        for text, vector in zip(texts, vectors, strict=True):
            started = time.perf_counter()
            collection.query(query_embeddings=[vector], n_results=10, include=include)
            raw_q.append((time.perf_counter() - started) * 1000)
            http_c.append(search_ms(client, {"query": text, "top_k": 10}))
        out["cached"] = {
            "http_p50": med(http_c),
            "http_p95": pct(http_c, 95),
            "raw_p50": med(raw_q),
        }
        out["filters"] = {}
        for name, filters in FILTERS.items():
            body = {
                "published_after": filters.published_after and filters.published_after.isoformat(),
                "published_before": filters.published_before
                and filters.published_before.isoformat(),
                "source": filters.source,
            }
            body = {k: v for k, v in body.items() if v}
            got, raw_w = [], []
            for text, vector in list(zip(texts, vectors, strict=True))[:60]:  # where: ~1 s at 100k
                got.append(search_ms(client, {"query": text, "top_k": 10, "filters": body}))
                started = time.perf_counter()
                collection.query(
                    query_embeddings=[vector], n_results=10, where=where_clause(filters)
                )
                raw_w.append((time.perf_counter() - started) * 1000)
            out["filters"][name] = {"http_p50": med(got), "raw_where_p50": med(raw_w)}
        bodies = [{"query": t, "top_k": 10} for t in texts[:20]]
        out |= loads(base, pid, bodies, load_s, suffix="")
        out["rss_mib"], out["peak_rss_mib"] = rss_mib(pid)
    with server_process(env, workers=2) as (base, pid):
        load_test(base, bodies, clients=16, seconds=2)  # warm both workers' caches
        out |= loads(base, pid, bodies, load_s, suffix="2")
        out["rss2_mib"], _ = rss_mib(pid)
    return out


def loads(
    base: str, pid: int, bodies: list[dict[str, Any]], seconds: float, suffix: str
) -> dict[str, Any]:
    """16-client closed loops with the lean Python generator and, when installed, ``wrk``; with
    the server's CPU per request and the load average (the generator shares the machine)."""
    out: dict[str, Any] = {}
    for name, run in (("load", load_test), ("wrk", wrk_load)):
        cpu = cpu_seconds(pid)
        got = run(base, bodies, 16, seconds)
        if got is not None:
            rate, p50, p95, errors = got
            out[name + suffix] = {
                "rps": rate,
                "p50": p50,
                "p95": p95,
                "errors": errors,
                "server_cpu_ms": (cpu_seconds(pid) - cpu) * 1000 / (rate * seconds),
                "loadavg": os.getloadavg()[0],
            }
    return out


def report(size: int, info: dict[str, Any], m: dict[str, Any]) -> None:
    u, c = m["uncached"], m["cached"]
    print(f"\n== {info['chunks']} chunks ({size} random-vector + {info['real_chunks']} real) ==")
    print(
        f"ingest {info['ingest_cps']} chunks/s vs raw embedder {info['raw_embed_cps']} chunks/s "
        f"(ratio {info['ingest_cps'] / info['raw_embed_cps']:.2f}; incl. BM25 rebuild "
        f"{info['lexical_rebuild_s']} s) [measured at build, {info['built_at']}]"
    )
    print(
        f"/v1/search ({m['mode']}) uncached p50 {u['http_p50']:.1f} ms p95 {u['http_p95']:.1f} | "
        f"raw embed+query p50 {u['raw_p50']:.1f} ms | ratio {u['http_p50'] / u['raw_p50']:.2f}"
    )
    print(
        f"/v1/search ({m['mode']}) cached   p50 {c['http_p50']:.1f} ms p95 {c['http_p95']:.1f} | "
        f"raw query p50 {c['raw_p50']:.1f} ms | ratio {c['http_p50'] / c['raw_p50']:.2f}"
    )
    for key, workers in (("load", 1), ("wrk", 1), ("load2", 2), ("wrk2", 2)):
        if key not in m:
            continue
        load = m[key]
        print(
            f"16 clients, cached, {workers} worker(s), {key.rstrip('2')}: {load['rps']:.0f} req/s "
            f"(p50 {load['p50']:.1f} ms, p95 {load['p95']:.1f} ms, errors {load['errors']}; server "
            f"CPU {load['server_cpu_ms']:.1f} ms/req; load average {load['loadavg']:.1f})"
        )
    for name, f in m["filters"].items():
        print(
            f"filter {name:13} HTTP p50 {f['http_p50']:.1f} ms = "
            f"{f['http_p50'] / c['http_p50']:.2f}x unfiltered | raw where p50 "
            f"{f['raw_where_p50']:.1f} ms = {f['raw_where_p50'] / c['raw_p50']:.1f}x raw unfiltered"
        )
    print(
        f"server RSS {m['rss_mib']:.0f} MiB (peak {m['peak_rss_mib']:.0f} MiB); "
        f"2 workers {m['rss2_mib']:.0f} MiB"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--dir", type=Path, default=REPO / "var" / "bench-scale")
    parser.add_argument("--real-articles", type=int, default=250)
    parser.add_argument("--mode", default="hybrid", choices=["hybrid", "dense", "lexical"])
    parser.add_argument("--load-seconds", type=float, default=15.0)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached corpora")
    parser.add_argument("--json", type=Path, help="also write the raw numbers here")
    args = parser.parse_args()
    embedder = build_embedder(Settings(embedder="minilm"))
    embedder.embed(["warm up"])
    results = []
    for size in args.sizes:
        if args.rebuild:
            shutil.rmtree(args.dir / f"n{size}", ignore_errors=True)
        info = build_corpus(size, args.dir, args.real_articles, embedder)
        measured = measure(args.dir / f"n{size}", embedder, args.mode, args.load_seconds)
        report(size, info, measured)
        results.append({"build": info, "measured": measured})
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
