"""``python -m ingest PATH...``: clean, dedup, chunk, embed and upsert articles into Chroma
(``--executor ray``: the same job with its per-record work spread over a Ray cluster).
``python -m ingest --verify`` / ``--repair``: check (and fix) that Chroma and the lexical index
agree (``qa_service/ingestion/verify.py``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

from ingest.job import FileIngest, build_pipeline
from qa_service.container import Store, build_embedder, build_ingestion, build_store
from qa_service.core.ports import Embedder
from qa_service.ingestion.pipeline import IngestPipeline, IngestReport
from qa_service.settings import Settings

EXIT_OK = 0
EXIT_NOTHING_INGESTED = 2
EXIT_DISAGREEMENT = 3


def parse_args(argv: Sequence[str] | None, settings: Settings) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m ingest",
        description="Ingest news articles (.txt .md .html .jsonl, files or folders) into Chroma. "
        "Re-running on unchanged input writes nothing; edited articles replace only their chunks.",
        epilog="example: python -m ingest data/articles --store var/chroma",
    )
    parser.add_argument("paths", nargs="*", type=Path, help="files or directories to ingest")
    parser.add_argument(
        "--store",
        type=Path,
        default=settings.chroma_path,
        help=f"embedded Chroma directory (default: QA_CHROMA_PATH = {settings.chroma_path}); "
        "ignored when QA_CHROMA_URL points at a Chroma server",
    )
    parser.add_argument("--reset", action="store_true", help="empty the collections first")
    parser.add_argument(
        "--chunk-tokens",
        type=int,
        default=settings.chunk_tokens,
        help=f"chunk size in cl100k tokens (default {settings.chunk_tokens})",
    )
    parser.add_argument(
        "--chunk-overlap",
        type=int,
        default=settings.chunk_overlap,
        help=f"overlap in tokens (default {settings.chunk_overlap})",
    )
    parser.add_argument(
        "--dedup-threshold",
        type=float,
        default=settings.dedup_threshold,
        help="MinHash Jaccard at or above which articles collapse "
        f"(default {settings.dedup_threshold})",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--executor",
        choices=["local", "ray"],
        default="local",
        help="where cleaning, chunking and embedding run: this process (default) or a Ray "
        "cluster (needs the `ray` extra); both write the same store",
    )
    parser.add_argument(
        "--ray-address",
        default=None,
        help="with --executor ray: the cluster (auto, ray://host:10001); default: start a local "
        "Ray instance on this machine's cores",
    )
    parser.add_argument(
        "--ray-workers",
        type=int,
        default=None,
        help="with --executor ray: embed workers (default: one per CPU of the cluster; "
        "a local instance gets this many cores)",
    )
    parser.add_argument(
        "--verify",
        action="store_true",
        help="report where Chroma and the lexical index disagree (exit 3 if they do); no PATHS",
    )
    parser.add_argument(
        "--repair", action="store_true", help="like --verify, then fix what it found (exit 0)"
    )
    args = parser.parse_args(argv)
    if not args.paths and not (args.verify or args.repair):
        parser.error("give PATHS to ingest, or --verify / --repair")
    if args.paths and (args.verify or args.repair):
        parser.error("--verify / --repair take no PATHS")
    if args.executor != "ray" and (args.ray_address or args.ray_workers):
        parser.error("--ray-address / --ray-workers need --executor ray")
    if args.ray_workers is not None and args.ray_workers < 1:
        parser.error("--ray-workers must be at least 1")
    return args


def print_report(console: Console, report: IngestReport) -> None:
    table = Table(title="ingest summary", show_header=False)
    cleaning = report.cleaning
    worst = f"{cleaning.max_removed_share:.0%}" + (
        f" ({cleaning.max_removed_origin})" if cleaning.max_removed_origin else ""
    )
    rows = [
        ("files read", report.files_read),
        ("records read", report.records_read),
        ("skipped", len(report.skipped)),
        ("warnings", len(report.warnings)),
        ("near-duplicates collapsed", len(report.duplicates)),
        ("copies of stored articles", len(report.archive_duplicates)),
        ("documents", report.documents),
        ("chunks new", report.chunks_new),
        ("chunks unchanged", report.chunks_unchanged),
        ("chunks deleted", report.chunks_deleted),
        ("articles written", report.articles_written),
        ("cleaning: characters in → out", f"{cleaning.chars_in} → {cleaning.chars_out}"),
        ("cleaning: most removed from one document", worst),
        (
            "cleaning: documents keeping >= 95% of words",
            f"{cleaning.kept_most_words} of {cleaning.documents}",
        ),
        ("lexical index updated", _lexical_summary(report)),
        ("seconds", f"{report.seconds:.2f}"),
    ]
    rows += [
        (f"stage {t.stage}", f"{t.items} in {t.seconds:.2f} s ({t.per_second:.1f}/s)")
        for t in report.stages
    ]
    for name, value in rows:
        table.add_row(name, str(value))
    console.print(table)
    for skipped in report.skipped:
        console.print(f"[yellow]skipped[/] {skipped.origin}: {skipped.reason}")
    for warning in report.warnings:
        console.print(f"[yellow]warning[/] {warning.origin}: {warning.message}")
    for origin, share in cleaning.heavy:
        console.print(f"[yellow]warning[/] {origin}: cleaning removed {share:.0%} of its text")
    for dropped, kept in report.duplicates:
        console.print(f"[cyan]duplicate[/] {dropped} collapsed into {kept}")
    for dropped, kept in report.archive_duplicates:
        console.print(f"[cyan]duplicate[/] {dropped} joined the stored {kept}")


def _lexical_summary(report: IngestReport) -> str:
    if report.lexical_reconciled:
        return "yes (reconciled with the whole store)"
    return "yes" if report.lexical_updated else "no"


def verify(service: IngestPipeline, repair: bool) -> int:
    found = service.verify(repair=repair)
    console = Console()
    table = Table(title="store check", show_header=False)
    rows = [
        ("chunks in the store", found.chunks),
        ("article records", found.articles),
        ("chunks missing from the lexical index", len(found.lexical_missing)),
        ("lexical entries with no chunk", len(found.lexical_extra)),
        ("lexical index absent", "yes" if found.lexical_absent else "no"),
        ("chunks without an article record", len(found.orphan_chunks)),
        ("article records without chunks", len(found.unindexed_articles)),
        ("signatures out of step", "yes" if found.signatures_stale else "no"),
    ]
    for name, value in rows:
        table.add_row(name, str(value))
    console.print(table)
    for doc_id in found.unindexed_articles:
        console.print(f"[yellow]unindexed[/] {doc_id}")
    if found.consistent:
        console.print("[green]consistent[/]")
        return EXIT_OK
    if not repair:
        console.print("[red]disagreement found[/]: run with --repair to fix it")
        return EXIT_DISAGREEMENT
    console.print("[green]repaired[/]")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    settings = Settings()
    args = parse_args(argv, settings)
    settings = settings.model_copy(
        update={
            "chroma_path": args.store,
            "chunk_tokens": args.chunk_tokens,
            "chunk_overlap": args.chunk_overlap,
            "dedup_threshold": args.dedup_threshold,
        }
    )
    embedder = build_embedder(settings)
    store = build_store(settings, embedder.model_id)
    if args.reset:
        store.reset()
    if args.verify or args.repair:
        return verify(build_ingestion(settings, store, embedder), repair=args.repair)
    with job_for(args, settings, store, embedder) as pipeline:
        report = run_with_progress(pipeline, args.paths, args.quiet)
    print_report(Console(), report)
    return EXIT_OK if report.ingested_anything else EXIT_NOTHING_INGESTED


def job_for(
    args: argparse.Namespace, settings: Settings, store: Store, embedder: Embedder
) -> AbstractContextManager[FileIngest]:
    """The ingest job on the chosen executor (a Ray one connected for the block)."""
    if args.executor == "local":
        return nullcontext(build_pipeline(settings, store, embedder))
    from ingest.executors.ray import ray_job

    return ray_job(settings, store, embedder, args.ray_address, args.ray_workers)


def run_with_progress(pipeline: FileIngest, paths: list[Path], quiet: bool) -> IngestReport:
    console = Console(stderr=True)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=quiet,
    ) as bar:
        task = bar.add_task("embedding chunks", total=None)

        def on_progress(_stage: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return pipeline.run(paths, progress=on_progress)


if __name__ == "__main__":
    sys.exit(main())
