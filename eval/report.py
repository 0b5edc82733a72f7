"""Run reports: one folder per run with report.json (machine), report.md and report.html (people).

Layout: ``<report-dir>/<UTC timestamp>-<git short sha | nogit>/``. Questions are ordered failures
first (new failures, i.e. passing in the previous report, before old ones) so a reader sees what
got worse without scrolling.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eval.gate import GateRow
from eval.html_report import render_html
from eval.metrics import QuestionResult, citation_is_correct, question_failures
from eval.runner import Collected

REPO = Path(__file__).resolve().parents[1]


def git_short_sha(repo: Path = REPO) -> str:
    """Commit of the working tree, read from ``.git`` directly (no subprocess); "nogit" if none."""
    git = repo / ".git"
    try:
        if git.is_file():  # a worktree: "gitdir: <path>"
            git = Path(git.read_text().split(":", 1)[1].strip())
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref:"):
            return head[:7]
        ref = head.split(":", 1)[1].strip()
        ref_file = git / ref
        if ref_file.is_file():
            return ref_file.read_text().strip()[:7]
        packed = git / "packed-refs"
        if packed.is_file():
            for line in packed.read_text().splitlines():
                if line.endswith(" " + ref):
                    return line.split()[0][:7]
        # a "commondir" worktree keeps refs in the main repository
        common = git / "commondir"
        if common.is_file():
            main = (git / common.read_text().strip()).resolve()
            if (main / ref).is_file():
                return (main / ref).read_text().strip()[:7]
    except (OSError, IndexError):
        pass
    return "nogit"


def new_run_dir(
    report_dir: Path, now: datetime | None = None, suffix: str = "", sha: str | None = None
) -> Path:
    """A fresh folder named by UTC time and commit; never reuses an existing one."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    base = f"{stamp}-{sha or git_short_sha()}{suffix}"
    path = report_dir / base
    n = 1
    while path.exists():
        n += 1
        path = report_dir / f"{base}.{n}"
    path.mkdir(parents=True)
    return path


def finite_or_none(value: float) -> float | None:
    """JSON has no NaN: an undefined metric is written as null."""
    return value if isinstance(value, int | float) and math.isfinite(value) else None


def previous_report(report_dir: Path, current: Path) -> tuple[str, dict[str, bool]] | None:
    """The latest earlier golden run's name and pass/fail per question id, if there is one."""
    candidates = sorted(
        p
        for p in report_dir.glob("*/report.json")
        if p.parent != current and p.parent.name < current.name
    )
    for path in reversed(candidates):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return path.parent.name, {q["id"]: bool(q["passed"]) for q in data["questions"]}
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return None


def _citation_view(
    citation: Mapping[str, Any], row: QuestionResult, texts: Mapping[str, str]
) -> dict[str, Any]:
    ok, why = citation_is_correct(citation, row.expected_doc_ids, texts)
    return {**citation, "correct": ok, "problem": why}


def question_views(
    collected: Collected, previous: Mapping[str, bool] | None
) -> list[dict[str, Any]]:
    """Per-question report rows, failures first (new failures before known ones)."""
    views: list[dict[str, Any]] = []
    for row in collected.rows:
        failures = question_failures(row, collected.doc_texts)
        passed = not failures
        was = previous.get(row.id) if previous is not None else None
        view = asdict(row)
        view.update(
            passed=passed,
            failures=failures,
            change=(
                "new failure"
                if was is True and not passed
                else "fixed"
                if was is False and passed
                else ""
            ),
            retrieved_doc_ids=list(dict.fromkeys(row.retrieved_doc_ids)),
            citations=[_citation_view(c, row, collected.doc_texts) for c in row.citations],
            **collected.extras.get(row.id, {}),
        )
        views.append(view)
    views.sort(key=lambda v: (v["passed"], v["change"] != "new failure", v["id"]))
    return views


def build_report(
    meta: Mapping[str, Any],
    summary: Mapping[str, float],
    by_category: Mapping[str, Mapping[str, float]],
    gate_rows: Sequence[GateRow],
    questions: list[dict[str, Any]],
) -> dict[str, Any]:
    regressed = [row for row in gate_rows if row.regressed]
    return {
        "meta": dict(meta),
        "gate": {
            "passed": not regressed,
            "rows": [
                {
                    **asdict(row),
                    "value": finite_or_none(row.value),
                    "delta": finite_or_none(row.delta),
                }
                for row in gate_rows
            ],
            "regressions": [row.explain() for row in regressed],
        },
        "summary": {k: finite_or_none(v) for k, v in summary.items()},
        "by_category": {
            c: {k: finite_or_none(v) for k, v in values.items()}
            for c, values in by_category.items()
        },
        "questions": questions,
    }


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _md_cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


CATEGORY_COLUMNS = (
    "n_questions",
    "recall_at_5",
    "mrr",
    "citation_precision",
    "key_fact_coverage",
    "trap_abstention_rate",
    "false_abstention_rate",
    "answer_contains_and_cites",
    "answer_words_mean",
)


def render_markdown(report: Mapping[str, Any]) -> str:
    gate, meta = report["gate"], report["meta"]
    lines = [
        f"# Eval report {meta['run']}",
        "",
        f"**{'PASS' if gate['passed'] else 'FAIL'}** — {meta['target']}, "
        f"golden `{meta['golden']}`, "
        f"top_k {meta['top_k']}, {len(report['questions'])} questions, "
        f"{sum(not q['passed'] for q in report['questions'])} failing.",
        "",
        *[f"- REGRESSION: {text}" for text in gate["regressions"]],
        "",
        "| metric | value | baseline | delta | status |",
        "|---|---|---|---|---|",
        *[
            f"| {r['metric']} | {_fmt(r['value'])} | {_fmt(r['baseline'])} | {_fmt(r['delta'])} "
            f"| {r['status']} |"
            for r in gate["rows"]
        ],
        "",
        "| other metric | value |",
        "|---|---|",
        *[
            f"| {k} | {_fmt(v)} |"
            for k, v in report["summary"].items()
            if k not in {r["metric"] for r in gate["rows"]}
        ],
        "",
        "## By category",
        "",
        "| category | " + " | ".join(CATEGORY_COLUMNS) + " |",
        "|---|" + "---|" * len(CATEGORY_COLUMNS),
        *[
            f"| {c} | " + " | ".join(_fmt(v.get(k)) for k in CATEGORY_COLUMNS) + " |"
            for c, v in report["by_category"].items()
        ],
        "",
        "## Questions (failures first)",
        "",
    ]
    for q in report["questions"]:
        status = "PASS" if q["passed"] else "FAIL"
        change = f" ({q['change']})" if q["change"] else ""
        lines += [f"### {status}{change} {q['id']} [{q['category']}] {_md_cell(q['question'])}", ""]
        lines += [f"- failure: {_md_cell(reason)}" for reason in q["failures"]]
        lines += [f"- answer: {_md_cell(q['answer'])}"]
        for c in q["citations"]:
            mark = "ok" if c["correct"] else f"WRONG ({c['problem']})"
            lines.append(
                f"  - [{c.get('id')}] {c.get('document_id')} {c.get('start')}:{c.get('end')} "
                f"{mark}: “{_md_cell(c.get('quote', ''))}”"
            )
        lines.append("")
    return "\n".join(lines) + "\n"


def write_report(run_dir: Path, report: Mapping[str, Any]) -> None:
    (run_dir / "report.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False, allow_nan=False), encoding="utf-8"
    )
    (run_dir / "report.md").write_text(render_markdown(report), encoding="utf-8")
    (run_dir / "report.html").write_text(render_html(report), encoding="utf-8")
