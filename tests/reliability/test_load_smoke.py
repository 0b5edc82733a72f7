"""A 5-second, 10-client run of bench/load.py, so CI exercises the load harness end to end.

The full run (60 s x 50 clients per phase, MiniLM) is a benchmark: ``make load``; its numbers are
in docs/benchmarks.md. Here the embedder is the hashing one so the run stays short.
"""

from __future__ import annotations

import pytest

from bench.load import run

pytestmark = pytest.mark.slow


def test_short_load_run_has_no_errors() -> None:
    results = run(["search", "ask"], seconds=5, concurrency=10, embedder="hashing")
    by_phase = {r.phase: r for r in results}
    assert set(by_phase) == {"search", "ask"}
    for result in results:
        assert result.errors == 0, result.error_kinds
        assert result.requests >= 20 and result.req_per_s > 0
        assert 0 < result.p50_ms <= result.p95_ms <= result.p99_ms
        assert result.rss_before_mib > 0 and result.rss_after_mib > 0
    ask = by_phase["ask"]
    assert ask.p50_ms >= 200  # every answer waited for the stub's 200 ms first token
    assert ask.abstained < ask.requests  # the stub's answers quote passage 1: they get cited
