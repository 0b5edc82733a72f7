"""``SignatureStore`` as one ``.npz`` file (ids, hashes, uint32 values), replaced atomically."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from qa_service.core.signature_table import SignatureTable


class SignatureFile:
    """Implements ``SignatureStore``: 4 bytes per permutation per article (512 B at 128).

    The arrays are the table's own: ``lengths`` is ``width`` for a signed article and 0 for one
    with nothing to sign, ``values`` the signed rows one after another."""

    def __init__(self, path: Path, width: int) -> None:
        self._path = path
        self._width = width

    def load(self) -> SignatureTable:
        try:
            with np.load(self._path, allow_pickle=False) as data:
                ids, hashes, lengths = data["ids"], data["hashes"], data["lengths"]
                values = data["values"].astype(np.uint32, copy=False)
        except FileNotFoundError:
            return SignatureTable(self._width)
        lengths = lengths.astype(np.int64, copy=False)
        signed = lengths == self._width
        if signed.all():  # the usual file: the values are the matrix
            matrix = values.reshape(len(ids), self._width)
            return SignatureTable(self._width, ids.tolist(), hashes.tolist(), matrix, signed)
        matrix = np.zeros((len(ids), self._width), dtype=np.uint32)
        if np.isin(lengths, (0, self._width)).all():
            matrix[signed] = values.reshape(-1, self._width)
        else:  # a row of another length cannot be compared: kept as unsigned
            ends = np.cumsum(lengths)
            for row in np.flatnonzero(signed):
                matrix[row] = values[ends[row] - self._width : ends[row]]
        return SignatureTable(self._width, ids.tolist(), hashes.tolist(), matrix, signed)

    def save(self, signatures: SignatureTable) -> None:
        ids, hashes, matrix, signed = signatures.live()
        self._path.parent.mkdir(parents=True, exist_ok=True)
        staging = self._path.with_name(f".{self._path.name}.tmp.npz")
        np.savez(
            staging,
            ids=np.asarray(ids, dtype=str),
            hashes=np.asarray(hashes, dtype=str),
            lengths=np.where(signed, signatures.width, 0).astype(np.int64),
            values=(matrix if signed.all() else matrix[signed]).reshape(-1),
        )
        os.replace(staging, self._path)
