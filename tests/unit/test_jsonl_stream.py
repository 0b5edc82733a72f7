"""JSONL feeds stream line by line; the size limit applies per record (#15 item 5)."""

from __future__ import annotations

import json
from pathlib import Path

from ingest.loaders import iter_records
from qa_service.ingestion.records import RawRecord, Skipped


def _line(i: int) -> str:
    return json.dumps({"url": f"https://n.example/{i}", "text": f"Story number {i} happened."})


def test_feed_larger_than_the_limit_streams_and_only_the_oversized_line_is_skipped(
    tmp_path: Path,
) -> None:
    lines = [_line(i) for i in range(200)]
    lines[57] = json.dumps({"url": "https://n.example/big", "text": "word " * 1000})
    path = tmp_path / "feed.jsonl"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    assert path.stat().st_size > 10 * 1000

    items = list(iter_records([path], max_bytes=1000))
    records = [r for r in items if isinstance(r, RawRecord)]
    assert [s for s in items if isinstance(s, Skipped)] == [
        Skipped("feed.jsonl#L58", "record larger than 1000 bytes")
    ]
    assert len(records) == 199
    assert records[57].origin == "feed.jsonl#L59"  # line numbers stay right after the skip
    assert records[57].raw == "Story number 58 happened."


def test_line_exactly_at_the_limit_is_kept(tmp_path: Path) -> None:
    line = _line(1)
    path = tmp_path / "feed.jsonl"
    path.write_text(line + "\n" + line.replace("/1", "/2") + "x\n", encoding="utf-8")
    items = list(iter_records([path], max_bytes=len(line.encode())))
    assert isinstance(items[0], RawRecord)
    assert items[1] == Skipped("feed.jsonl#L2", f"record larger than {len(line)} bytes")


def test_last_line_without_newline_and_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + _line(1).encode() + b"\n" + _line(2).encode())
    records = [r for r in iter_records([path]) if isinstance(r, RawRecord)]
    assert [r.raw for r in records] == ["Story number 1 happened.", "Story number 2 happened."]


def test_binary_and_empty_feeds_are_skipped_whole(tmp_path: Path) -> None:
    (tmp_path / "bin.jsonl").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "empty.jsonl").write_text("\n\n", encoding="utf-8")
    reasons = {s.origin: s.reason for s in iter_records([tmp_path]) if isinstance(s, Skipped)}
    assert reasons == {
        str(tmp_path / "bin.jsonl"): "binary file",
        str(tmp_path / "empty.jsonl"): "empty file",
    }
