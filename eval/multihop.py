"""``python -m eval multihop``: the MultiHop-RAG sample through the real ingest job and HTTP API.

The corpus is ingested with the ingest pipeline (JSONL loader, records keep their ``doc_id``) into
its own collection prefix (``multihop``) under ``--store``; ingest is idempotent, so later runs
reuse the vectors. Each query goes to ``POST /v1/search`` (top 10: retrieval metrics) and
``POST /v1/ask`` (answer accuracy, abstention). ``--mode all`` compares dense, lexical and hybrid
retrieval over the same store.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, replace
from functools import partial
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar

import httpx
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from eval.external import ingest_corpus, run_benchmark, run_bounded, write_report
from eval.http import EvalHTTPError, request_json
from eval.inprocess import app_client, prepare_services
from eval.multihop_metrics import MultiHopRow, facts_in, row_scores, summarize_multihop
from eval.report import REPO
from qa_service.core.ports import Embedder

MODES = ("dense", "lexical", "hybrid")
SEARCH_K = 10
DEFAULT_DATA = REPO / "eval" / "data" / "multihop-rag-sample"
DEFAULT_STORE = REPO / "var" / "multihop"
TABLE_METRICS = (
    "hits_at_4", "hits_at_10", "mrr_at_10", "map_at_10", "doc_hits_at_4", "doc_hits_at_10",
    "answer_accuracy", "answer_accuracy_entity", "answer_accuracy_yes_no",
    "null_abstention_rate", "false_abstention_rate",
    "search_p50_ms", "search_p95_ms", "ask_p50_ms", "ask_p95_ms", "n_queries", "n_errors",
)  # fmt: skip


def add_multihop_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--split", default="dev", help="queries file <data-dir>/<split>.jsonl")
    parser.add_argument(
        "--mode",
        choices=[*MODES, "all"],
        default="hybrid",
        help="retrieval mode (QA_RETRIEVAL_MODE); 'all' runs the three in turn",
    )
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument(
        "--store",
        type=Path,
        default=DEFAULT_STORE,
        help="Chroma directory for the benchmark collections (default var/multihop)",
    )
    parser.add_argument("--report-dir", type=Path, default=REPO / "eval" / "reports")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument(
        "--ask-top-k",
        type=int,
        default=None,
        help="passages given to /v1/ask (default: QA_ASK_TOP_K)",
    )
    parser.add_argument("--limit", type=int, default=0, help="only the first N queries (0 = all)")
    parser.add_argument("--quiet", action="store_true")


def load_queries(path: Path, limit: int = 0) -> list[MultiHopRow]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            q = json.loads(line)
            rows.append(
                MultiHopRow(
                    id=q["id"], question_type=q["question_type"], query=q["query"],
                    gold_answer=q["answer"], facts=[e["fact"] for e in q["evidence"]],
                    gold_doc_ids=list(q["gold_doc_ids"]),
                )
            )  # fmt: skip
    return rows[:limit] if limit else rows


async def run_query(client: httpx.AsyncClient, row: MultiHopRow, ask_top_k: int) -> MultiHopRow:
    try:
        search, search_ms = await request_json(
            client, "POST", "/v1/search", {"query": row.query, "top_k": SEARCH_K}
        )
        answer, ask_ms = await request_json(
            client, "POST", "/v1/ask", {"question": row.query, "top_k": ask_top_k}
        )
    except EvalHTTPError as exc:
        return replace(row, error=str(exc))
    results = search["results"]
    return replace(
        row,
        passages=[r["text"] for r in results],
        passage_doc_ids=[r["document_id"] for r in results],
        answer=answer["answer"],
        abstained=bool(answer["abstained"]),
        search_ms=round(search_ms, 1),
        ask_ms=round(ask_ms, 1),
    )


async def evidence_in_store(client: httpx.AsyncClient, queries: Sequence[MultiHopRow]) -> float:
    """Ceiling for Hits@k: share of gold facts found in their gold articles as stored after ingest
    (cleaning could drop or alter a line; then no retriever can find that fact)."""
    texts: dict[str, str] = {}
    for doc_id in sorted({d for q in queries for d in q.gold_doc_ids}):
        try:
            body, _ = await request_json(client, "GET", f"/v1/documents/{doc_id}")
            texts[doc_id] = body["text"]
        except EvalHTTPError:
            continue
    facts = [(q, i) for q in queries for i in range(len(q.facts))]
    found = sum(
        any(i in facts_in(texts.get(d, ""), q.facts) for d in q.gold_doc_ids) for q, i in facts
    )
    return found / len(facts) if facts else float("nan")


class HasGoldDocs(Protocol):
    """A frozen dataclass row with gold article ids (``dataclasses.replace`` works on it)."""

    __dataclass_fields__: ClassVar[dict[str, Any]]

    @property
    def gold_doc_ids(self) -> list[str]: ...


RowT = TypeVar("RowT", bound=HasGoldDocs)


def map_duplicates_of(rows: Sequence[RowT], collapsed: Mapping[str, str]) -> list[RowT]:
    """Gold articles that ingest merged into a near-duplicate are looked for under the kept id."""
    return [
        replace(r, gold_doc_ids=list(dict.fromkeys(collapsed.get(d, d) for d in r.gold_doc_ids)))
        for r in rows
    ]


def by_type(rows: Sequence[MultiHopRow]) -> dict[str, dict[str, float]]:
    types = sorted({r.question_type for r in rows})
    return {t: summarize_multihop([r for r in rows if r.question_type == t]) for t in types}


async def benchmark(
    args: argparse.Namespace, embedder: Embedder | None, bar: Progress
) -> dict[str, Any]:
    queries = load_queries(args.data_dir / f"{args.split}.jsonl", args.limit)
    ingested = ingest_corpus(args.store, "multihop", args.data_dir / "corpus.jsonl", embedder, bar)
    base, embedder, report = ingested.settings, ingested.embedder, ingested.report
    args.ask_top_k = args.ask_top_k or base.ask_top_k
    queries = map_duplicates_of(queries, dict(report.duplicates))
    out: dict[str, Any] = {
        "ingest": {
            "documents": report.documents, "chunks_new": report.chunks_new,
            "chunks_unchanged": report.chunks_unchanged, "duplicates": report.duplicates,
            "skipped": [asdict(s) for s in report.skipped],
            "seconds": round(ingested.seconds, 1),
        },
        "modes": {},
    }  # fmt: skip
    for mode in MODES if args.mode == "all" else (args.mode,):
        services = prepare_services(base.model_copy(update={"retrieval_mode": mode}), embedder)
        task = bar.add_task(f"{mode:>7} queries", total=len(queries))
        async with app_client(services) as client:
            if "evidence_in_store" not in out:
                out["evidence_in_store"] = await evidence_in_store(client, queries)
            rows = await run_bounded(
                queries, partial(run_query, client, ask_top_k=args.ask_top_k),
                args.concurrency, partial(bar.advance, task),
            )  # fmt: skip
        out["modes"][mode] = {
            "summary": summarize_multihop(rows),
            "by_type": by_type(rows),
            "rows": [
                {**asdict(r), "passages": None, "correct": r.correct, **row_scores(r)} for r in rows
            ],
        }
    return out


def print_table(console: Console, modes: Mapping[str, Mapping[str, Any]]) -> None:
    table = Table(title="MultiHop-RAG sample")
    table.add_column("metric")
    for mode in modes:
        table.add_column(mode, justify="right")
    for metric in TABLE_METRICS:
        values = [modes[m]["summary"].get(metric, float("nan")) for m in modes]
        digits = 1 if metric.endswith("_ms") else 0 if metric.startswith("n_") else 3
        table.add_row(metric, *[f"{v:.{digits}f}" for v in values])
    console.print(table)


def markdown_table(modes: Mapping[str, Mapping[str, Any]]) -> str:
    lines = ["| metric | " + " | ".join(modes) + " |", "|---|" + "---:|" * len(modes)]
    for metric in TABLE_METRICS:
        digits = 1 if metric.endswith("_ms") else 0 if metric.startswith("n_") else 3
        cells = [f"{modes[m]['summary'].get(metric, float('nan')):.{digits}f}" for m in modes]
        lines.append(f"| {metric} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def run_multihop(args: argparse.Namespace, embedder: Embedder | None = None) -> int:
    console = Console()
    meta = {
        "split": args.split, "ask_top_k": args.ask_top_k, "search_top_k": SEARCH_K,
        "concurrency": args.concurrency,
    }  # fmt: skip
    result = run_benchmark(partial(benchmark, args, embedder), args.quiet, meta)
    report = write_report(args.report_dir, "multihop", result, markdown_table(result["modes"]))
    print_table(console, result["modes"])
    console.print(
        f"evidence facts present in the stored gold articles: {result['evidence_in_store']:.3f}; "
        f"report: {report}"
    )
    return 0
