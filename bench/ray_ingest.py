"""Ingest throughput: the single-process job vs ``--executor ray`` with 1 and 2 workers.

Each configuration ingests the same synthetic corpus (shuffled seed sentences, as bench/ingest.py)
into a fresh embedded store, ``--runs`` times; chunks/s is new chunks over the whole run (read,
clean, dedup, chunk, embed, write, lexical, articles), median of the runs. Ray runs on a local
instance started with as many CPUs as workers (cluster start-up not counted: a cluster outlives
one job; each job does start its embed actors and load the model in them). Prints a table, the
ratios to the single-process rate, the per-stage rates of the median run and one JSON line.

Run: ``python -m bench.ray_ingest --articles 600 --runs 3`` (results in docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench.ingest import synthetic_corpus
from ingest.job import FileIngest, build_pipeline
from qa_service.container import build_embedder, build_store
from qa_service.core.ports import Embedder
from qa_service.ingestion.pipeline import IngestReport
from qa_service.settings import Settings

JobFactory = Callable[[Settings, Embedder], FileIngest]


def measure(
    name: str, corpus: Path, settings: Settings, runs: int, job_for: JobFactory
) -> list[IngestReport]:
    embedder = build_embedder(settings)
    reports = []
    for run in range(runs):
        run_settings = settings.model_copy(update={"collection_prefix": f"{name}-{run}"})
        job = job_for(run_settings, embedder)
        report = job.run([corpus])
        assert report.chunks_new > 0, "a fresh store must take every chunk"
        reports.append(report)
        print(
            f"{name} run {run + 1}: {report.chunks_new} chunks in {report.seconds:.1f} s = "
            f"{report.chunks_new / report.seconds:.1f} chunks/s",
            flush=True,
        )
    return reports


def local_job(settings: Settings, embedder: Embedder) -> FileIngest:
    return build_pipeline(settings, build_store(settings, embedder.model_id), embedder)


def ray_measure(
    name: str, corpus: Path, settings: Settings, runs: int, workers: int
) -> list[IngestReport]:
    from ingest.executors.ray import build_ray_pipeline, ray_cluster

    with ray_cluster(workers=workers) as embed_workers:

        def ray_job(run_settings: Settings, embedder: Embedder) -> FileIngest:
            store = build_store(run_settings, embedder.model_id)
            return build_ray_pipeline(run_settings, store, embedder, embed_workers)

        return measure(name, corpus, settings, runs, ray_job)


def median_report(reports: list[IngestReport]) -> IngestReport:
    ranked = sorted(reports, key=lambda r: r.chunks_new / r.seconds)
    return ranked[len(ranked) // 2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--embedder", default="minilm", choices=["minilm", "hashing"])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        synthetic_corpus(corpus, args.articles)
        settings = Settings(chroma_path=Path(tmp) / "chroma", embedder=args.embedder)
        results = {"single-process": measure("local", corpus, settings, args.runs, local_job)}
        for workers in args.workers:
            name = f"ray-{workers}"
            results[name] = ray_measure(name, corpus, settings, args.runs, workers)

    base = statistics.median(r.chunks_new / r.seconds for r in results["single-process"])
    summary = {}
    print(f"\narticles: {args.articles}  embedder: {args.embedder}  runs: {args.runs} (median)")
    print(f"{'executor':<16}{'chunks':>8}{'chunks/s':>10}{'vs single':>11}")
    for name, reports in results.items():
        rate = statistics.median(r.chunks_new / r.seconds for r in reports)
        summary[name] = {"chunks": reports[0].chunks_new, "chunks_per_s": round(rate, 1)}
        summary[name]["ratio"] = round(rate / base, 2)
        print(f"{name:<16}{reports[0].chunks_new:>8}{rate:>10.1f}{rate / base:>10.2f}x")
    for name, reports in results.items():
        stages = ", ".join(
            f"{t.stage} {t.per_second:.0f}/s" for t in median_report(reports).stages
        )
        print(f"  {name} stages (median run): {stages}")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
