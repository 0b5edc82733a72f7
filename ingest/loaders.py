"""Find article files and read them into raw records (``RawRecord``/``Skipped`` live in
``qa_service.ingestion.records``, shared with the HTTP push route), never raising on bad input.

Every file or JSONL line that cannot be used becomes a ``Skipped`` with a reason, so one broken
file in a corpus costs that file, not the ingest run.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

from qa_service.ingestion.identity import stable_doc_id
from qa_service.ingestion.records import RawRecord, Skipped

FORMATS = {
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
}
META_FIELDS = ("title", "url", "source", "author", "published_at")
_META_ALIASES = {"published": "published_at", "date": "published_at", "site": "source"}
_SNIFF_BYTES = 8192
_CONTROL_RATIO = 0.1  # more control characters than this and it is not text
_ALLOWED_CONTROLS = frozenset(b"\t\n\r\x0b\x0c\x1b")


def discover_files(paths: Sequence[Path]) -> list[Path]:
    """Supported files under ``paths`` (directories walked recursively, each sorted).

    Missing paths and unsupported files given by name are left out here; ``iter_records``
    reports them as ``Skipped``. Hidden files and folders (".git") are not walked.
    """
    found: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            candidates = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.is_file():
            candidates = [path]
        else:
            continue
        for candidate in candidates:
            key = candidate.resolve()
            if candidate.suffix.lower() in FORMATS and key not in seen:
                seen.add(key)
                found.append(candidate)
    return found


def missing_or_unsupported(paths: Sequence[Path]) -> list[Skipped]:
    """Skips for paths that do not exist or are files of a format we do not read."""
    skipped: list[Skipped] = []
    for path in paths:
        if not path.exists():
            skipped.append(Skipped(str(path), "path does not exist"))
        elif path.is_file() and path.suffix.lower() not in FORMATS:
            skipped.append(Skipped(str(path), f"unsupported file type {path.suffix or '(none)'}"))
    return skipped


def is_binary(data: bytes) -> bool:
    """NUL bytes or many control characters in the first block mean a binary file."""
    head = data[:_SNIFF_BYTES]
    if b"\x00" in head:
        return True
    controls = sum(1 for byte in head if byte < 32 and byte not in _ALLOWED_CONTROLS)
    return bool(head) and controls / len(head) > _CONTROL_RATIO


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM stripped); otherwise cp1252, the usual encoding of legacy Western pages."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # total: every byte maps to a character


def _read_text(path: Path, max_bytes: int) -> str | Skipped:
    origin = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return Skipped(origin, f"file larger than {max_bytes} bytes ({size} bytes)")
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        return Skipped(origin, f"unreadable file: {exc.strerror or type(exc).__name__}")
    if len(data) > max_bytes:  # grew after stat
        return Skipped(origin, f"file larger than {max_bytes} bytes")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return _non_empty(origin, data.decode("utf-16"))
        except UnicodeDecodeError:
            return Skipped(origin, "binary file")
    if is_binary(data):
        return Skipped(origin, "binary file")
    return _non_empty(origin, decode_text(data))


def _non_empty(origin: str, text: str) -> str | Skipped:
    return text if text.strip() else Skipped(origin, "empty file")


def _jsonl_records(path: Path, text: str) -> Iterator[RawRecord | Skipped]:
    """One record per JSONL line; a bad line is skipped alone."""
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        origin = f"{path}#L{line_no}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Skipped(origin, f"invalid JSON: {exc.msg}")
            continue
        if not isinstance(obj, dict):
            yield Skipped(origin, "JSON line is not an object")
            continue
        body = next((obj[k] for k in ("text", "body") if isinstance(obj.get(k), str)), None)
        if body is None or not body.strip():
            yield Skipped(origin, "no text/body field")
            continue
        meta = _jsonl_meta(obj)
        doc_id = _record_id(obj) or stable_doc_id(meta, body)
        yield RawRecord(origin, doc_id, "jsonl", body, meta)


def _record_id(obj: dict[str, object]) -> str | None:
    """The record's own id (``doc_id`` or ``id``), when it is a usable string or integer."""
    for key in ("doc_id", "id"):
        value = obj.get(key)
        if isinstance(value, bool) or not isinstance(value, str | int):
            continue
        if text := str(value).strip():
            return text
    return None


def _jsonl_meta(obj: dict[str, object]) -> dict[str, str | None]:
    meta: dict[str, str | None] = dict.fromkeys(META_FIELDS)
    for key, value in obj.items():
        name = _META_ALIASES.get(key, key)
        if name in meta and isinstance(value, str) and value.strip() and meta[name] is None:
            meta[name] = value.strip()
    return meta


def iter_records(
    paths: Sequence[Path], max_bytes: int = 5_000_000
) -> Iterator[RawRecord | Skipped]:
    """Raw records from every supported file under ``paths``, plus a Skipped for each misfit."""
    yield from missing_or_unsupported(paths)
    for path in discover_files(paths):
        text = _read_text(path, max_bytes)
        if isinstance(text, Skipped):
            yield text
            continue
        fmt = FORMATS[path.suffix.lower()]
        if fmt == "jsonl":
            yield from _jsonl_records(path, text)
        else:
            yield RawRecord(str(path), path.stem, fmt, text, {})
