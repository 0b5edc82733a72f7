"""``python -m eval run``: ask the golden set, score it, gate on the baseline, write the report."""

from __future__ import annotations

import argparse
import asyncio
import math
import tempfile
import time
from collections import Counter
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from eval.gate import (
    GateRow,
    compare,
    load_baseline,
    regressions,
    updated_baseline,
    write_baseline,
)
from eval.http import auth_headers
from eval.inprocess import app_client, eval_settings, ingest, prepare_services
from eval.metrics import summarize, summarize_by_category
from eval.report import (
    REPO,
    build_report,
    git_short_sha,
    new_run_dir,
    previous_report,
    question_views,
    write_report,
)
from eval.runner import Collected, GoldenQuestion, ProgressFn, collect, load_golden
from qa_service.core.ports import Embedder

EXIT_PASS, EXIT_REGRESSED, EXIT_SETUP = 0, 1, 2
DEFAULT_GOLDEN = REPO / "eval" / "golden" / "seeds.jsonl"
DEFAULT_BASELINE = REPO / "eval" / "baseline.json"
DEFAULT_REPORT_DIR = REPO / "eval" / "reports"
DEFAULT_ARTICLES = REPO / "data" / "articles"


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--golden", type=Path, default=DEFAULT_GOLDEN, help="golden JSONL file")
    parser.add_argument(
        "--url",
        help="evaluate a running service (e.g. http://127.0.0.1:8000) instead of "
        "ingesting --articles into a fresh store in this process",
    )
    parser.add_argument("--api-key", help="sent as 'Authorization: Bearer <key>' with --url")
    parser.add_argument(
        "--articles",
        type=Path,
        default=DEFAULT_ARTICLES,
        help="corpus for the in-process run (default: data/articles)",
    )
    parser.add_argument("--baseline", type=Path, default=DEFAULT_BASELINE)
    parser.add_argument("--report-dir", type=Path, default=DEFAULT_REPORT_DIR)
    parser.add_argument("--concurrency", type=int, default=4, help="questions in flight")
    parser.add_argument(
        "--top-k", type=int, default=5, help="passages per /v1/search (recall@5, MRR) (1..50)"
    )
    parser.add_argument(
        "--ask-top-k",
        type=int,
        default=None,
        help="passages per /v1/ask (default: the service's own, QA_ASK_TOP_K)",
    )
    parser.add_argument(
        "--update-baseline",
        action="store_true",
        help="write this run's metrics as the new baseline (tolerances kept)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _progress(console: Console, quiet: bool) -> Progress:
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
    )


async def _ask_all(
    args: argparse.Namespace,
    questions: list[GoldenQuestion],
    embedder: Embedder | None,
    bar: Progress,
    meta: dict[str, Any],
) -> Collected:
    def asking() -> ProgressFn:
        task = bar.add_task("asking golden questions", total=len(questions))
        return lambda: bar.advance(task)

    if args.url:
        meta["target"] = f"service at {args.url}"
        async with httpx.AsyncClient(
            base_url=args.url, headers=auth_headers(args.api_key), timeout=120.0
        ) as client:
            return await collect(
                client, questions, args.top_k, args.concurrency, asking(), args.ask_top_k
            )
    store_dir: AbstractContextManager[str] = tempfile.TemporaryDirectory(
        prefix="qa-eval-", ignore_cleanup_errors=True
    )
    with store_dir as tmp:
        settings = eval_settings(Path(tmp), "eval")
        services = prepare_services(settings, embedder)
        ingest_task = bar.add_task("ingesting articles", total=None)
        report = ingest(services, [args.articles])
        bar.update(ingest_task, total=1, completed=1)
        meta.update(
            target=f"in-process ({_shown(args.articles)} into a fresh store)",
            retrieval_mode=settings.retrieval_mode,
            embedder=services.embedder.model_id,
            ingest={
                "documents": report.documents,
                "chunks": report.chunks_new,
                "duplicates": report.duplicates,
            },
        )
        async with app_client(services) as client:
            return await collect(
                client, questions, args.top_k, args.concurrency, asking(), args.ask_top_k
            )


