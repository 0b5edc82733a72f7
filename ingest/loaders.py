"""Find article files and read them into raw records (``RawRecord``/``Skipped`` live in
``qa_service.ingestion.records``, shared with the HTTP push route), never raising on bad input.

Every file or JSONL line that cannot be used becomes a ``Skipped`` with a reason, so one broken
file in a corpus costs that file, not the ingest run.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from ingest.decoding import decode_text, is_binary
from ingest.jsonl import jsonl_records
from qa_service.ingestion.records import RawRecord, Skipped

FORMATS = {
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
}


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


def origin_label(path: Path, roots: Sequence[Path]) -> str:
    """Where a record came from, as the API shows it (``origins``): the path relative to the
    ingest root it was found under, or the file's name; never an absolute server path."""
    for root in roots:
        if root.is_dir():
            try:
                return path.relative_to(root).as_posix()
            except ValueError:
                continue
    return path.name


def _read_text(path: Path, max_bytes: int, origin: str) -> str | Skipped:
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


def iter_records(
    paths: Sequence[Path], max_bytes: int = 5_000_000
) -> Iterator[RawRecord | Skipped]:
    """Raw records from every supported file under ``paths``, plus a Skipped for each misfit.

    ``max_bytes`` limits one record: a whole .txt/.md/.html file, or one JSONL line (a JSONL feed
    of any size streams through; an oversized line is skipped with its line number)."""
    yield from missing_or_unsupported(paths)
    for path in discover_files(paths):
        yield from file_records(path, origin_label(path, paths), max_bytes)


def file_records(path: Path, label: str, max_bytes: int) -> Iterator[RawRecord | Skipped]:
    """The records of one file (``label``: its origin), wherever it is read (a Ray worker)."""
    fmt = FORMATS[path.suffix.lower()]
    if fmt == "jsonl":  # streamed line by line: the limit applies per record
        yield from jsonl_records(path, max_bytes, label)
        return
    text = _read_text(path, max_bytes, label)
    if isinstance(text, Skipped):
        yield text
    else:
        yield RawRecord(label, path.stem, fmt, text, {})
