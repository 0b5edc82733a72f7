"""A store's whole content in comparable form: chunk ids, texts, metadata and vectors, article
records and the document list, read straight from the Chroma collections."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from qa_service.adapters.chroma_store import ChromaStore, make_client
from qa_service.settings import Settings


@dataclass
class StoreSnapshot:
    chunks: dict[str, tuple[str, dict[str, Any]]]  # chunk id -> (text, metadata)
    vectors: dict[str, np.ndarray]
    articles: dict[str, tuple[str, dict[str, Any]]]  # doc id -> (text, metadata incl. hash)
    documents: list[Any]  # GET /v1/documents, in order

    def assert_same_as(self, other: StoreSnapshot, atol: float = 1e-5) -> None:
        """Equal ids, texts, metadata and document lists; vectors equal up to float noise
        (a model's output depends slightly on which texts share its batch)."""
        assert sorted(self.chunks) == sorted(other.chunks)
        assert self.chunks == other.chunks
        assert self.articles == other.articles
        assert self.documents == other.documents
        for chunk_id, vector in self.vectors.items():
            np.testing.assert_allclose(vector, other.vectors[chunk_id], atol=atol)


def snapshot(settings: Settings, store: ChromaStore) -> StoreSnapshot:
    client = make_client(settings.chroma_path, settings.chroma_url)
    chunks = client.get_collection(store.chunk_collection_name)
    articles = client.get_collection(store.article_collection_name)
    got = chunks.get(include=["documents", "metadatas", "embeddings"])  # test-sized stores
    records = articles.get(include=["documents", "metadatas"])
    return StoreSnapshot(
        chunks={
            i: (text, dict(meta))
            for i, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        },
        vectors={
            i: np.asarray(v, dtype=np.float32)
            for i, v in zip(got["ids"], got["embeddings"], strict=True)
        },
        articles={
            i: (text, dict(meta))
            for i, text, meta in zip(
                records["ids"], records["documents"], records["metadatas"], strict=True
            )
        },
        documents=store.list_documents(),
    )
