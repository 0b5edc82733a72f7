"""The append-only log beside a signature base file: one checksummed frame per save.

Layout: a header (magic, width, the id of the base file it extends), then frames. A frame is
what one save changed: the ids deleted, and the ids set with their content hashes, signed
flags and uint32 rows. Its header carries the lengths and a CRC-32 of the rest, so a frame cut
short (a process killed mid-append) or damaged fails the check; reading stops there and the
frame is ignored whole, as if that save had not started. A log whose header names another
base (the base was rewritten, then the process died before the log was reset) is ignored.
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_HEADER = struct.Struct("<8sI32s")  # magic, width, base id (32 hex digits)
_MAGIC = b"QASIGLG1"
_FRAME = struct.Struct("<4sIQI")  # magic, meta bytes, values bytes, CRC-32 of meta + values
_FRAME_MAGIC = b"SGF1"
HEADER_SIZE = _HEADER.size


@dataclass(frozen=True)
class Frame:
    deleted: list[str]
    ids: list[str]
    hashes: list[str]
    signed: np.ndarray  # bool per id
    values: np.ndarray  # (len(ids), width) uint32; rows not signed are zeros


def header(width: int, base_id: str) -> bytes:
    return _HEADER.pack(_MAGIC, width, base_id.encode("ascii"))


def encode(frame: Frame) -> bytes:
    meta = json.dumps(
        {
            "deleted": frame.deleted,
            "ids": frame.ids,
            "hashes": frame.hashes,
            "signed": frame.signed.astype(bool).tolist(),
        },
        ensure_ascii=False,
    ).encode()
    values = np.ascontiguousarray(frame.values, dtype="<u4").tobytes()
    crc = zlib.crc32(values, zlib.crc32(meta))
    return _FRAME.pack(_FRAME_MAGIC, len(meta), len(values), crc) + meta + values


def read(path: Path, width: int, base_id: str) -> tuple[list[Frame], int] | None:
    """The whole frames of the log of base ``base_id`` and the offset where they end (where
    the next frame goes; a torn or damaged tail lies beyond it). None: no such log."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    if len(data) < HEADER_SIZE or data[:HEADER_SIZE] != header(width, base_id):
        return None
    frames = list(_frames(data, width))
    end = HEADER_SIZE + sum(_FRAME.size + size for _, size in frames)
    return [frame for frame, _ in frames], end


def _frames(data: bytes, width: int) -> Iterator[tuple[Frame, int]]:
    at = HEADER_SIZE
    while at + _FRAME.size <= len(data):
        magic, meta_size, values_size, crc = _FRAME.unpack_from(data, at)
        start, end = at + _FRAME.size, at + _FRAME.size + meta_size + values_size
        if magic != _FRAME_MAGIC or end > len(data):
            return
        body = memoryview(data)[start:end]
        if zlib.crc32(body) != crc:
            return
        frame = _decode(bytes(body[:meta_size]), body[meta_size:], width)
        if frame is None:
            return
        yield frame, end - start
        at = end


def _decode(meta_bytes: bytes, values: memoryview, width: int) -> Frame | None:
    try:
        meta = json.loads(meta_bytes)
        ids, hashes, signed = meta["ids"], meta["hashes"], np.asarray(meta["signed"], bool)
        matrix = np.frombuffer(values, dtype="<u4").astype(np.uint32).reshape(len(ids), width)
    except (ValueError, KeyError, TypeError):
        return None
    if len(hashes) != len(ids) or signed.shape != (len(ids),):
        return None
    return Frame(list(meta["deleted"]), ids, hashes, signed, matrix)


def valid_tail(path: Path, start: int, width: int) -> bool:
    """Whether a whole frame begins at ``start``: the log grew past what this process read
    (another writer), rather than by a torn append that may be cut off."""
    with path.open("rb") as handle:
        handle.seek(start)
        data = handle.read()
    return next(_frames(b"\0" * HEADER_SIZE + data, width), None) is not None
