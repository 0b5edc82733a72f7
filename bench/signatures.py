"""The one per-run cost that still grows with the archive: the MinHash signature file.

    PYTHONPATH=$PWD .venv/bin/python -m bench.signatures [--sizes 15000,150000] [--runs 3]
        [--batch 100]

Every ingest run and every push loads the whole file (``SignatureFile.load``), builds the
comparison matrix (``ArchiveIndex``) and, when it wrote an article, saves: until session 7 the
whole file again, since then one frame appended to the log (the last figure). For each archive
size (articles; the synthetic store of docs/benchmarks.md "Freshness" has ~6.7 chunks an
article) this writes random 128-value signatures, then times load, index and the whole file's
save (median of ``--runs``) next to the raw I/O floor, ``np.save``/``np.load`` of the same
values as one uint32 matrix, and prints the ratio: how much of the cost is not the bytes' own
I/O (a dict of 512-byte strings cost 25-40x at 150k-1M articles; the matrix since session 6,
7-14x).

Then the comparison of new articles with the archive, both ways in the same runs (alternating,
median of ``--runs``): ``--batch`` new signatures, half of them planted near-copies of stored
rows (at or above the service's threshold, 0.6) and half unrelated, compared with every row
(``ArchiveIndex(banded=False)``, the code before the band index) and through the band index
(built per run, then one lookup per article). Prints the index build, the per-article compare,
the whole batch and the ratios, and fails unless both ways give the same answer for every
article.

Last, a push of one new article, the old way and the new side by side (alternating, median of
``--runs``): a fresh ``SignatureFile`` (as a new run) loads the table, the article is compared
with every row, added, and the table saved. "rewrite" is the file configured to compact on
every save (``rewriting``: the whole base rewritten, as before the log; the first
figures' save is that too); "append"
the default file, which appends one log frame. Each starts from its own copy of the same base.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

from qa_service.adapters.signature_file import SignatureFile
from qa_service.core.models import Article
from qa_service.core.signature_table import SignatureTable
from qa_service.ingestion.archive_dedup import NUM_PERM, ArchiveIndex
from qa_service.ingestion.dedup import DEFAULT_THRESHOLD


def timed(action: Callable[[], object], runs: int) -> float:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def alternating(actions: dict[str, Callable[[], object]], runs: int) -> dict[str, float]:
    """Median seconds of each action, the actions taking turns within every run."""
    seconds: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(runs):
        for name, action in actions.items():
            started = time.perf_counter()
            action()
            seconds[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in seconds.items()}


def new_signatures(matrix: np.ndarray, batch: int, rng: np.random.Generator) -> list[bytes]:
    """Half near-copies of stored rows (0 to 51 of 128 values changed: similarity >= 0.6), half
    unrelated signatures."""
    planted = []
    for row in rng.choice(len(matrix), batch // 2, replace=False):
        copy = matrix[row].copy()
        changed = rng.choice(NUM_PERM, int(rng.integers(0, 52)), replace=False)
        copy[changed] ^= rng.integers(1, 2**32, len(changed), dtype=np.uint32)
        planted.append(copy.tobytes())
    fresh = rng.integers(0, 2**32, (batch - len(planted), NUM_PERM), dtype=np.uint32)
    return planted + [row.tobytes() for row in fresh]


def compare_batch(
    table: SignatureTable, packed: list[bytes], banded: bool
) -> tuple[list[str | None], float]:
    """The answers for every new signature, and the seconds spent building the index."""
    started = time.perf_counter()
    index = ArchiveIndex(table, DEFAULT_THRESHOLD, queries=len(packed), banded=banded)
    built = time.perf_counter() - started
    new = Article("new", "")
    return [index.original_of(new, (), values) for values in packed], built


def measure_compare(table: SignatureTable, matrix: np.ndarray, batch: int, runs: int) -> str:
    packed = new_signatures(matrix, batch, np.random.default_rng(11))
    answers: dict[bool, list[str | None]] = {}
    builds: dict[bool, list[float]] = {False: [], True: []}

    def run(banded: bool) -> None:
        answers[banded], built = compare_batch(table, packed, banded)
        builds[banded].append(built)

    medians = alternating({"all rows": lambda: run(False), "bands": lambda: run(True)}, runs)
    if answers[False] != answers[True]:
        raise AssertionError("the band index and the exhaustive compare disagree")
    found = sum(answer is not None for answer in answers[True])
    build = statistics.median(builds[True])
    old, new = medians["all rows"], medians["bands"]
    old_each = (old - statistics.median(builds[False])) / batch * 1e3
    new_each = (new - build) / batch * 1e3
    return (
        f"{len(table):>9,} articles, {batch} new ({found} copies found by both, same answers): "
        f"per article all rows {old_each:.2f} ms | bands {new_each:.3f} ms "
        f"({old_each / new_each:,.0f}x) | batch all rows {old:.2f} s | bands {new:.2f} s "
        f"(build {build:.2f} s) ({old / new:.1f}x)"
    )


def measure(articles: int, runs: int, folder: Path, batch: int) -> str:
    rng = np.random.default_rng(7)
    matrix = rng.integers(0, 2**32, (articles, NUM_PERM), dtype=np.uint32)
    ids = [f"doc_{i:08d}" for i in range(articles)]
    signed = np.ones(articles, dtype=bool)
    table = SignatureTable(NUM_PERM, ids, ["0" * 16] * articles, matrix, signed)
    store = rewriting(folder / "signatures.npz")  # save: the whole file
    store.save(table)
    size_mb = (folder / "signatures.npz").stat().st_size / 1e6
    loaded = store.load()
    load = timed(store.load, runs)
    index = timed(lambda: ArchiveIndex(loaded, DEFAULT_THRESHOLD, banded=False), runs)
    bands = timed(lambda: ArchiveIndex(loaded, DEFAULT_THRESHOLD, banded=True), runs)
    save = timed(lambda: rewriting(folder / "signatures.npz").save(loaded), runs)  # whole
    raw = folder / "raw.npy"
    raw_save = timed(lambda: np.save(raw, matrix), runs)
    raw_load = timed(lambda: np.load(raw), runs)
    ours, floor = load + index + save, raw_load + raw_save
    return (
        f"{articles:>9,} articles ({size_mb:,.0f} MB): load {load:.2f} s, index {index:.2f} s, "
        f"save {save:.2f} s = {ours:.2f} s a run | raw np.load + np.save {floor:.2f} s | "
        f"ratio {ours / floor:.1f}x | with the band index (a batch): index {bands:.2f} s, "
        f"{ours + bands - index:.2f} s a run\n"
        + measure_compare(loaded, matrix, batch, runs)
        + "\n"
        + measure_push(loaded, runs, folder)
    )


def rewriting(path: Path) -> SignatureFile:
    """A signature file that rewrites its base on every save that changes anything (no log
    kept: compaction at 0 rows), as the file did before the log."""
    return SignatureFile(path, NUM_PERM, compact_fraction=0.0, compact_floor=0)


def push_one(store: SignatureFile, packed: bytes, seconds: dict[str, list[float]]) -> None:
    """One run that brings one new article: load, compare with the archive, add, save."""
    started = time.perf_counter()
    table = store.load()
    loaded = time.perf_counter()
    index = ArchiveIndex(table, DEFAULT_THRESHOLD, queries=1)
    index.original_of(Article("new", ""), (), packed)
    compared = time.perf_counter()
    table[f"push_{len(seconds['load'])}"] = ("1" * 16, packed)
    store.save(table)
    saved = time.perf_counter()
    seconds["load"].append(loaded - started)
    seconds["compare"].append(compared - loaded)
    seconds["save"].append(saved - compared)
    seconds["total"].append(saved - started)


def measure_push(table: SignatureTable, runs: int, folder: Path) -> str:
    stores = {
        "rewrite": lambda: rewriting(folder / "rewrite.npz"),
        "append": lambda: SignatureFile(folder / "append.npz", NUM_PERM),
    }
    for make in stores.values():
        make().save(table)  # the same base for both
    fresh = np.random.default_rng(3).integers(0, 2**32, NUM_PERM, dtype=np.uint32).tobytes()
    steps = ("load", "compare", "save", "total")
    seconds: dict[str, dict[str, list[float]]] = {
        name: {step: [] for step in steps} for name in stores
    }

    def run(name: str) -> None:
        push_one(stores[name](), fresh, seconds[name])

    alternating({name: partial(run, name) for name in stores}, runs)
    median = {
        name: {step: statistics.median(values) for step, values in steps.items()}
        for name, steps in seconds.items()
    }
    old, new = median["rewrite"], median["append"]
    log_kb = (folder / "append.log").stat().st_size / 1e3
    cells = ", ".join(f"{step} {old[step]:.3f} / {new[step]:.3f} s" for step in old)
    return (
        f"{len(table):>9,} articles, push one article, rewrite / append (log {log_kb:.1f} kB "
        f"after {runs} pushes): {cells} | save {old['save'] / new['save']:,.0f}x, "
        f"run {old['total'] / new['total']:.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="15000,150000", help="archive sizes, in articles")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=100, help="new articles compared")
    args = parser.parse_args()
    for articles in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as folder:
            print(measure(articles, args.runs, Path(folder), args.batch), flush=True)


if __name__ == "__main__":
    main()
