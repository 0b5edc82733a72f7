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
                blob = data["values"].astype(np.uint32, copy=False).tobytes()
        except FileNotFoundError:
            return {}
        # one bytes object sliced per article, not a numpy call per row: 0.77 -> 0.49 s for a
        # 150k-article archive (bench/signatures.py)
        ends = (np.cumsum(lengths) * 4).tolist()
        starts = [0, *ends[:-1]] if ends else []
        values = [blob[start:end] for start, end in zip(starts, ends, strict=True)]
        rows = zip(hashes.tolist(), values, strict=True)
        return dict(zip(ids.tolist(), rows, strict=True))

    def save(self, signatures: Mapping[str, tuple[str, bytes]]) -> None:
        ids = sorted(signatures)
        packed = [signatures[i][1] for i in ids]
        self._path.parent.mkdir(parents=True, exist_ok=True)
        staging = self._path.with_name(f".{self._path.name}.tmp.npz")
        np.savez(
            staging,
            ids=np.asarray(ids, dtype=str),
            hashes=np.asarray([signatures[i][0] for i in ids], dtype=str),
            lengths=np.fromiter((len(p) // 4 for p in packed), dtype=np.int64, count=len(ids)),
            values=np.frombuffer(b"".join(packed), dtype=np.uint32),
        )
        os.replace(staging, self._path)
