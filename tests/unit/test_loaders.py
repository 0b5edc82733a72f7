"""Loading: discovery, decoding, and every kind of bad input becoming a Skipped (never raising)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from ingest.loaders import discover_files, iter_records
from qa_service.ingestion.identity import stable_doc_id
from qa_service.ingestion.records import RawRecord, Skipped

SEEDS = Path(__file__).resolve().parents[2] / "data" / "articles"


def _records(paths: list[Path], **kwargs: int) -> tuple[list[RawRecord], list[Skipped]]:
    items = list(iter_records(paths, **kwargs))
    return (
        [i for i in items if isinstance(i, RawRecord)],
        [i for i in items if isinstance(i, Skipped)],
    )


def test_seed_files_load_with_stem_ids_and_text_format() -> None:
    records, skipped = _records([SEEDS])
    assert skipped == []
    assert [r.doc_id for r in records] == [
        "000_2024f5da2fff1265",
        "001_6b07ba3dde2957da",
        "002_bdbef122728239ac",
        "003_91a5866ccc87542e",
        "004_e3e65fdab3122716",
    ]
    assert all(r.fmt == "txt" and r.meta == {} for r in records)
    assert records[3].origin == "003_91a5866ccc87542e.txt"  # relative to the ingest root
    assert "Türkiye" in records[3].raw  # UTF-8 decoded


def test_discover_walks_recursively_sorted_and_filters_extensions(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    for name in (
        "b/z.md",
        "a.txt",
        "b/c.html",
        "d.jsonl",
        "e.markdown",
        "f.htm",
        "g.pdf",
        "h.py",
        ".git/config.txt",
    ):
        (tmp_path / name).write_text("x", encoding="utf-8")
    found = [p.relative_to(tmp_path).as_posix() for p in discover_files([tmp_path])]
    assert found == ["a.txt", "b/c.html", "b/z.md", "d.jsonl", "e.markdown", "f.htm"]


def test_missing_path_and_unsupported_file_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")
    records, skipped = _records([tmp_path / "nope", tmp_path / "notes.pdf"])
    assert records == []
    assert [s.reason for s in skipped] == ["path does not exist", "unsupported file type .pdf"]


def test_empty_and_whitespace_files_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_text(" \n\t\n  \n", encoding="utf-8")
    records, skipped = _records([tmp_path])
    assert records == []
    assert sorted((Path(s.origin).name, s.reason) for s in skipped) == [
        ("blank.md", "empty file"),
        ("empty.txt", "empty file"),
    ]


def test_binary_files_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    (tmp_path / "controls.txt").write_bytes(bytes(range(1, 9)) * 50)
    (tmp_path / "one_nul.txt").write_bytes(b"Mostly text. " * 100 + b"\x00")
    records, skipped = _records([tmp_path])
    assert records == []
    assert {s.reason for s in skipped} == {"binary file"}
    assert len(skipped) == 3


def test_latin1_and_bom_text_decode_correctly(tmp_path: Path) -> None:
    (tmp_path / "latin.txt").write_bytes("Un café à Paris coûte cher.".encode("latin-1"))
    (tmp_path / "bom.txt").write_bytes("\ufeffPeskov said it.".encode())
    (tmp_path / "cp1252.txt").write_bytes("“Quoted” – dash".encode("cp1252"))
    records, _ = _records([tmp_path])
    by_id = {r.doc_id: r.raw for r in records}
    assert by_id["latin"] == "Un café à Paris coûte cher."
    assert by_id["bom"] == "Peskov said it."
    assert by_id["cp1252"] == "“Quoted” – dash"


def test_file_over_max_bytes_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text("word " * 100, encoding="utf-8")
    records, skipped = _records([tmp_path], max_bytes=100)
    assert records == []
    assert skipped[0].reason.startswith("file larger than 100 bytes")


def test_real_10mb_file_is_skipped_quickly_with_default_limit(tmp_path: Path) -> None:
    big = tmp_path / "huge.txt"
    line = "The Kremlin said talks would continue next week in Geneva.\n"
    big.write_text(line * (10_000_000 // len(line) + 1), encoding="utf-8")
    assert big.stat().st_size > 10_000_000
    started = time.perf_counter()
    records, skipped = _records([big])
    assert time.perf_counter() - started < 1.0
    assert records == []
    assert skipped[0].reason.startswith("file larger than 5000000 bytes")


def test_unreadable_file_is_skipped_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "locked.txt"
    target.write_text("The text.", encoding="utf-8")
    (tmp_path / "fine.txt").write_text("Fine text.", encoding="utf-8")
    real_open = Path.open

    def deny(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", deny)
    records, skipped = _records([tmp_path])
    assert [r.doc_id for r in records] == ["fine"]
    assert skipped == [Skipped(target.name, "unreadable file: Permission denied")]


def test_jsonl_good_lines_load_and_bad_lines_are_skipped_alone(tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {
                "id": "wire-1",
                "title": "Talks resume",
                "text": "Talks resumed today.",
                "published_at": "2025-12-01",
                "source": "Wire",
                "url": "https://w.example/1",
            }
        ),
        "{not json",
        json.dumps({"doc_id": "wire-3", "title": "No body here"}),
        "",
        json.dumps({"body": "Second story body.", "author": "Ann Lee", "date": "2025-12-02"}),
        json.dumps(["a", "list"]),
    ]
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    records, skipped = _records([path])
    assert [(r.doc_id, r.origin, r.fmt) for r in records] == [
        ("wire-1", "feed.jsonl#L1", "jsonl"),  # a file given by name: its name only
        (stable_doc_id(records[1].meta, "Second story body."), "feed.jsonl#L5", "jsonl"),
    ]
    assert records[1].doc_id.startswith("text-")  # no url, no title: its text, not its line
    assert records[0].raw == "Talks resumed today."
    assert records[0].meta == {
        "title": "Talks resume",
        "url": "https://w.example/1",
        "source": "Wire",
        "author": None,
        "published_at": "2025-12-01",
    }
    assert records[1].meta["author"] == "Ann Lee"
    assert records[1].meta["published_at"] == "2025-12-02"
    reasons = {s.origin: s.reason for s in skipped}
    assert reasons["feed.jsonl#L2"].startswith("invalid JSON")
    assert reasons["feed.jsonl#L3"] == "no text/body field"
    assert reasons["feed.jsonl#L6"] == "JSON line is not an object"
    assert len(skipped) == 3


def test_markdown_and_html_formats_are_recognised(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# Title\n\nBody text here.", encoding="utf-8")
    (tmp_path / "b.htm").write_text("<html><body><p>Hi.</p></body></html>", encoding="utf-8")
    records, _ = _records([tmp_path])
    assert [(r.doc_id, r.fmt) for r in records] == [("a", "md"), ("b", "html")]


def test_origins_are_relative_to_the_ingest_root_never_absolute(tmp_path: Path) -> None:
    """Issue 17: /v1/documents showed absolute server paths (a temp directory) to any key."""
    root = tmp_path / "corpus"
    (root / "world" / "europe").mkdir(parents=True)
    (root / "world" / "europe" / "a.txt").write_text("Talks resumed today in Geneva.")
    single = tmp_path / "elsewhere" / "b.md"
    single.parent.mkdir()
    single.write_text("Markets rose on Monday.")
    records, _ = _records([root, single])
    assert sorted(r.origin for r in records) == ["b.md", "world/europe/a.txt"]
    assert not any(str(tmp_path) in r.origin for r in records)