def print_gate_table(console: Console, rows: list[GateRow], summary: dict[str, float]) -> None:
    table = Table(title="golden-set metrics vs baseline")
    for column in ("metric", "value", "baseline", "delta", "status"):
        table.add_column(column, justify="left" if column in ("metric", "status") else "right")
    styles = {"regressed": "bold red", "improved": "green", "ok": ""}
    for row in rows:
        table.add_row(
            row.metric,
            _f(row.value),
            _f(row.baseline),
            _f(row.delta, signed=True),
            row.status,
            style=styles[row.status],
        )
    gated = {row.metric for row in rows}
    for metric, value in summary.items():
        if metric not in gated:
            table.add_row(metric, _f(value), "", "", "reported", style="dim")
    console.print(table)


def _shown(path: Path) -> str:
    """Repository-relative when possible: reports should not leak a developer's home path."""
    resolved = path.resolve()
    return str(resolved.relative_to(REPO) if resolved.is_relative_to(REPO) else path)


def _f(value: float, signed: bool = False) -> str:
    if math.isnan(value):
        return "NaN"
    return f"{value:+.4f}" if signed else f"{value:.4f}"


def run_golden(args: argparse.Namespace, embedder: Embedder | None = None) -> int:
    """The whole ``run`` command; ``embedder`` is a seam for tests (share or break the model)."""
    console, err = Console(), Console(stderr=True)
    if not 1 <= args.top_k <= 50 or not 1 <= (args.ask_top_k or 1) <= 50:
        err.print("--top-k and --ask-top-k must be within 1..50")
        return EXIT_SETUP
    try:
        questions = load_golden(args.golden)
        baseline = load_baseline(args.baseline) if args.baseline.is_file() else None
    except (OSError, ValueError) as exc:
        err.print(f"[red]cannot start:[/] {exc}")
        return EXIT_SETUP
    if baseline is None and not args.update_baseline:
        err.print(f"[red]no baseline at {args.baseline}[/]: record one with --update-baseline")
        return EXIT_SETUP
    started = time.perf_counter()
    meta: dict[str, Any] = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_sha": git_short_sha(),
        "golden": _shown(args.golden),
        "top_k": args.top_k,
        "ask_top_k": args.ask_top_k or "service default (QA_ASK_TOP_K)",
        "concurrency": args.concurrency,
    }
    with _progress(err, args.quiet) as bar:
        collected = asyncio.run(_ask_all(args, questions, embedder, bar, meta))
    meta["duration_s"] = round(time.perf_counter() - started, 1)
    meta["answer_models"] = dict(Counter(str(e.get("model")) for e in collected.extras.values()))
    summary = summarize(collected.rows)
    if args.update_baseline:
        try:
            write_baseline(args.baseline, updated_baseline(summary, baseline))
        except ValueError as exc:
            err.print(f"[red]baseline not written:[/] {exc}")
            return EXIT_SETUP
        console.print(f"baseline written to {args.baseline}")
        baseline = load_baseline(args.baseline)
    assert baseline is not None
    rows = compare(summary, baseline)
    run_dir = new_run_dir(args.report_dir, sha=meta["git_sha"])
    meta["run"] = run_dir.name
    previous = previous_report(args.report_dir, run_dir)
    meta["previous_run"] = previous[0] if previous else None
    views = question_views(collected, previous[1] if previous else None)
    report = build_report(meta, summary, summarize_by_category(collected.rows), rows, views)
    write_report(run_dir, report)
    print_gate_table(console, rows, summary)
    failing = [v for v in views if not v["passed"]]
    console.print(
        f"{len(failing)} of {len(views)} questions failing; report: {run_dir}/report.html"
    )
    if summary["n_errors"]:
        console.print(f"[yellow]warning:[/] {int(summary['n_errors'])} questions errored")
    bad = regressions(rows)
    for row in bad:
        print(f"REGRESSION {row.explain()}")
    print("GATE FAILED" if bad else "GATE PASSED", flush=True)
    return EXIT_REGRESSED if bad else EXIT_PASS
