"""The deploy gate: regression detection per direction, tolerance edges, NaN, baseline updates."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from eval.gate import (
    GATING,
    BaselineEntry,
    compare,
    compare_metric,
    load_baseline,
    parse_baseline,
    regressions,
    updated_baseline,
    write_baseline,
)

REPO = Path(__file__).resolve().parents[2]
HIGHER = BaselineEntry(value=0.80, tolerance=0.02, direction="higher")
LOWER = BaselineEntry(value=0.10, tolerance=0.02, direction="lower")


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (0.80, "ok"),
        (0.79, "ok"),  # worse, but within tolerance
        (0.78, "ok"),  # exactly at the threshold: 0.80 - 0.02
        (0.7799, "regressed"),
        (0.50, "regressed"),
        (0.81, "improved"),
    ],
)
def test_higher_is_better(value: float, status: str) -> None:
    assert compare_metric("mrr", value, HIGHER).status == status


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (0.10, "ok"),
        (0.12, "ok"),
        (0.1201, "regressed"),
        (0.50, "regressed"),
        (0.05, "improved"),
    ],
)
def test_lower_is_better(value: float, status: str) -> None:
    assert compare_metric("false_abstention_rate", value, LOWER).status == status


def test_a_drop_that_would_pass_a_lower_metric_fails_a_higher_one() -> None:
    """Same numbers, opposite directions: the direction decides, not the sign of the delta."""
    down = compare_metric("x", 0.70, BaselineEntry(0.80, 0.02, "higher"))
    up = compare_metric("x", 0.70, BaselineEntry(0.80, 0.02, "lower"))
    assert (down.status, up.status) == ("regressed", "improved")


def test_nan_and_missing_metrics_regress() -> None:
    rows = compare({"mrr": math.nan}, {"mrr": HIGHER, "recall_at_5": HIGHER})
    assert [r.status for r in rows] == ["regressed", "regressed"]
    assert "undefined" in rows[0].explain()
    assert "undefined" in rows[1].explain()


def test_explain_names_metric_and_amount() -> None:
    row = compare_metric("recall_at_5", 0.70, HIGHER)
    assert row.explain().startswith("recall_at_5 regressed by 0.1000: 0.7000 vs baseline 0.8000")
    assert regressions([row, compare_metric("mrr", 0.8, HIGHER)]) == [row]


@pytest.mark.parametrize(
    "spec",
    [
        {"value": math.nan, "tolerance": 0.02, "direction": "higher"},
        {"value": None, "tolerance": 0.02, "direction": "higher"},
        {"value": True, "tolerance": 0.02, "direction": "higher"},
        {"value": 0.5, "tolerance": -0.1, "direction": "higher"},
        {"value": 0.5, "tolerance": 0.02, "direction": "up"},
        "0.5",
    ],
)
def test_malformed_baselines_are_rejected(spec: object) -> None:
    with pytest.raises(ValueError, match="mrr"):
        parse_baseline({"mrr": spec})


def test_update_keeps_tolerances_and_adds_missing_gating_metrics(tmp_path: Path) -> None:
    summary = {metric: 0.5 for metric in GATING} | {"latency_p50_ms": 12.0}
    new = updated_baseline(summary, {"mrr": BaselineEntry(0.9, 0.05, "higher")})
    assert set(new) == set(GATING)
    assert new["mrr"] == {"value": 0.5, "tolerance": 0.05, "direction": "higher"}
    assert new["false_abstention_rate"]["direction"] == "lower"
    path = tmp_path / "baseline.json"
    write_baseline(path, new)
    assert load_baseline(path)["mrr"] == BaselineEntry(0.5, 0.05, "higher")


def test_update_refuses_an_undefined_metric() -> None:
    summary = {metric: 0.5 for metric in GATING} | {"trap_abstention_rate": math.nan}
    with pytest.raises(ValueError, match="trap_abstention_rate"):
        updated_baseline(summary)


def test_committed_baseline_gates_every_gating_metric() -> None:
    raw = json.loads((REPO / "eval" / "baseline.json").read_text())
    baseline = parse_baseline(raw)
    assert {m: e.direction for m, e in baseline.items()} == GATING
    rates = {m: e for m, e in baseline.items() if m != "answer_words_mean"}
    assert all(0 < e.tolerance <= 0.05 for e in rates.values())
    assert 0 < baseline["answer_words_mean"].tolerance <= 15  # words, not a rate
