"""What feeds the ingestion service: raw records (from files or HTTP) and the inputs it skipped."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RawRecord:
    """One article's undecoded-structure source: a file, one JSONL line, or one pushed document."""

    origin: str  # file path, f"{path}#L{line_no}" for a JSONL line, "push:<id>" over HTTP
    doc_id: str
    fmt: str  # "txt" | "md" | "html" | "jsonl" (JSONL and pushes: already extracted text)
    raw: str
    meta: dict[str, str | None] = field(default_factory=dict)  # explicit fields (JSONL, push)


@dataclass(frozen=True)
class Skipped:
    """An input we did not use, and why (reported to the operator, not raised)."""

    origin: str
    reason: str
