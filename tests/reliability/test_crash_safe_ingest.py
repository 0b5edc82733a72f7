"""SIGKILL the ingest job at random moments, re-run it, and compare with a clean ingest.

The write order in ``qa_service/ingestion/pipeline.py`` (chunks, stale deletes, lexical snapshot,
article record last) promises that a killed run leaves nothing a re-run can't repair. This test
holds it to that with real processes, a real Chroma directory and real kills (not exceptions
raised in-process).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from tests.reliability.synthetic import edit_jsonl_corpus, write_jsonl_corpus

pytestmark = pytest.mark.slow

ARTICLES = 300
KILL_POINTS = 5
MIN_KILLS = 3
SEED = 20251208


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "QA_EMBEDDER": "hashing",
        "PYTHONPATH": str(REPO),
        "QA_LOG_LEVEL": "WARNING",
    }


def ingest(corpus: Path, store: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "ingest", str(corpus), "--store", str(store), "--quiet"],
        cwd=REPO,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def probe(store: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "tests.reliability.store_probe", str(store)],
        cwd=REPO,
        env=_env(),
        capture_output=True,
        check=True,
        timeout=300,
    )
    state: dict[str, Any] = json.loads(out.stdout)
    return state


def wait_until_store_open(process: subprocess.Popen[bytes], timeout: float = 300) -> None:
    """Block until the job holds the Chroma database open (imports are done)."""
    deadline = time.monotonic() + timeout
    fds = Path(f"/proc/{process.pid}/fd")
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if any("chroma.sqlite3" in os.readlink(fd) for fd in fds.iterdir()):
                return
        except OSError:
            pass  # an fd closed while we looked
        time.sleep(0.02)


def writes_so_far(store: Path) -> int:
    """Records Chroma has logged for this store (its write-ahead queue only grows): progress.

    Read straight from Chroma's SQLite file, read-only and by primary key, so it neither blocks
    the writer nor goes through a second Chroma client. Used only to time kills, never asserted.
    """
    try:
        with sqlite3.connect(
            f"file:{store / 'chroma.sqlite3'}?mode=ro", uri=True, timeout=0.1
        ) as db:
            row = db.execute("SELECT max(seq_id) FROM embeddings_queue").fetchone()
    except sqlite3.Error:
        return 0
    return int(row[0] or 0)


def kill_at(process: subprocess.Popen[bytes], store: Path, writes: int) -> bool:
    """SIGKILL the job once the store has logged ``writes`` records; False if it finished first."""
    while process.poll() is None:
        if writes_so_far(store) >= writes:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=60)
            return True
        time.sleep(0.005)
    return False


def kill_after_commits(process: subprocess.Popen[bytes], store: Path, commits: int) -> bool:
    """SIGKILL the job right after its ``commits``-th write lands; False if it finished first.

    For re-runs over an existing store, where positions in the log are not known in advance:
    each write (a chunk batch, the stale-chunk delete, the article batch) moves the log once.
    """
    last, seen = writes_so_far(store), 0
    while process.poll() is None:
        now = writes_so_far(store)
        if now != last:
            last, seen = now, seen + 1
            if seen >= commits:
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=60)
                return True
        time.sleep(0.005)
    return False


def run_to_completion(corpus: Path, store: Path) -> float:
    """Seconds the job spent after opening the store (its write phase)."""
    process = ingest(corpus, store)
    wait_until_store_open(process)
    opened = time.monotonic()
    _, err = process.communicate(timeout=600)
    assert process.returncode == 0, err.decode()[-2000:]
    return time.monotonic() - opened


def summary(state: dict[str, Any]) -> str:
    chunks = sum(len(ids) for ids in state["chunks"].values())
    synced = state["lexical_ids"] == state["store_ids"]
    return (
        f"{chunks} chunks, {len(state['articles'])} articles, lexical in sync: {synced}, "
        f"chunks not matching their article's text: {state['misplaced']}"
    )


def test_killed_ingest_reruns_to_the_same_store_as_a_clean_one(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_jsonl_corpus(corpus, ARTICLES)
    clean_store, crashed_store = tmp_path / "clean", tmp_path / "crashed"
    write_seconds = run_to_completion(corpus, clean_store)
    clean = probe(clean_store)
    assert len(clean["articles"]) == ARTICLES

    # Kill points, as positions in the clean run's write log (chunk batches of 256, then the
    # article batch): random ones, plus the end of the chunks, where the lexical snapshot is
    # rebuilt before any article record is written.
    total = writes_so_far(clean_store)
    chunks = clean["count"]
    rng = random.Random(SEED)
    points = sorted({*rng.sample(range(1, total), KILL_POINTS - 1), chunks})
    kills: list[str] = []
    for point in points:
        if writes_so_far(crashed_store) >= point:
            continue  # an earlier run got past this point before it died
        process = ingest(corpus, crashed_store)
        if kill_at(process, crashed_store, point):
            kills.append(f"killed at write {point}/{total}: {summary(probe(crashed_store))}")
    print(f"\nclean ingest: {write_seconds:.2f}s after opening the store, {summary(clean)}")
    print(*kills, sep="\n")
    assert len(kills) >= MIN_KILLS, "the runs finished before they could be killed"

    run_to_completion(corpus, crashed_store)
    repaired = probe(crashed_store)
    assert_same_store(repaired, clean)

    # Edits: every 5th article changes, so a run writes new chunks, deletes the old ones and
    # replaces the article records. Kill each run right after its first write, until one has
    # nothing left to write, so every step is the last one done by some killed run.
    edited = edit_jsonl_corpus(corpus)
    run_to_completion(corpus, clean_store)
    clean = probe(clean_store)
    edit_kills = []
    for _ in range(4):
        if not kill_after_commits(ingest(corpus, crashed_store), crashed_store, 1):
            break
        edit_kills.append(f"edit run killed after its first write: {summary(probe(crashed_store))}")
    print(f"{edited} articles edited", *edit_kills, sep="\n")
    assert len(edit_kills) >= 2
    run_to_completion(corpus, crashed_store)
    repaired = probe(crashed_store)
    assert_same_store(repaired, clean)


def assert_same_store(repaired: dict[str, Any], clean: dict[str, Any]) -> None:
    assert repaired["count"] == clean["count"] == sum(len(v) for v in clean["chunks"].values())
    assert repaired["chunks"] == clean["chunks"]  # same ids per document: none missing or extra
    spans = [tuple(s) for s in repaired["spans"]]
    assert len(spans) == len(set(spans)), "two chunks cover the same slice of one article"
    assert set(repaired["chunks"]) == set(repaired["articles"]), "orphaned chunks or articles"
    assert repaired["articles"] == clean["articles"]  # every article record final, same hash
    assert repaired["lexical_ids"] == repaired["store_ids"]
    assert repaired["self_lookups"][0] == repaired["self_lookups"][1]
    assert repaired["misplaced"] == 0, "a chunk's text is not its article's text at its offsets"
