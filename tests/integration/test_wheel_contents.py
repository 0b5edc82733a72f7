"""A built wheel is the service: it carries its prompts and widget, so an installed copy needs no
checkout beside it (the Docker image installs the wheel and runs from site-packages)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(out), str(REPO)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (built,) = out.glob("*.whl")
    return built


def test_the_wheel_carries_every_prompt_file_byte_for_byte(wheel: Path) -> None:
    prompts = sorted((REPO / "prompts").glob("*.md"))
    assert prompts, "prompts/ holds the prompt files"
    with zipfile.ZipFile(wheel) as archive:
        for path in prompts:
            assert archive.read(f"qa_service/prompt_files/{path.name}") == path.read_bytes()
        assert "qa_service/api/static/widget.js" in archive.namelist()


def test_prompts_load_from_an_unpacked_wheel_without_the_checkout(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    probe = (
        "from qa_service.prompts import PROMPTS_DIR, load_prompt;"
        "print(PROMPTS_DIR); print(len(load_prompt('system', 'v2')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=True,
        env={**os.environ, "PYTHONPATH": str(site)},
    )  # fmt: skip
    where, length = result.stdout.split()
    assert Path(where).is_relative_to(site), where
    assert int(length) == len((REPO / "prompts" / "system.v2.md").read_text().strip())
