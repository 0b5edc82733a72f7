"""``python -m eval run|multihop|realtimeqa`` (console script ``qa-eval``); see eval/README.md."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from eval.golden_run import add_run_arguments, run_golden
from eval.multihop import add_multihop_arguments, run_multihop
from eval.realtimeqa import add_realtimeqa_arguments, run_realtimeqa
from qa_service.core.ports import Embedder


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m eval",
        description="Evaluate the QA service: the golden-set gate (run) or the external "
        "MultiHop-RAG sample (multihop) and RealTimeQA news quizzes (realtimeqa).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "run",
        help="golden set: metrics, gate against eval/baseline.json, report",
        description="Ask every golden question, score the answers, compare with the baseline "
        "and write report.{json,md,html}. Exit 0 = no gating metric regressed, 1 = regression, "
        "2 = could not run.",
    )
    add_run_arguments(run)
    multihop = commands.add_parser(
        "multihop",
        help="MultiHop-RAG sample: retrieval Hits/MRR/MAP, answer accuracy, abstention",
        description="Ingest the MultiHop-RAG sample corpus into its own collection and score "
        "/v1/search and /v1/ask on a split of its queries.",
    )
    add_multihop_arguments(multihop)
    realtimeqa = commands.add_parser(
        "realtimeqa",
        help="RealTimeQA news quizzes: retrieval Hits@4/@10, answers on answerable questions",
        description="Ingest a RealTimeQA split's passages into their own collection and score "
        "/v1/search on every question and /v1/ask on those whose answer is in a gold passage. "
        "The data has no licence: it is read from --data, never copied into the repo.",
    )
    add_realtimeqa_arguments(realtimeqa)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None, *, embedder: Embedder | None = None) -> int:
    """Entry point; ``embedder`` lets tests share one loaded model or inject a broken one."""
    # Nothing may reach the network at run time: the model ships in a package.
    for name, value in (
        ("HF_HUB_OFFLINE", "1"),
        ("TRANSFORMERS_OFFLINE", "1"),
        ("ANONYMIZED_TELEMETRY", "False"),
    ):
        os.environ.setdefault(name, value)
    args = parse_args(argv)
    # Litestar's logging config routes every library logger to stderr at INFO; one line per
    # eval request would bury the progress bar and the gate verdict.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if args.command == "multihop":
        return run_multihop(args, embedder)
    if args.command == "realtimeqa":
        return run_realtimeqa(args, embedder)
    return run_golden(args, embedder)


if __name__ == "__main__":
    sys.exit(main())
