"""Embedder speed side by side: minilm (torch) vs onnx-int8 vs model2vec on the same chunk texts.

Prints, per embedder, the median over ``--runs`` interleaved rounds of: chunks/s (wall), CPU ms
per chunk (less sensitive to other load on a shared machine), one-query latency, and the mean
cosine to the torch model's vectors. Chunk texts are the ingest job's own chunks of the synthetic
articles of bench/scale_corpus.py, ~200 tokens each. ``--quality`` also runs the MultiHop-RAG sample
(``python -m eval multihop``) for each embedder and prints Hits@4/Hits@10.
Run: ``.venv/bin/python -m bench.embedders --runs 5 [--quality]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from bench.scale_corpus import write_articles_jsonl
from ingest.job import load_files
from qa_service.adapters.tokens import TiktokenCounter
from qa_service.container import build_embedder
from qa_service.ingestion.chunking import ArticleChunker, embedding_text
from qa_service.ingestion.pipeline import IngestReport
from qa_service.settings import Settings

REPO = Path(__file__).resolve().parents[1]
NAMES = ("minilm", "onnx-int8", "model2vec")


def chunk_texts(n_articles: int) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        write_articles_jsonl(Path(tmp) / "articles.jsonl", n_articles, seed=3)
        articles = load_files([Path(tmp)], 5_000_000, IngestReport())
    chunker = ArticleChunker(TiktokenCounter().encode, 200, 30)
    return [embedding_text(c) for a in articles for c in chunker.chunk_article(a)]


def quality(name: str, store: Path) -> dict[str, float]:
    """Dense-mode MultiHop-RAG dev metrics through the eval harness (real ingest + HTTP)."""
    report_dir = store / "reports"
    env = {**os.environ, "QA_EMBEDDER": name}
    command = [sys.executable, "-m", "eval", "multihop", "--mode", "dense", "--quiet"]
    subprocess.run(
        [*command, "--store", str(store / name), "--report-dir", str(report_dir)],
        check=True,
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
    )
    latest = sorted(report_dir.glob("*/multihop.json"))[-1]
    summary = json.loads(latest.read_text())["modes"]["dense"]["summary"]
    return {k: summary[k] for k in ("hits_at_4", "hits_at_10", "mrr_at_10")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quality", action="store_true")
    args = parser.parse_args()

    texts = chunk_texts(args.articles)
    embedders = {name: build_embedder(Settings(embedder=name)) for name in NAMES}  # type: ignore[arg-type]
    reference = np.asarray(embedders["minilm"].embed(texts))
    cps: dict[str, list[float]] = {n: [] for n in NAMES}
    cpu: dict[str, list[float]] = {n: [] for n in NAMES}
    query_ms: dict[str, list[float]] = {n: [] for n in NAMES}
    agreement = {}
    for name, embedder in embedders.items():
        vectors = np.asarray(embedder.embed(texts))  # warm-up, and agreement with torch
        if vectors.shape == reference.shape:
            agreement[name] = float((vectors * reference).sum(axis=1).mean())
    for _ in range(args.runs):
        for name, embedder in embedders.items():  # interleaved: noise hits all alike
            wall, proc = time.perf_counter(), time.process_time()
            for lo in range(0, len(texts), 256):
                embedder.embed(texts[lo : lo + 256])
            cps[name].append(len(texts) / (time.perf_counter() - wall))
            cpu[name].append((time.process_time() - proc) * 1000 / len(texts))
            with ThreadPoolExecutor(1) as pool:  # a worker thread, as in the API
                for question in ("What did Peskov say about the ceasefire?", "Who won?"):
                    started = time.perf_counter()
                    pool.submit(embedder.embed, [question]).result()
                    query_ms[name].append((time.perf_counter() - started) * 1000)

    base = statistics.median(cps["minilm"])
    print(f"{len(texts)} chunks (~200 tokens), median of {args.runs} interleaved runs")
    print("embedder    chunks/s  x minilm  cpu-ms/chunk  query-ms  cos-to-torch")
    for name in NAMES:
        rate = statistics.median(cps[name])
        cos = f"{agreement[name]:.4f}" if name in agreement else "n/a (256-d)"
        print(
            f"{name:10} {rate:9.1f} {rate / base:9.2f} {statistics.median(cpu[name]):13.2f} "
            f"{statistics.median(query_ms[name]):9.2f}  {cos}"
        )
    if args.quality:
        with tempfile.TemporaryDirectory() as tmp:
            for name in NAMES:
                print(name, "MultiHop dev, dense:", quality(name, Path(tmp)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
