"""Report building: escaping, failures-first ordering, chunk->document mapping, run folders."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from eval.gate import BaselineEntry, compare
from eval.metrics import QuestionResult, score_question, summarize, summarize_by_category
from eval.report import (
    build_report,
    git_short_sha,
    new_run_dir,
    previous_report,
    question_views,
    render_markdown,
    write_report,
)
from eval.runner import Collected, retrieved_documents

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'
TEXTS = {"d1": f"Peskov said {EVIL} peace, not a ceasefire.", "d2": "Other text."}


def result(qid: str, **kwargs: Any) -> QuestionResult:
    values: dict[str, Any] = {
        "id": qid,
        "question": f"What did Peskov say? {EVIL}",
        "category": "single",
        "answerable": True,
        "expected_doc_ids": ["d1"],
        "key_facts": ["ceasefire"],
        "retrieved_doc_ids": ["d1"],
    }
    values.update(kwargs)
    return score_question(QuestionResult(**values), TEXTS)


def good_citation() -> dict[str, Any]:
    start = TEXTS["d1"].index(EVIL)
    return {"id": 1, "chunk_id": "c1", "document_id": "d1", "quote": EVIL, "start": start,
            "end": start + len(EVIL)}  # fmt: skip


def collected() -> Collected:
    rows = [
        result("s1", answer=f"{EVIL} ceasefire [1]", citations=[good_citation()]),
        result("s2", answer="nothing", citations=[], retrieved_doc_ids=["d2"]),
        result("s3", answer="ceasefire [1]", citations=[{**good_citation(), "start": 0}]),
    ]
    return Collected(rows=rows, doc_texts=TEXTS)


def report_for(data: Collected, previous: dict[str, bool] | None = None) -> dict[str, Any]:
    summary = summarize(data.rows)
    rows = compare(summary, {"recall_at_5": BaselineEntry(1.0, 0.02, "higher")})
    meta = {"run": "r1", "target": "t", "golden": "g", "top_k": 5, "created_at": "now"}
    views = question_views(data, previous)
    return build_report(meta, summary, summarize_by_category(data.rows), rows, views)


def test_failures_come_first_and_new_failures_lead() -> None:
    views = question_views(collected(), {"s1": True, "s2": False, "s3": True})
    assert [(v["id"], v["passed"], v["change"]) for v in views] == [
        ("s3", False, "new failure"),
        ("s2", False, ""),
        ("s1", True, ""),
    ]
    assert "citation 1: quote not verbatim" in " ".join(views[0]["failures"])


def test_html_escapes_article_text_everywhere(tmp_path: Path) -> None:
    report = report_for(collected())
    write_report(tmp_path, report)
    page = (tmp_path / "report.html").read_text()
    assert "<script" not in page.lower()
    assert "<img" not in page.lower()
    assert "&lt;script&gt;" in page
    assert "<svg" in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert json.loads((tmp_path / "report.json").read_text())["gate"]["passed"] is False


def test_markdown_names_the_regressed_metric() -> None:
    text = render_markdown(report_for(collected()))
    assert "REGRESSION: recall_at_5 regressed by 0.3333" in text
    assert text.index("FAIL") < text.index("### PASS")


def test_nan_metrics_become_null_in_json() -> None:
    report = report_for(collected())
    assert report["summary"]["trap_abstention_rate"] is None  # no traps in these rows
    assert math.isnan(summarize(collected().rows)["trap_abstention_rate"])


def test_retrieved_chunks_map_to_documents_in_ask_order() -> None:
    search = [{"chunk_id": "c2", "document_id": "d2"}, {"chunk_id": "c1", "document_id": "d1"}]
    cites = [{"chunk_id": "c3", "document_id": "d3"}]
    assert retrieved_documents(["c1", "c3", "c2"], search, cites) == (["d1", "d3", "d2"], 0)
    # an unknown chunk is reported and the search order is appended as a fallback
    assert retrieved_documents(["c9", "c1"], search, []) == (["d1", "d2", "d1"], 1)


def test_git_short_sha_reads_refs_without_git(tmp_path: Path) -> None:
    assert git_short_sha(tmp_path) == "nogit"
    git = tmp_path / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    (git / "packed-refs").write_text("# pack\n0123456789abcdef refs/heads/main\n")
    assert git_short_sha(tmp_path) == "0123456"
    (git / "refs" / "heads" / "main").write_text("fedcba9876543210\n")
    assert git_short_sha(tmp_path) == "fedcba9"
    (git / "HEAD").write_text("abcdef0123456789\n")
    assert git_short_sha(tmp_path) == "abcdef0"


def test_run_dirs_are_unique_and_previous_report_is_the_latest_earlier(tmp_path: Path) -> None:
    first, second = new_run_dir(tmp_path), new_run_dir(tmp_path)
    assert first != second and first.is_dir() and second.is_dir()
    (first / "report.json").write_text(json.dumps({"questions": [{"id": "s1", "passed": True}]}))
    assert previous_report(tmp_path, second) == (first.name, {"s1": True})
    assert previous_report(tmp_path, first) is None
