"""What the external benchmark runners (``multihop``, ``realtimeqa``) share: ingesting the
corpus under a progress bar, a progress bar around the async run, JSON-safe results, and a
report folder with ``<name>.json`` / ``.md``."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from eval.inprocess import eval_settings, ingest, prepare_services
from eval.report import finite_or_none, git_short_sha, new_run_dir
from qa_service.container import build_embedder
from qa_service.core.ports import Embedder
from qa_service.ingestion.pipeline import IngestReport
from qa_service.settings import Settings

Benchmark = Callable[[Progress], Coroutine[Any, Any, dict[str, Any]]]
RowT = TypeVar("RowT")


@dataclass(frozen=True, slots=True)
class IngestedCorpus:
    settings: Settings  # the run's private store, with the environment's answering knobs
    embedder: Embedder  # one loaded model, shared by every mode's services
    report: IngestReport
    seconds: float


def ingest_corpus(
    store: Path, name: str, corpus: Path, embedder: Embedder | None, bar: Progress
) -> IngestedCorpus:
    """``corpus`` ingested into ``store`` exactly as ``python -m ingest`` would (idempotent)."""
    settings = eval_settings(store, name)
    embedder = embedder or build_embedder(settings)
    task = bar.add_task("ingesting corpus", total=None)
    started = time.perf_counter()
    report = ingest(prepare_services(settings, embedder), [corpus])
    bar.update(task, total=1, completed=1)
    return IngestedCorpus(settings, embedder, report, time.perf_counter() - started)


async def run_bounded(
    rows: Sequence[RowT],
    one: Callable[[RowT], Awaitable[RowT]],
    concurrency: int,
    advance: Callable[[], None],
) -> list[RowT]:
    """``one(row)`` for every row, at most ``concurrency`` at a time, in input order."""
    gate = asyncio.Semaphore(max(1, concurrency))

    async def bounded(row: RowT) -> RowT:
        async with gate:
            done = await one(row)
        advance()
        return done

    return list(await asyncio.gather(*(bounded(r) for r in rows)))


def json_safe(value: Any) -> Any:
    """JSON has no NaN: undefined metrics become null, recursively."""
    if isinstance(value, float):
        return finite_or_none(value)
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def run_benchmark(benchmark: Benchmark, quiet: bool, meta: dict[str, Any]) -> dict[str, Any]:
    """Run ``benchmark`` under a progress bar on stderr; ``result["meta"]`` gets ``meta`` plus
    the time, commit and duration of the run."""
    started = time.perf_counter()
    with Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=Console(stderr=True), disable=quiet,
    ) as bar:  # fmt: skip
        result = asyncio.run(benchmark(bar))
    result["meta"] = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_sha": git_short_sha(),
        **meta,
        "duration_s": round(time.perf_counter() - started, 1),
    }
    return result


def write_report(report_dir: Path, name: str, result: dict[str, Any], markdown: str) -> Path:
    """``<report_dir>/<stamp>-<sha>-<name>/<name>.json`` and ``<name>.md``; returns the JSON."""
    run_dir = new_run_dir(report_dir, suffix=f"-{name}", sha=result["meta"]["git_sha"])
    path = run_dir / f"{name}.json"
    path.write_text(
        json.dumps(json_safe(result), indent=2, ensure_ascii=False, allow_nan=False),
        encoding="utf-8",
    )
    (run_dir / f"{name}.md").write_text(markdown, encoding="utf-8")
    return path
