"""build_once: derived models are built once, atomically, and a failed build leaves nothing."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from qa_service.model_build.derived_models import MARKER, build_once, cached_model_dir


def test_concurrent_callers_build_once(tmp_path: Path) -> None:
    calls: list[Path] = []

    def build(source: Path, out: Path) -> None:
        calls.append(source)
        time.sleep(0.2)  # long enough for the other threads to queue on the lock
        (out / "weights.bin").write_bytes(b"w")

    target = tmp_path / "model-a"
    threads = [threading.Thread(target=build_once, args=(target, build)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert (target / "weights.bin").read_bytes() == b"w"
    assert (target / MARKER).is_file()
    assert (calls[0] / "tokenizer.json").is_file()  # built from the packaged model's files


def test_failed_build_leaves_no_directory_and_is_retried(tmp_path: Path) -> None:
    target = tmp_path / "model-b"

    def broken(source: Path, out: Path) -> None:
        (out / "half.bin").write_bytes(b"partial")
        raise RuntimeError("export crashed")

    with pytest.raises(RuntimeError):
        build_once(target, broken)
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")] == []

    build_once(target, lambda source, out: (out / "ok.bin").write_bytes(b"ok"))
    assert (target / "ok.bin").is_file() and not (target / "half.bin").exists()


def test_cache_directory_names_source_version_and_recipe(tmp_path: Path) -> None:
    one = cached_model_dir(tmp_path, "m", recipe=1)
    two = cached_model_dir(tmp_path, "m", recipe=2)
    assert one != two and "src0.1.0" in one.name
