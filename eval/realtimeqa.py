"""``python -m eval realtimeqa``: RealTimeQA news quizzes through the real ingest job and HTTP API.

The data set has no licence: it is read from ``--data`` (``../shared/benchmarks/realtimeqa-dev``)
and nothing of it is written into the repository; reports go to ``eval/reports/`` (git-ignored).
The corpus is ingested into its own collection prefix (``realtimeqa``) under ``--store``; ingest is
idempotent, so later runs reuse the vectors. Every question goes to ``POST /v1/search`` (top 10:
Hits@4/@10, MRR@10); the answerable ones (answer string in a gold passage) also go to
``POST /v1/ask``. ``--as-of question`` sends each question's quiz date as ``as_of``;
``--window-days N`` instead sends a published-date filter ``[date - N, date]``. ``--naive`` adds
the whole-passage baselines (``eval/naive.py``) computed in the same run.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from eval.external import ingest_corpus, run_benchmark, run_bounded, write_report
from eval.http import EvalHTTPError, request_json
from eval.inprocess import app_client, prepare_services
from eval.multihop import MODES, map_duplicates_of
from eval.naive import hit_rates, naive_rankings
from eval.realtimeqa_metrics import QuizRow, contains_answer, hits_at, summarize_quiz
from eval.report import REPO
from qa_service.core.dates import utc_today
from qa_service.core.ports import Embedder
from qa_service.core.time_intent import detect_time_intent

SEARCH_K = 10
DEFAULT_DATA = REPO.parent / "shared" / "benchmarks" / "realtimeqa-dev"
DEFAULT_STORE = REPO / "var" / "realtimeqa"
TABLE_METRICS = (
    "hits_at_4", "hits_at_10", "mrr_at_10", "answer_contains_and_cites", "answer_contains",
    "answer_cites_gold", "false_abstention_rate", "answer_words_mean", "search_p50_ms",
    "ask_p50_ms", "n_queries", "n_answerable_asked", "n_errors",
)  # fmt: skip


def add_realtimeqa_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="folder with corpus.jsonl and <split>.jsonl",
    )
    parser.add_argument("--split", default="dev", help="questions file <data>/<split>.jsonl")
    parser.add_argument(
        "--mode",
        choices=[*MODES, "all"],
        default="hybrid",
        help="retrieval mode (QA_RETRIEVAL_MODE); 'all' runs the three in turn",
    )
    parser.add_argument(
        "--store",
        type=Path,
        default=DEFAULT_STORE,
        help="Chroma directory for the benchmark collection (default var/realtimeqa)",
    )
    parser.add_argument("--report-dir", type=Path, default=REPO / "eval" / "reports")
    parser.add_argument(
        "--as-of",
        choices=["none", "question"],
        default="none",
        help="'question': send each question's quiz date as as_of",
    )
    parser.add_argument(
        "--window-days",
        type=int,
        default=0,
        help="N > 0: filter to articles published in [date - N days, date]",
    )
    parser.add_argument(
        "--ask",
        choices=["answerable", "none"],
        default="answerable",
        help="which questions also go to /v1/ask",
    )
    parser.add_argument(
        "--ask-top-k",
        type=int,
        default=None,
        help="passages given to /v1/ask (default: QA_ASK_TOP_K)",
    )
    parser.add_argument(
        "--naive",
        action="store_true",
        help="also score the naive whole-passage baselines in this run",
    )
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions (0 = all)")
    parser.add_argument("--quiet", action="store_true")


def load_corpus_texts(path: Path) -> dict[str, str]:
    texts: dict[str, str] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                record = json.loads(line)
                texts[record["doc_id"]] = record.get("text") or record.get("body") or ""
    return texts


def load_questions(path: Path, corpus: Mapping[str, str], limit: int = 0) -> list[QuizRow]:
    rows = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip():
                continue
            q = json.loads(line)
            gold = [str(d) for d in q["gold_doc_ids"]]
            answer = str(q["answer"])
            rows.append(
                QuizRow(
                    id=str(q["id"]), question=q["question"], gold_answer=answer,
                    gold_doc_ids=gold, date=q.get("date"),
                    answerable=any(contains_answer(corpus.get(d, ""), answer) for d in gold),
                )
            )  # fmt: skip
    return rows[:limit] if limit else rows


def time_fields(row: QuizRow, args: argparse.Namespace) -> dict[str, Any]:
    """The request fields that place the question in time (none, ``as_of`` or a date window)."""
    fields: dict[str, Any] = {}
    if row.date and args.as_of == "question":
        fields["as_of"] = row.date
    if row.date and args.window_days > 0:
        day = date.fromisoformat(row.date[:10])
        start = (day - timedelta(days=args.window_days)).isoformat()
        fields["filters"] = {"published_after": start, "published_before": day.isoformat()}
    return fields


async def run_question(
    client: httpx.AsyncClient, row: QuizRow, args: argparse.Namespace
) -> QuizRow:
    extra = time_fields(row, args)
    try:
        search, search_ms = await request_json(
            client, "POST", "/v1/search", {"query": row.question, "top_k": SEARCH_K, **extra}
        )
        row = replace(
            row,
            result_doc_ids=[r["document_id"] for r in search["results"]],
            search_ms=round(search_ms, 1),
        )
        if args.ask == "none" or not row.answerable:
            return row
        answer, ask_ms = await request_json(
            client, "POST", "/v1/ask", {"question": row.question, "top_k": args.ask_top_k, **extra}
        )
    except EvalHTTPError as exc:
        return replace(row, error=str(exc))
    return replace(
        row,
        asked=True,
        answer=answer["answer"],
        abstained=bool(answer["abstained"]),
        cited_doc_ids=[c["document_id"] for c in answer["citations"]],
        ask_ms=round(ask_ms, 1),
    )


async def benchmark(
    args: argparse.Namespace, embedder: Embedder | None, bar: Progress
) -> dict[str, Any]:
    corpus = load_corpus_texts(args.data / "corpus.jsonl")
    rows = load_questions(args.data / f"{args.split}.jsonl", corpus, args.limit)
    ingested = ingest_corpus(args.store, "realtimeqa", args.data / "corpus.jsonl", embedder, bar)
    base, embedder, report = ingested.settings, ingested.embedder, ingested.report
    args.ask_top_k = args.ask_top_k or base.ask_top_k
    rows = map_duplicates_of(rows, dict(report.duplicates))
    stored = set(prepare_services(base, embedder).store.chunk_ids_by_document())
    out: dict[str, Any] = {
        "ingest": {
            "documents": report.documents, "chunks_new": report.chunks_new,
            "chunks_unchanged": report.chunks_unchanged, "duplicates": len(report.duplicates),
            "skipped": len(report.skipped), "seconds": round(ingested.seconds, 1),
        },
        "answerable_share": sum(r.answerable for r in rows) / len(rows) if rows else 0.0,
        # questions whose gold passage survived ingest: the ceiling of Hits@k
        "gold_stored_share": (
            sum(any(d in stored for d in r.gold_doc_ids) for r in rows) / len(rows) if rows else 0.0
        ),
        "modes": {},
    }  # fmt: skip
    for mode in MODES if args.mode == "all" else (args.mode,):
        services = prepare_services(base.model_copy(update={"retrieval_mode": mode}), embedder)
        task = bar.add_task(f"{mode:>7} questions", total=len(rows))
        async with app_client(services) as client:
            done = await run_bounded(
                rows, partial(run_question, client, args=args), args.concurrency,
                partial(bar.advance, task),
            )  # fmt: skip
        out["modes"][mode] = {
            "summary": summarize_quiz(done),
            "by_time_intent": by_time_intent(done, args.as_of == "question"),
        }
        out.setdefault("failed_ids", {})[mode] = [r.id for r in done if r.error]
    if args.naive:
        task = bar.add_task("naive baselines", total=None)
        rankings = naive_rankings(embedder, corpus, [r.question for r in rows], SEARCH_K)
        gold = [r.gold_doc_ids for r in rows]
        for name, ranked in rankings.items():
            out["modes"][name] = {"summary": hit_rates(ranked, gold, hits_at)}
        bar.update(task, total=1, completed=1)
    return out


def by_time_intent(rows: Sequence[QuizRow], dated: bool) -> dict[str, dict[str, float]]:
    """Retrieval per kind of time intent in the question (none / range / recent), resolved
    against the question's date when it is sent as ``as_of``, else against today."""
    groups: dict[str, list[QuizRow]] = {}
    for row in rows:
        day = date.fromisoformat(row.date[:10]) if dated and row.date else utc_today()
        intent = detect_time_intent(row.question, day)
        groups.setdefault(intent.kind if intent else "none", []).append(row)
    return {kind: summarize_quiz(group) for kind, group in sorted(groups.items())}


