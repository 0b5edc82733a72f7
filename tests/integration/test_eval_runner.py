"""The eval gate end to end: real MiniLM, real ingest, real HTTP app, the committed baseline.

One passing run is shared by the gate and the browser checks; a second run with retrieval cut to
one passage must fail the gate and name the metric; a small run against a live server checks the
``--url``/``--api-key`` path.
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from eval.__main__ import main
from eval.gate import GATING
from qa_service.api.app import create_app
from qa_service.container import Services
from qa_service.core.ports import Embedder
from tests.conftest import REPO
from tests.integration.live_server import serve_in_thread

pytestmark = pytest.mark.slow
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class Run:
    code: int
    output: str
    run_dir: Path

    def report(self) -> dict[str, Any]:
        return json.loads((self.run_dir / "report.json").read_text())  # type: ignore[no-any-return]


def run_eval(report_dir: Path, *args: str, embedder: Embedder | None = None) -> Run:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["run", "--report-dir", str(report_dir), "--quiet", *args], embedder=embedder)
    runs = sorted(p for p in report_dir.glob("*") if p.is_dir())
    return Run(code, out.getvalue(), runs[-1] if runs else report_dir)


@pytest.fixture(scope="module")
def passing_run(tmp_path_factory: pytest.TempPathFactory, minilm: Embedder) -> Run:
    """What ``make eval`` does (in-process, committed golden set and baseline), run once."""
    return run_eval(tmp_path_factory.mktemp("eval-reports"), embedder=minilm)


def test_committed_golden_set_passes_the_committed_baseline(passing_run: Run) -> None:
    assert passing_run.code == 0, passing_run.output
    assert "GATE PASSED" in passing_run.output
    assert "REGRESSION" not in passing_run.output
    report = passing_run.report()
    assert report["gate"]["passed"] is True
    assert len(report["questions"]) == 73  # 58 + the time slice (t01-t15)
    assert report["summary"]["n_errors"] == 0
    assert {p.name for p in passing_run.run_dir.iterdir()} >= {
        "report.json",
        "report.md",
        "report.html",
    }
    # failures are listed first
    passed = [q["passed"] for q in report["questions"]]
    assert passed == sorted(passed)
    # every citation the runner checked was verified against the document text it fetched
    assert all(c["correct"] or c["problem"] for q in report["questions"] for c in q["citations"])


def test_cutting_retrieval_to_one_passage_fails_the_gate(tmp_path: Path, minilm: Embedder) -> None:
    run = run_eval(tmp_path, "--top-k", "1", embedder=minilm)
    assert run.code == 1, run.output
    assert "GATE FAILED" in run.output
    assert "REGRESSION recall_at_5 regressed by" in run.output
    report = run.report()
    assert report["gate"]["passed"] is False
    assert any(r.startswith("recall_at_5 regressed") for r in report["gate"]["regressions"])


def test_html_report_renders_in_headless_chromium(passing_run: Run) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto((passing_run.run_dir / "report.html").as_uri())
            page.screenshot(path=str(ARTIFACTS / "eval-report.png"), full_page=False)
            verdict = page.locator(".verdict").inner_text()
            n_rows = page.locator("tr[id^='q-']").count()
            n_bars = page.locator("svg rect").count()
            first_row = page.locator("tr[id^='q-']").first.get_attribute("class")
        finally:
            browser.close()
    assert errors == []
    assert verdict.startswith("PASS")
    assert n_rows == 73  # 58 + the time slice
    assert n_bars == 2 * len(GATING)  # run + baseline bar for each gating metric
    assert first_row == "fail"  # failures first


def test_url_mode_sends_the_api_key(tmp_path: Path, seeded_services: Services) -> None:
    """Against a live server with keys: with the key every question is answered, without it
    every question errors (401) and the gate fails rather than passing on empty results."""
    golden = tmp_path / "golden.jsonl"
    lines = (REPO / "eval" / "golden" / "seeds.jsonl").read_text().splitlines()
    golden.write_text("\n".join([lines[0], lines[-1]]) + "\n")
    settings = seeded_services.settings.model_copy(update={"api_keys": SecretStr("k-eval")})
    baseline = tmp_path / "baseline.json"
    # passes as soon as one expected document is retrieved at all; fails when nothing is
    baseline.write_text(
        json.dumps({"mrr": {"value": 0.5, "tolerance": 0.49, "direction": "higher"}})
    )
    with serve_in_thread(create_app(settings, services=seeded_services)) as url:
        common = ["--url", url, "--golden", str(golden), "--baseline", str(baseline)]
        ok = run_eval(tmp_path / "ok", *common, "--api-key", "k-eval")
        denied = run_eval(tmp_path / "denied", *common)
    assert ok.code == 0, ok.output
    assert ok.report()["summary"]["n_errors"] == 0
    assert ok.report()["meta"]["target"] == f"service at {url}"
    assert denied.code == 1
    errors = [q["error"] for q in denied.report()["questions"]]
    assert len(errors) == 2 and all("HTTP 401" in e for e in errors)
