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


def _offenders(folder: str, banned: tuple[str, ...]) -> dict[str, list[str]]:
    """Modules under ``folder`` importing a name that starts with one of ``banned``."""
    found = {
        str(path.relative_to(REPO)): sorted(
            n for n in _imports(path) if n == "ingest" or n.startswith(banned)
        )
        for path in (REPO / folder).rglob("*.py")
    }
    return {p: names for p, names in found.items() if names}


VENDOR_SDKS = ("chromadb", "openai", "tiktoken", "llama_index", "sentence_transformers", "torch")


def test_qa_service_never_imports_ingest() -> None:
    assert _offenders("qa_service", ("ingest.",)) == {}


def test_ingestion_service_touches_no_vendor_adapter() -> None:
    """The use case goes through ports: no adapter, container or web framework imports."""
    banned = ("qa_service.adapters", "qa_service.container", "qa_service.api", "litestar")
    assert _offenders("qa_service/ingestion", (*banned, "chromadb")) == {}


def test_core_imports_no_vendor_sdk_web_framework_or_adapter() -> None:
    """``qa_service/core`` talks to ports only (STYLE: core imports no vendor SDK)."""
    banned = ("litestar", "qa_service.adapters", "qa_service.api", "qa_service.container")
    assert _offenders("qa_service/core", (*banned, *VENDOR_SDKS)) == {}


def test_controllers_reach_adapters_only_through_the_container() -> None:
    assert _offenders("qa_service/api/controllers", ("qa_service.adapters", *VENDOR_SDKS)) == {}


def test_the_ingest_job_reaches_adapters_only_through_the_container() -> None:
    """The CLI and its Ray executor name the store ``container.Store`` and build chunkers and
    stores with the container's functions; which adapters those are is the container's call."""
    assert _offenders("ingest", ("qa_service.adapters", *VENDOR_SDKS)) == {}
