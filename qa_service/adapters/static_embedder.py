"""Static (model2vec) embeddings distilled locally from the packaged MiniLM.

A static model is a lookup table: one vector per vocabulary token (MiniLM's output for that token,
PCA-reduced, Zipf-weighted), averaged over a text's tokens. No transformer runs at embed time, so
it is orders of magnitude faster and less accurate (numbers in docs/benchmarks.md "Embedders").
The distillation runs once, offline, from the wheel's files, and is cached under ``models_dir``.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qa_service.model_build.derived_models import build_once, cached_model_dir

RECIPE = 1
PCA_DIMS = 256
MODEL_ID = f"all-minilm-l6-v2-m2v-{PCA_DIMS}"
MAX_TOKENS = 512


def distill_static(source: Path, out_dir: Path) -> None:
    """``model2vec.distill`` over the packaged model's own vocabulary (no hub access)."""
    from model2vec.distill import distill

    model = distill(model_name=str(source), pca_dims=PCA_DIMS, device="cpu")
    model.save_pretrained(str(out_dir))


class Model2VecEmbedder:
    """Implements ``Embedder`` with a model2vec ``StaticModel``."""

    def __init__(self, models_dir: Path) -> None:
        self._dir = cached_model_dir(models_dir, MODEL_ID, RECIPE)
        self._lock = threading.Lock()
        self._model: Any = None

    @property
    def model_id(self) -> str:
        return MODEL_ID

    def ensure_built(self) -> Path:
        return build_once(self._dir, distill_static)

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                from model2vec import StaticModel

                self._model = StaticModel.from_pretrained(
                    self.ensure_built(), normalize=True, force_download=False
                )
            return self._model

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = np.asarray(
            self._load().encode(list(texts), max_length=MAX_TOKENS, use_multiprocessing=False),
            dtype=np.float32,
        )
        # An all-unknown text has a zero vector; keep it zero rather than dividing by zero.
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return (vectors / np.maximum(norms, 1e-12)).tolist()
