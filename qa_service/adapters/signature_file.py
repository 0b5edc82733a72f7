"""``SignatureStore`` as a base ``.npz`` (ids, hashes, uint32 values), replaced atomically, plus
an append-only log beside it (``signature_log``): a save appends what changed since the load,
and rewrites the base only when the log outgrows a share of it (compaction)."""

from __future__ import annotations

import os
import struct
import uuid
import weakref
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa_service.adapters import signature_log
from qa_service.core.signature_table import SignatureTable


@dataclass
class _OnDisk:
    """What the last load or save of this process left on disk, and for which table."""

    table: weakref.ref[SignatureTable]
    base_id: str | None  # None: no base, or one from before the log (no id): compact
    base_stamp: tuple[int, int, int] | None
    log_end: int  # where the next frame goes
    base_rows: int
    log_rows: int  # ids the log's frames set or delete, repeats counted


class SignatureFile:
    """Implements ``SignatureStore``: 4 bytes per permutation per article (512 B at 128).

    ``path`` is the base; its log is ``path`` with the suffix ``.log``. A save appends one
    frame (the ids changed since this process loaded or last saved that same table) when the
    disk is still as that load or save left it; otherwise, or once the log's rows would pass
    ``compact_fraction`` of the base's (and ``compact_floor``), it rewrites the base whole
    (staging + ``os.replace``) with a new id and starts an empty log for it. A base written
    before the log (no id) loads as it always did; its first save rewrites it."""

    def __init__(
        self,
        path: Path,
        width: int,
        compact_fraction: float = 0.25,
        compact_floor: int = 1024,
    ) -> None:
        self._path = path
        self._log = path.with_suffix(".log")
        self._width = width
        self._fraction = compact_fraction
        self._floor = compact_floor
        self._disk: _OnDisk | None = None

    def load(self) -> SignatureTable:
        probe = self._base_id()
        logged = self._read_log(probe)
        added = sum(len(frame.ids) for frame in logged[0]) if logged else 0
        base_id, table = self._load_base(spare=added)  # room for the log's rows: no regrowth
        if base_id != probe:  # replaced in between (a writer without the lock)
            logged = self._read_log(base_id)
        base_rows, log_rows, log_end = len(table), 0, signature_log.HEADER_SIZE
        if logged is None:
            base_id = None  # no log to append to: the next save compacts
        else:
            frames, log_end = logged
            for frame in frames:
                for doc_id in frame.deleted:
                    table.pop(doc_id, None)
                table.put_rows(frame.ids, frame.hashes, frame.values, frame.signed)
                log_rows += len(frame.deleted) + len(frame.ids)
        table.mark_saved()
        self._disk = _OnDisk(
            weakref.ref(table), base_id, self._stamp(), log_end, base_rows, log_rows
        )
        return table

    def save(self, signatures: SignatureTable) -> None:
        disk = self._disk
        changed = signatures.changed()
        if disk is None or disk.table() is not signatures or not self._appendable(disk):
            self._compact(signatures)  # not the table as loaded, or the disk moved since
            return
        if disk.log_rows + len(changed) > max(self._fraction * disk.base_rows, self._floor):
            self._compact(signatures)
        elif changed:
            self._append(signatures, changed, disk)

    # -- the log -------------------------------------------------------------------------
    def _read_log(self, base_id: str | None) -> tuple[list[signature_log.Frame], int] | None:
        return None if base_id is None else signature_log.read(self._log, self._width, base_id)

    def _appendable(self, disk: _OnDisk) -> bool:
        """The base and log are as this process left them (a torn frame past the end aside,
        which the append overwrites)."""
        if disk.base_id is None or self._stamp() != disk.base_stamp:
            return False
        try:
            with self._log.open("rb") as handle:
                head = handle.read(signature_log.HEADER_SIZE)
                size = os.fstat(handle.fileno()).st_size
        except FileNotFoundError:
            return False
        if head != signature_log.header(self._width, disk.base_id) or size < disk.log_end:
            return False
        return size == disk.log_end or not signature_log.valid_tail(
            self._log, disk.log_end, self._width
        )

    def _append(self, signatures: SignatureTable, changed: set[str], disk: _OnDisk) -> None:
        ids = sorted(doc_id for doc_id in changed if doc_id in signatures)
        hashes, values, signed = signatures.select(ids)
        deleted = sorted(changed.difference(ids))
        frame = signature_log.Frame(deleted, ids, hashes, signed, values)
        with self._log.open("r+b") as handle:
            handle.seek(disk.log_end)
            handle.write(signature_log.encode(frame))
            handle.truncate()  # a torn frame of an earlier append, if longer
            disk.log_end = handle.tell()
        disk.log_rows += len(ids) + len(deleted)
        signatures.mark_saved()

    # -- the base ------------------------------------------------------------------------
    def _stamp(self) -> tuple[int, int, int] | None:
        try:
            stat = self._path.stat()
        except FileNotFoundError:
            return None
        return stat.st_ino, stat.st_size, stat.st_mtime_ns

    def _base_id(self) -> str | None:
        try:
            with np.load(self._path, allow_pickle=False) as data:
                return str(data["base_id"]) if "base_id" in data.files else None
        except FileNotFoundError:
            return None

    def _load_base(self, spare: int) -> tuple[str | None, SignatureTable]:
        try:
            with np.load(self._path, allow_pickle=False) as data:
                ids, hashes, lengths = data["ids"], data["hashes"], data["lengths"]
                base_id = str(data["base_id"]) if "base_id" in data.files else None
                signed = lengths.astype(np.int64, copy=False) == self._width
                # the usual file: every row signed, the values are the matrix
                full = (
                    _read_matrix(self._path, len(ids), self._width, spare) if signed.all() else None
                )
                values = data["values"].astype(np.uint32, copy=False) if full is None else None
        except FileNotFoundError:
            return None, SignatureTable(self._width)
        if full is not None:
            return base_id, SignatureTable(self._width, ids.tolist(), hashes.tolist(), full, signed)
        assert values is not None
        lengths = lengths.astype(np.int64, copy=False)
        room = _empty_rows(len(ids), spare, self._width)
        matrix = room[: len(ids)]
        if signed.all():
            matrix[:] = values.reshape(len(ids), self._width)
        elif np.isin(lengths, (0, self._width)).all():
            matrix[signed] = values.reshape(-1, self._width)
        else:  # a row of another length cannot be compared: kept as unsigned
            ends = np.cumsum(lengths)
            for row in np.flatnonzero(signed):
                matrix[row] = values[ends[row] - self._width : ends[row]]
        return base_id, SignatureTable(self._width, ids.tolist(), hashes.tolist(), room, signed)

    def _compact(self, signatures: SignatureTable) -> None:
        """The whole table as a new base, then an empty log for it. Killed in between, the old
        log names the old base and is ignored: the new base alone is complete."""
        ids, hashes, matrix, signed = signatures.live()
        base_id = uuid.uuid4().hex
        self._path.parent.mkdir(parents=True, exist_ok=True)
        staging = self._path.with_name(f".{self._path.name}.tmp.npz")
        np.savez(
            staging,
            ids=np.asarray(ids, dtype=str),
            hashes=np.asarray(hashes, dtype=str),
            lengths=np.where(signed, signatures.width, 0).astype(np.int64),
            values=(matrix if signed.all() else matrix[signed]).reshape(-1),
            base_id=np.asarray(base_id),
        )
        os.replace(staging, self._path)
        log_staging = self._log.with_name(f".{self._log.name}.tmp")
        log_staging.write_bytes(signature_log.header(self._width, base_id))
        os.replace(log_staging, self._log)
        signatures.mark_saved()
        self._disk = _OnDisk(
            weakref.ref(signatures),
            base_id,
            self._stamp(),
            signature_log.HEADER_SIZE,
            len(ids),
            0,
        )


