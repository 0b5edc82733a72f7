"""Imports flow one way: ``ingest/`` may use ``qa_service``, never the reverse (#15 item 4)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_qa_service_never_imports_ingest() -> None:
    offenders = {
        str(path.relative_to(REPO)): sorted(
            n for n in _imports(path) if n.split(".")[0] == "ingest"
        )
        for path in (REPO / "qa_service").rglob("*.py")
    }
    assert {p: names for p, names in offenders.items() if names} == {}


def test_ingestion_service_touches_no_vendor_adapter() -> None:
    """The use case goes through ports: no adapter, container or web framework imports."""
    banned = (
        "qa_service.adapters",
        "qa_service.container",
        "qa_service.api",
        "litestar",
        "chromadb",
    )
    found = {
        str(path.relative_to(REPO)): sorted(n for n in _imports(path) if n.startswith(banned))
        for path in (REPO / "qa_service" / "ingestion").rglob("*.py")
    }
    assert {p: names for p, names in found.items() if names} == {}


VENDOR_SDKS = ("chromadb", "openai", "tiktoken", "llama_index", "sentence_transformers", "torch")


def test_core_imports_no_vendor_sdk_web_framework_or_adapter() -> None:
    """``qa_service/core`` talks to ports only (STYLE: core imports no vendor SDK)."""
    banned = (
        *VENDOR_SDKS,
        "litestar",
        "qa_service.adapters",
        "qa_service.api",
        "qa_service.container",
    )
    found = {
        str(path.relative_to(REPO)): sorted(n for n in _imports(path) if n.startswith(banned))
        for path in (REPO / "qa_service" / "core").rglob("*.py")
    }
    assert {p: names for p, names in found.items() if names} == {}


def test_controllers_reach_adapters_only_through_the_container() -> None:
    banned = ("qa_service.adapters", *VENDOR_SDKS)
    found = {
        str(path.relative_to(REPO)): sorted(n for n in _imports(path) if n.startswith(banned))
        for path in (REPO / "qa_service" / "api" / "controllers").rglob("*.py")
    }
    assert {p: names for p, names in found.items() if names} == {}
