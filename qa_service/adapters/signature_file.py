"""``SignatureStore`` as one ``.npz`` file (ids, hashes, uint32 values), replaced atomically."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np


class SignatureFile:
    """Implements ``SignatureStore``: 4 bytes per permutation per article (512 B at 128)."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def load(self) -> dict[str, tuple[str, bytes]]:
        try:
            with np.load(self._path, allow_pickle=False) as data:
                ids, hashes, lengths = data["ids"], data["hashes"], data["lengths"]
                flat = data["values"]
        except FileNotFoundError:
            return {}
        ends = np.cumsum(lengths)
        return {
            str(doc_id): (str(digest), flat[end - length : end].tobytes())
            for doc_id, digest, length, end in zip(ids, hashes, lengths, ends, strict=True)
        }

    def save(self, signatures: Mapping[str, tuple[str, bytes]]) -> None:
        ids = sorted(signatures)
        rows = [np.frombuffer(signatures[i][1], dtype=np.uint32) for i in ids]
        self._path.parent.mkdir(parents=True, exist_ok=True)
        staging = self._path.with_name(f".{self._path.name}.tmp.npz")
        np.savez(
            staging,
            ids=np.asarray(ids, dtype=str),
            hashes=np.asarray([signatures[i][0] for i in ids], dtype=str),
            lengths=np.asarray([len(r) for r in rows], dtype=np.int64),
            values=np.concatenate(rows) if rows else np.zeros(0, dtype=np.uint32),
        )
        os.replace(staging, self._path)