def _empty_rows(count: int, spare: int, width: int) -> np.ndarray:
    """Zeroed rows for ``count`` stored signatures, ``spare`` more from the log, and 1/16 (at
    least 16) more for the articles a run adds."""
    return np.zeros((count + spare + max(16, count // 16), width), dtype=np.uint32)


def _read_matrix(path: Path, count: int, width: int, spare: int) -> np.ndarray | None:
    """The base's ``values`` as a (count, width) matrix with room after it for the log's rows
    (``spare``) and the articles a run adds (1/16 more rows), read from the file straight into
    it: no CRC pass over the bytes (the base is only ever replaced whole) and no copy; adding
    one article then copies nothing (a full matrix grows by doubling: a copy of the archive).
    None when the member is not the stored (uncompressed) plain uint32 array that ``np.savez``
    writes."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("values.npy")
    if info.compress_type != zipfile.ZIP_STORED:
        return None
    with path.open("rb") as handle:
        handle.seek(info.header_offset)
        local = handle.read(_LOCAL_HEADER.size)
        if len(local) != _LOCAL_HEADER.size or local[:4] != b"PK\x03\x04":
            return None
        name, extra = _LOCAL_HEADER.unpack(local)[-2:]
        handle.seek(info.header_offset + _LOCAL_HEADER.size + name + extra)
        if np.lib.format.read_magic(handle) != (1, 0):
            return None
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(handle)
        if fortran or dtype != np.dtype("<u4") or shape != (count * width,):
            return None
        matrix = _empty_rows(count, spare, width)
        target = matrix[:count].reshape(-1).view(np.uint8).data
        at = 0
        while at < len(target):
            read = handle.readinto(target[at:])
            if not read:
                return None
            at += read
        return matrix


_LOCAL_HEADER = struct.Struct("<4s22xHH")  # a zip member's local header: its name and extra
