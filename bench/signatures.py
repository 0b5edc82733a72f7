"""The one per-run cost that still grows with the archive: the MinHash signature file.

    PYTHONPATH=$PWD .venv/bin/python -m bench.signatures [--sizes 15000,150000] [--runs 3]

Every ingest run and every push loads the whole file (``SignatureFile.load``), builds the
comparison matrix (``ArchiveIndex``) and, when it wrote an article, saves the whole file again.
For each archive size (articles; the synthetic store of docs/benchmarks.md "Freshness" has ~6.7
chunks an article) this writes random 128-value signatures, then times load, index and save
(median of ``--runs``) next to the raw I/O floor, ``np.save``/``np.load`` of the same values as
one uint32 matrix, and prints the ratio: how much of the cost is not the bytes' own I/O (a
dict of 512-byte strings cost 25-40x at 150k-1M articles; the matrix since session 6, 7-14x).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from qa_service.adapters.signature_file import SignatureFile
from qa_service.core.signature_table import SignatureTable
from qa_service.ingestion.archive_dedup import NUM_PERM, ArchiveIndex


def timed(action: Callable[[], object], runs: int) -> float:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def measure(articles: int, runs: int, folder: Path) -> str:
    rng = np.random.default_rng(7)
    matrix = rng.integers(0, 2**32, (articles, NUM_PERM), dtype=np.uint32)
    ids = [f"doc_{i:08d}" for i in range(articles)]
    signed = np.ones(articles, dtype=bool)
    table = SignatureTable(NUM_PERM, ids, ["0" * 16] * articles, matrix, signed)
    store = SignatureFile(folder / "signatures.npz", NUM_PERM)
    store.save(table)
    size_mb = (folder / "signatures.npz").stat().st_size / 1e6
    loaded = store.load()
    load = timed(store.load, runs)
    index = timed(lambda: ArchiveIndex(loaded, 0.8), runs)
    save = timed(lambda: store.save(loaded), runs)
    raw = folder / "raw.npy"
    raw_save = timed(lambda: np.save(raw, matrix), runs)
    raw_load = timed(lambda: np.load(raw), runs)
    ours, floor = load + index + save, raw_load + raw_save
    return (
        f"{articles:>9,} articles ({size_mb:,.0f} MB): load {load:.2f} s, index {index:.2f} s, "
        f"save {save:.2f} s = {ours:.2f} s a run | raw np.load + np.save {floor:.2f} s | "
        f"ratio {ours / floor:.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="15000,150000", help="archive sizes, in articles")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for articles in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as folder:
            print(measure(articles, args.runs, Path(folder)), flush=True)


if __name__ == "__main__":
    main()