def _cell(summary: Mapping[str, float], metric: str) -> str:
    value = summary.get(metric)
    if value is None:
        return "–"
    digits = 1 if metric.endswith("_ms") or metric.endswith("_mean") else 0
    return f"{value:.{digits if metric.startswith('n_') or digits else 3}f}"


def markdown_table(modes: Mapping[str, Mapping[str, Any]]) -> str:
    lines = ["| metric | " + " | ".join(modes) + " |", "|---|" + "---:|" * len(modes)]
    for metric in TABLE_METRICS:
        cells = [_cell(modes[m]["summary"], metric) for m in modes]
        lines.append(f"| {metric} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def print_table(console: Console, modes: Mapping[str, Mapping[str, Any]], title: str) -> None:
    table = Table(title=title)
    table.add_column("metric")
    for mode in modes:
        table.add_column(mode, justify="right")
    for metric in TABLE_METRICS:
        table.add_row(metric, *[_cell(modes[m]["summary"], metric) for m in modes])
    console.print(table)


def run_realtimeqa(args: argparse.Namespace, embedder: Embedder | None = None) -> int:
    console = Console()
    if not (args.data / "corpus.jsonl").is_file():
        Console(stderr=True).print(f"no corpus.jsonl under {args.data}: pass --data <folder>")
        return 2
    meta = {
        "split": args.split, "as_of": args.as_of, "window_days": args.window_days,
        "ask_top_k": args.ask_top_k, "search_top_k": SEARCH_K, "limit": args.limit,
    }  # fmt: skip
    result = run_benchmark(partial(benchmark, args, embedder), args.quiet, meta)
    report = write_report(args.report_dir, "realtimeqa", result, markdown_table(result["modes"]))
    title = f"RealTimeQA {args.split} (as_of={args.as_of}, window={args.window_days}d)"
    print_table(console, result["modes"], title)
    for mode, values in result["modes"].items():
        for kind, summary in values.get("by_time_intent", {}).items():
            console.print(
                f"{mode} time intent {kind}: n={summary['n_queries']:.0f} "
                f"hits@4={summary['hits_at_4']:.3f} hits@10={summary['hits_at_10']:.3f}"
            )
    console.print(
        f"gold passage stored (ceiling of Hits@k): {result['gold_stored_share']:.3f}; "
        f"answerable (answer string in a gold passage): {result['answerable_share']:.3f}; "
        f"ingest skipped {result['ingest']['skipped']}, "
        f"collapsed {result['ingest']['duplicates']}; "
        f"report: {report}"
    )
    return 0 if not any(result.get("failed_ids", {}).values()) else 1
