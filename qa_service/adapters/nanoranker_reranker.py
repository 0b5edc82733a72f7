"""Reranker from the ``nanoranker`` package: its ONNX models ship inside the wheel (no download).

nanoranker is not a cross-encoder: it embeds the query and each passage separately
(multilingual Universal Sentence Encoder, ONNX, plus a 64-bucket character n-gram hash) and
scores each (query, passage) pair of embeddings with a small MS MARCO-trained network. The
package builds its ONNX Runtime sessions when it is imported, so the import happens lazily,
once, under a lock (the first rerank pays ~10 s on this machine's 2 cores).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import replace

from qa_service.core.models import Passage
from qa_service.offline import ensure_offline

MODEL_ID = "nanoranker-1.2"

RankFn = Callable[..., list[tuple[str, float]]]


def passage_text(passage: Passage, with_title: bool) -> str:
    """What the reranker reads: the chunk text, after the article title when there is one."""
    title = (passage.chunk.title or "").strip()
    return f"{title}. {passage.chunk.text}" if with_title and title else passage.chunk.text


class NanorankerReranker:
    """Implements ``Reranker``; ``rank`` is injectable so tests can check the wiring cheaply."""

    def __init__(self, with_title: bool = True, rank: RankFn | None = None) -> None:
        self._with_title = with_title
        self._rank = rank
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        return MODEL_ID

    def _load(self) -> RankFn:
        with self._lock:
            if self._rank is None:
                ensure_offline()
                import nanoranker  # builds its ONNX sessions from files inside the package

                self._rank = nanoranker.rank
            return self._rank

    def rerank(self, query: str, passages: Sequence[Passage], top_k: int) -> list[Passage]:
        if not passages or top_k < 1:
            return []
        texts = [passage_text(p, self._with_title) for p in passages]
        ranked = self._load()(query, texts, top_n=len(texts), normalize_scores=False)
        # rank() returns (text, score) pairs; map each back to a passage with that text, in order
        slots: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            slots.setdefault(text, []).append(i)
        scores = [0.0] * len(texts)
        for text, score in ranked:
            scores[slots[text].pop(0)] = float(score)
        order = sorted(range(len(texts)), key=lambda i: (-scores[i], i))  # ties keep fused order
        return [replace(passages[i], score=scores[i]) for i in order[:top_k]]
