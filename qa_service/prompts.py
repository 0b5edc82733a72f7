"""Versioned prompt files from ``prompts/`` (``<name>.<version>.md``), loaded by name.

The files live in the repository's top-level ``prompts/``; ``qa_service/prompt_files`` is a link
to that folder, so they ship inside the package (package data) and load the same from a
checkout, an editable install or a built wheel."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parent / "prompt_files"


@lru_cache(maxsize=64)
def load_prompt(name: str, version: str = "v1", directory: Path = PROMPTS_DIR) -> str:
    path = directory / f"{name}.{version}.md"
    if not path.is_file():
        raise FileNotFoundError(f"prompt {name!r} version {version!r} not found at {path}")
    return path.read_text(encoding="utf-8").strip()
