"""Embeddings from any OpenAI-compatible ``/v1/embeddings`` endpoint."""

from __future__ import annotations

from collections.abc import Sequence

import openai


class OpenAIEmbedder:
    """Implements ``Embedder`` with the official SDK (its own retries; none added here)."""

    def __init__(
        self, model: str, api_key: str, base_url: str | None = None, timeout_s: float = 30.0
    ) -> None:
        self._model = model
        self._client = openai.OpenAI(api_key=api_key, base_url=base_url, timeout=timeout_s)

    @property
    def model_id(self) -> str:
        return "openai-" + self._model.replace("/", "-").replace(":", "-")

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        response = self._client.embeddings.create(model=self._model, input=list(texts))
        ordered = sorted(response.data, key=lambda item: item.index)
        return [list(item.embedding) for item in ordered]
