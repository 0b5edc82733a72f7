"""Versioned prompt files from ``prompts/`` (``<name>.<version>.md``), loaded by name."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

PROMPTS_DIR = Path(__file__).resolve().parents[1] / "prompts"


@lru_cache(maxsize=64)
def load_prompt(name: str, version: str = "v1", directory: Path = PROMPTS_DIR) -> str:
    path = directory / f"{name}.{version}.md"
    if not path.is_file():
        raise FileNotFoundError(f"prompt {name!r} version {version!r} not found at {path}")
    return path.read_text(encoding="utf-8").strip()
