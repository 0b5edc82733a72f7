"""Protocols the core depends on; adapters in ``qa_service.adapters`` implement them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from typing import Protocol

from qa_service.core.models import (
    Article,
    Chunk,
    DocumentSummary,
    LexicalRecord,
    Passage,
    SearchFilters,
    Usage,
)
from qa_service.core.signature_table import SignatureTable

Vector = list[float]


class Embedder(Protocol):
    """Turns texts into vectors. ``model_id`` names the vector space (used in collection names)."""

    @property
    def model_id(self) -> str: ...

    def embed(self, texts: Sequence[str]) -> list[Vector]: ...


class TokenCounter(Protocol):
    def count(self, text: str) -> int: ...


class VectorStore(Protocol):
    """Chunks + vectors + articles, keyed by stable ids."""

    def chunk_ids_by_document(self) -> dict[str, set[str]]: ...

    def upsert_chunks(self, chunks: Sequence[Chunk], vectors: Sequence[Vector]) -> None: ...

    def delete_chunks(self, chunk_ids: Iterable[str]) -> None: ...

    def query(self, vector: Vector, top_k: int, filters: SearchFilters) -> list[Passage]: ...

    def get_chunks(self, chunk_ids: Sequence[str]) -> list[Chunk]: ...

    def count_chunks(self) -> int: ...

    def article_hashes(self) -> dict[str, str]: ...

    def upsert_article(self, article: Article, content_hash: str) -> None: ...

    def delete_articles(self, doc_ids: Iterable[str]) -> None: ...

    def get_article(self, doc_id: str) -> Article | None: ...

    def list_documents(
        self,
        limit: int | None = None,
        after: str | None = None,
        filters: SearchFilters | None = None,
    ) -> list[DocumentSummary]:
        """In document-id order, after the id ``after``, at most ``limit`` (None: all)."""
        ...

    def ping(self) -> None: ...


class CorpusWriter(Protocol):
    """The write side of the corpus, all that ingestion touches: chunks with their vectors,
    article records (text, metadata, content hash) and the lexical index kept in step with the
    chunks. A second store backend is one adapter implementing this (``adapters/corpus_writer``).
    """

    def chunk_ids_by_document(self) -> dict[str, set[str]]:
        """Every stored chunk id by document (whole store: ``--verify`` / repair only)."""
        ...

    def chunk_ids_of(self, doc_ids: Sequence[str]) -> dict[str, set[str]]:
        """The stored chunk ids of ``doc_ids`` (what one run needs: O(batch))."""
        ...

    def count_chunks(self) -> int: ...

    def article_hashes(self) -> dict[str, str]:
        """Every stored article's content hash (whole store: ``--verify`` / repair only)."""
        ...

    def article_hashes_of(self, doc_ids: Sequence[str]) -> dict[str, str]:
        """The content hashes of those of ``doc_ids`` that are stored (O(batch))."""
        ...

    def count_articles(self) -> int: ...

    def get_articles(self, doc_ids: Sequence[str]) -> list[Article]: ...

    def get_chunks(self, chunk_ids: Sequence[str]) -> list[Chunk]: ...

    def upsert_chunks(self, chunks: Sequence[Chunk], vectors: Sequence[Vector]) -> None: ...

    def delete_chunks(self, chunk_ids: Iterable[str]) -> None: ...

    def all_chunks(self) -> list[Chunk]: ...

    def upsert_articles(self, items: Sequence[tuple[Article, str]]) -> None:
        """Article records with their content hashes (written last: the hash marks it done)."""
        ...

    def delete_articles(self, doc_ids: Iterable[str]) -> None: ...

    def update_lexical(
        self,
        records: Sequence[LexicalRecord],
        deleted_documents: Iterable[str] = (),
        deleted_chunks: Iterable[str] = (),
    ) -> None:
        """One lexical commit: every chunk of ``deleted_documents`` and each of
        ``deleted_chunks`` removed, ``records`` added (replacing equal ids). Cost: the batch's."""
        ...

    def rebuild_lexical(self, records: Sequence[LexicalRecord]) -> None:
        """Make ``records`` the whole lexical index (repair, migration from another engine)."""
        ...

    def lexical_chunk_ids(self) -> set[str] | None:
        """Every chunk id the lexical index holds (whole index); None when there is none yet."""
        ...

    def lexical_count(self) -> int | None:
        """How many chunks the lexical index holds (cheap); None when there is none yet."""
        ...


class SignatureStore(Protocol):
    """MinHash signatures of the stored articles, kept beside the store so that a new article is
    compared with the archive, not only with its batch: doc id -> (the article's content hash
    when signed, packed uint32 hash values), held as one matrix (``SignatureTable``). The
    table knows the ids changed since it was loaded (``changed``), so ``save`` may write only
    those; a save cut short must leave the store as before it or as after it."""

    def load(self) -> SignatureTable: ...

    def save(self, signatures: SignatureTable) -> None: ...


class LexicalIndex(Protocol):
    """Keyword search over chunk texts; returns (chunk_id, score) best first."""

    def search(self, query: str, top_k: int, filters: SearchFilters) -> list[tuple[str, float]]: ...


class Retriever(Protocol):
    """Ranked passages for a query (dense, lexical or hybrid)."""

    def search(self, query: str, top_k: int, filters: SearchFilters) -> list[Passage]: ...


class Reranker(Protocol):
    """Re-scores retrieved passages against the query; returns the best ``top_k``, best first.

    ``model_id`` names the model. Returned passages carry the reranker's score (higher is better,
    on the reranker's own scale, not comparable with fused retrieval scores).
    """

    @property
    def model_id(self) -> str: ...

    def rerank(self, query: str, passages: Sequence[Passage], top_k: int) -> list[Passage]: ...


class LLM(Protocol):
    """A chat model that streams text deltas."""

    @property
    def model_name(self) -> str: ...

    def stream(self, messages: list[dict[str, str]]) -> AsyncIterator[str | Usage]:
        """Text deltas, then (when the server reports it) one ``Usage``."""
        ...
