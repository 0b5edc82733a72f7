"""The archive's MinHash signatures as one matrix: a mapping of doc id -> (content hash when
signed, packed uint32 values) that never holds a Python object per signature.

A dict of 512-byte strings cost a run (load, index, save: ``bench/signatures.py``) 1.7-1.9 s at
150,000 articles and 12-15 s at a million, 25-40 times the bytes' own I/O. Here the values stay
in one uint32 matrix (a row per article, grown by doubling), so loading is one array copy and the
archive comparison reads the matrix in place.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping, Sequence

import numpy as np


class SignatureTable(MutableMapping[str, tuple[str, bytes]]):
    """Rows of ``width`` uint32 values. A packed value of any other length (``b""``: an
    article with nothing to sign) is kept as "unsigned" and reads back as ``b""``.

    ``matrix`` may have more rows than ``ids``: the rows past them are room for the articles
    a run adds (a loaded table that is full copies the whole matrix to grow)."""

    def __init__(
        self,
        width: int,
        ids: Sequence[str] = (),
        hashes: Sequence[str] = (),
        matrix: np.ndarray | None = None,
        signed: np.ndarray | None = None,
    ) -> None:
        count = len(ids)
        self.width = width
        self._ids: list[str | None] = list(ids)
        self._hashes: list[str] = list(hashes)
        self._row: dict[str, int] = dict(zip(self._ids, range(count), strict=True))  # type: ignore[arg-type]
        if len(self._row) != count or len(self._hashes) != count:
            raise ValueError("ids must be unique and match hashes one to one")
        self._matrix = (
            np.zeros((count, width), dtype=np.uint32)
            if matrix is None
            else np.ascontiguousarray(matrix, dtype=np.uint32)
        )
        given = np.zeros(count, dtype=bool) if signed is None else np.asarray(signed, bool)
        rows, columns = self._matrix.shape
        if rows < count or columns != width or given.shape != (count,):
            raise ValueError("matrix must be (len(ids) or more, width) and signed (len(ids),)")
        self._signed = np.zeros(rows, dtype=bool)  # rows past the ids: room to add articles
        self._signed[:count] = given
        self._used = count
        self._changed: set[str] = set()  # ids set or deleted since load / the last save

    # -- Mapping -------------------------------------------------------------------------
    def __getitem__(self, doc_id: str) -> tuple[str, bytes]:
        row = self._row[doc_id]
        packed = self._matrix[row].tobytes() if self._signed[row] else b""
        return self._hashes[row], packed

    def __setitem__(self, doc_id: str, value: tuple[str, bytes]) -> None:
        digest, packed = value
        row = self._row.get(doc_id)
        if row is None:
            row = self._append(doc_id)
        self._hashes[row] = digest
        full = len(packed) == 4 * self.width
        self._signed[row] = full
        self._matrix[row] = np.frombuffer(packed, dtype=np.uint32) if full else 0
        self._changed.add(doc_id)

    def __delitem__(self, doc_id: str) -> None:
        row = self._row.pop(doc_id)
        self._ids[row] = None
        self._signed[row] = False
        self._changed.add(doc_id)

    def __iter__(self) -> Iterator[str]:
        return iter(self._row)

    def __len__(self) -> int:
        return len(self._row)

    def hash_of(self, doc_id: str) -> str | None:
        """The content hash a stored signature was computed from; None when there is none."""
        row = self._row.get(doc_id)
        return None if row is None else self._hashes[row]

    # -- what a save must write -----------------------------------------------------------
    def changed(self) -> set[str]:
        """Ids set (added or replaced) or deleted since the table was built or last
        ``mark_saved``: one set entry per change, nothing per unchanged row."""
        return set(self._changed)

    def mark_saved(self) -> None:
        """The store now holds the table as it is: nothing changed since."""
        self._changed.clear()

    def select(self, doc_ids: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
        """(hashes, values, signed) of the given mapped ids, in that order (values a copy)."""
        rows = [self._row[doc_id] for doc_id in doc_ids]
        return [self._hashes[row] for row in rows], self._matrix[rows], self._signed[rows]

    def put_rows(
        self, doc_ids: Sequence[str], hashes: Sequence[str], values: np.ndarray, signed: np.ndarray
    ) -> None:
        """Set many ids at once (``values``: a row each, read where ``signed``): one matrix
        assignment instead of one per id, e.g. replaying a log."""
        rows = np.empty(len(doc_ids), dtype=np.int64)
        for at, (doc_id, digest) in enumerate(zip(doc_ids, hashes, strict=True)):
            row = self._row.get(doc_id)
            if row is None:
                row = self._append(doc_id)
            self._hashes[row] = digest
            rows[at] = row
        signed = np.asarray(signed, dtype=bool)
        self._matrix[rows] = np.where(signed[:, None], values, 0)
        self._signed[rows] = signed
        self._changed.update(doc_ids)

    # -- the matrix ----------------------------------------------------------------------
    def rows(self) -> tuple[list[str | None], np.ndarray, np.ndarray]:
        """(id per row, None for a deleted one; the values; which rows hold a signature) over
        the used rows. The arrays are views: nothing is copied."""
        used = self._used
        return self._ids, self._matrix[:used], self._signed[:used]

    def live(self) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
        """(ids, hashes, values, signed) of the rows still mapped, in row order: what a file
        saves."""
        used = self._used
        if len(self._row) == used:  # nothing deleted
            return self._ids, self._hashes, self._matrix[:used], self._signed[:used]  # type: ignore[return-value]
        keep = [row for row in range(used) if self._ids[row] is not None]
        ids = [self._ids[row] for row in keep]
        hashes = [self._hashes[row] for row in keep]
        return ids, hashes, self._matrix[keep], self._signed[keep]  # type: ignore[return-value]

    def _append(self, doc_id: str) -> int:
        if self._used == len(self._matrix):
            grown = max(16, 2 * len(self._matrix))
            matrix = np.zeros((grown, self.width), dtype=np.uint32)
            matrix[: self._used] = self._matrix[: self._used]
            signed = np.zeros(grown, dtype=bool)
            signed[: self._used] = self._signed[: self._used]
            self._matrix, self._signed = matrix, signed
        row = self._used
        self._used += 1
        self._ids.append(doc_id)
        self._hashes.append("")
        self._row[doc_id] = row
        return row
