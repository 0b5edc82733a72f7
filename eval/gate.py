"""The deploy gate: compare a run's summary with ``eval/baseline.json``, metric by metric.

Baseline format: ``{metric: {"value": x, "tolerance": t, "direction": "higher" | "lower"}}``.
A gating metric regresses when it is worse than ``value ∓ tolerance`` in its direction, or when
it is undefined (NaN) or missing in the run: an undefined metric must never pass a gate.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Direction = Literal["higher", "lower"]
# Float noise in a mean of 0/1 values must not flip the gate; real regressions are >= 1/58.
EPSILON = 1e-9
DEFAULT_TOLERANCE = 0.02
# Quality metrics that gate a deploy, and which way is better (see eval/README.md).
GATING: dict[str, Direction] = {
    "recall_at_5": "higher",
    "mrr": "higher",
    "citation_precision": "higher",
    "key_fact_coverage": "higher",
    "trap_abstention_rate": "higher",
    "false_abstention_rate": "lower",
    "citations_after_as_of": "lower",  # a count; tolerance 0.01, so one leaked citation fails
    "answer_contains_and_cites": "higher",
    "quotes_verbatim_rate": "higher",
    "answer_words_mean": "lower",
}


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    value: float
    tolerance: float
    direction: Direction


@dataclass(frozen=True, slots=True)
class GateRow:
    """One metric of one run against its baseline entry."""

    metric: str
    value: float
    baseline: float
    tolerance: float
    direction: Direction
    delta: float  # value - baseline (NaN when value is undefined)
    status: Literal["ok", "improved", "regressed"]

    @property
    def regressed(self) -> bool:
        return self.status == "regressed"

    def explain(self) -> str:
        """One line naming the metric and by how much it moved, for logs and CI output."""
        if math.isnan(self.value):
            return (
                f"{self.metric} regressed: undefined (NaN or missing) in this run, "
                f"baseline {self.baseline:.4f}"
            )
        better = "higher" if self.direction == "higher" else "lower"
        return (
            f"{self.metric} regressed by {abs(self.delta):.4f}: {self.value:.4f} vs baseline "
            f"{self.baseline:.4f} (tolerance {self.tolerance:.4f}, {better} is better)"
        )


def parse_baseline(raw: Mapping[str, object]) -> dict[str, BaselineEntry]:
    """Validate a baseline mapping; a malformed or non-finite entry is an error, not a pass."""
    entries: dict[str, BaselineEntry] = {}
    for metric, spec in raw.items():
        if not isinstance(spec, Mapping):
            raise ValueError(f"baseline {metric!r}: expected an object")
        value, tolerance, direction = (
            spec.get("value"),
            spec.get("tolerance"),
            spec.get("direction"),
        )
        if (
            not isinstance(value, int | float)
            or isinstance(value, bool)
            or not math.isfinite(value)
        ):
            raise ValueError(f"baseline {metric!r}: value must be a finite number, got {value!r}")
        if not isinstance(tolerance, int | float) or not tolerance >= 0:
            raise ValueError(f"baseline {metric!r}: tolerance must be >= 0, got {tolerance!r}")
        if direction not in ("higher", "lower"):
            raise ValueError(f"baseline {metric!r}: direction must be 'higher' or 'lower'")
        entries[metric] = BaselineEntry(float(value), float(tolerance), direction)
    return entries


def load_baseline(path: Path) -> dict[str, BaselineEntry]:
    return parse_baseline(json.loads(path.read_text(encoding="utf-8")))


def compare_metric(metric: str, value: float, entry: BaselineEntry) -> GateRow:
    """Regressed when worse than the baseline by more than the tolerance, or undefined."""
    if math.isnan(value):
        status: Literal["ok", "improved", "regressed"] = "regressed"
        delta = math.nan
    else:
        delta = value - entry.value
        worse_by = -delta if entry.direction == "higher" else delta
        if worse_by > entry.tolerance + EPSILON:
            status = "regressed"
        elif worse_by < -EPSILON:
            status = "improved"
        else:
            status = "ok"
    return GateRow(metric, value, entry.value, entry.tolerance, entry.direction, delta, status)


def compare(summary: Mapping[str, float], baseline: Mapping[str, BaselineEntry]) -> list[GateRow]:
    """A row per baseline metric, in baseline order; a metric missing from the run counts as NaN."""
    return [
        compare_metric(metric, float(summary.get(metric, math.nan)), entry)
        for metric, entry in baseline.items()
    ]


def regressions(rows: list[GateRow]) -> list[GateRow]:
    return [row for row in rows if row.regressed]


def updated_baseline(
    summary: Mapping[str, float], previous: Mapping[str, BaselineEntry] | None = None
) -> dict[str, dict[str, object]]:
    """A new baseline from this run: previous tolerances and directions are kept.

    The gating metrics are always included; refuses an undefined value, because a NaN baseline
    could never be met and would block every later deploy.
    """
    previous = previous or {}
    metrics = dict.fromkeys([*GATING, *previous])
    out: dict[str, dict[str, object]] = {}
    for metric in metrics:
        value = float(summary.get(metric, math.nan))
        if not math.isfinite(value):
            raise ValueError(f"cannot record a baseline: {metric} is undefined in this run")
        old = previous.get(metric)
        out[metric] = {
            "value": value,
            "tolerance": old.tolerance if old else DEFAULT_TOLERANCE,
            "direction": old.direction if old else GATING[metric],
        }
    return out


def write_baseline(path: Path, baseline: Mapping[str, Mapping[str, object]]) -> None:
    path.write_text(json.dumps(baseline, indent=2) + "\n", encoding="utf-8")
