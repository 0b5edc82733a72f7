"""JSONL feeds, streamed: one record per line, the size limit per line, never the whole file.

A 45 MB feed of 20,000 articles used to be skipped whole ("file larger than 5000000 bytes"); now a
feed of any size streams through, and only a line over the limit is skipped, with its number.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ingest.decoding import SNIFF_BYTES, decode_text, is_binary
from qa_service.ingestion.identity import stable_doc_id
from qa_service.ingestion.records import RawRecord, Skipped

META_FIELDS = ("title", "url", "source", "author", "published_at")
_META_ALIASES = {"published": "published_at", "date": "published_at", "site": "source"}
_SKIP_BLOCK = 1 << 20


def jsonl_records(path: Path, max_bytes: int, label: str) -> Iterator[RawRecord | Skipped]:
    """One record per line; a bad or oversized line is skipped alone."""
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
            if head.startswith((b"\xff\xfe", b"\xfe\xff")):
                yield Skipped(str(path), "UTF-16 JSONL is not supported (use UTF-8)")
                return
            if is_binary(head):
                yield Skipped(str(path), "binary file")
                return
            if not head.strip():
                yield Skipped(str(path), "empty file")
                return
            handle.seek(0)
            for line_no, line in _lines(handle, max_bytes):
                origin = f"{label}#L{line_no}"
                if line is None:
                    yield Skipped(origin, f"record larger than {max_bytes} bytes")
                elif line.strip():
                    yield _record(path, origin, decode_text(line))
    except OSError as exc:
        yield Skipped(str(path), f"unreadable file: {exc.strerror or type(exc).__name__}")


def _lines(handle: BinaryIO, max_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) per line, None for a line over ``max_bytes`` (read past, not kept)."""
    line_no = 0
    while line := handle.readline(max_bytes + 2):  # room for the line's own "\r\n"
        line_no += 1
        body = line.rstrip(b"\r\n")
        if len(body) <= max_bytes:
            yield line_no, body
            continue
        while not line.endswith(b"\n") and (line := handle.readline(_SKIP_BLOCK)):
            pass
        yield line_no, None


def _record(path: Path, origin: str, line: str) -> RawRecord | Skipped:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return Skipped(origin, f"invalid JSON: {exc.msg}")
    if not isinstance(obj, dict):
        return Skipped(origin, "JSON line is not an object")
    body = next((obj[k] for k in ("text", "body") if isinstance(obj.get(k), str)), None)
    if body is None or not body.strip():
        return Skipped(origin, "no text/body field")
    meta = record_meta(obj)
    return RawRecord(origin, record_id(obj) or stable_doc_id(meta, body), "jsonl", body, meta)


def record_id(obj: dict[str, object]) -> str | None:
    """The record's own id (``doc_id`` or ``id``), when it is a usable string or integer."""
    for key in ("doc_id", "id"):
        value = obj.get(key)
        if isinstance(value, bool) or not isinstance(value, str | int):
            continue
        if text := str(value).strip():
            return text
    return None


def record_meta(obj: dict[str, object]) -> dict[str, str | None]:
    meta: dict[str, str | None] = dict.fromkeys(META_FIELDS)
    for key, value in obj.items():
        name = _META_ALIASES.get(key, key)
        if name in meta and isinstance(value, str) and value.strip() and meta[name] is None:
            meta[name] = value.strip()
    return meta
