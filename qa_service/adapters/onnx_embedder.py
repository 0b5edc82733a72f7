"""MiniLM as an int8 ONNX Runtime model: same vectors (cosine ~0.99), no torch at run time.

The model file is exported locally from the packaged weights on first use (``onnx_export``) and
cached under ``models_dir``; loading then needs only onnxruntime and tokenizers.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from qa_service.model_build.derived_models import build_once, cached_model_dir
from qa_service.model_build.onnx_export import MAX_TOKENS, RECIPE, export_int8

MODEL_ID = "all-minilm-l6-v2-onnx-int8"


class OnnxInt8Embedder:
    """Implements ``Embedder``; tokenizes with the packaged tokenizer, mean-pools in numpy."""

    def __init__(self, models_dir: Path, batch_size: int = 64, threads: int = 0) -> None:
        self._dir = cached_model_dir(models_dir, MODEL_ID, RECIPE)
        self._batch_size = batch_size
        self._threads = threads  # 0 = one per core (ONNX Runtime's default)
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Any = None

    @property
    def model_id(self) -> str:
        return MODEL_ID

    def ensure_built(self) -> Path:
        return build_once(self._dir, export_int8)

    def _load(self) -> tuple[Any, Any]:
        with self._lock:
            if self._session is None:
                import onnxruntime as ort
                from tokenizers import Tokenizer

                path = self.ensure_built()
                options = ort.SessionOptions()
                options.intra_op_num_threads = self._threads
                options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
                tokenizer.enable_truncation(MAX_TOKENS)
                tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
                self._tokenizer = tokenizer
                self._session = ort.InferenceSession(
                    str(path / "model.onnx"), options, providers=["CPUExecutionProvider"]
                )
            return self._session, self._tokenizer

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        session, tokenizer = self._load()
        # Length-sorted batches waste little on padding (what sentence-transformers does too).
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), 384), dtype=np.float32)
        for lo in range(0, len(order), self._batch_size):
            idx = order[lo : lo + self._batch_size]
            encoded = tokenizer.encode_batch([texts[i] for i in idx])
            ids = np.asarray([e.ids for e in encoded], dtype=np.int64)
            mask = np.asarray([e.attention_mask for e in encoded], dtype=np.int64)
            hidden = session.run(
                None,
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            out[idx] = pooled
        return out.tolist()
