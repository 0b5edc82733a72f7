"""The Ray executor's driver-side tests (``ray_driver_cases.py``) run in a pytest process of
their own. A driver that starts and shuts down several Ray sessions leaves native threads and
signal handlers behind (ray-project/ray#31145): the main test process once died of a
segmentation fault a hundred and fifty tests after them, with no traceback, because Ray had
replaced Python's fault handler. Here Ray never starts in the main process."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow

CASES = "tests/integration/ray_driver_cases.py"
CASE_COUNT = 6  # all of them ran: none deselected, skipped or left uncollected


def test_ray_executor_cases_pass_in_a_process_of_their_own() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", CASES],
        cwd=REPO,
        env=os.environ.copy(),  # the same dead proxy and offline switches as this run
        capture_output=True,
        text=True,
        timeout=1800,
    )
    report = (done.stdout + done.stderr)[-6000:]
    assert done.returncode == 0, f"{CASES} failed (exit {done.returncode}):\n{report}"
    assert re.search(rf"\b{CASE_COUNT} passed\b", done.stdout), report
    assert "skipped" not in done.stdout, report
