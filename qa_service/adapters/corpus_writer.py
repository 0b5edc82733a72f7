"""``CorpusWriter`` over the Chroma store and the BM25 snapshots, the two adapters ingest writes.

Composes the two vendor adapters (``chroma_store``, ``bm25_index``) and imports neither vendor SDK
itself; another backend pair (e.g. a server vector store with tantivy) is another class like this.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from qa_service.adapters.bm25_index import BM25Index, ids_fingerprint
from qa_service.adapters.chroma_store import ChromaStore
from qa_service.core.models import Article, Chunk, LexicalRecord, SearchFilters


class ChromaBM25Writer:
    """Implements ``CorpusWriter``: chunks and articles in Chroma, lexical index as BM25 snapshots.

    Publishing the lexical index is a whole-snapshot rebuild (bm25s has no incremental adds), so
    its cost grows with the corpus: docs/architecture.md "Scale-out"."""

    def __init__(self, store: ChromaStore, lexical: BM25Index) -> None:
        self.store = store
        self.lexical = lexical

    def chunk_ids_by_document(self) -> dict[str, set[str]]:
        return self.store.chunk_ids_by_document()

    def article_hashes(self) -> dict[str, str]:
        return self.store.article_hashes()

    def get_articles(self, doc_ids: Sequence[str]) -> list[Article]:
        return self.store.get_articles(doc_ids)

    def upsert_chunks(self, chunks: Sequence[Chunk], vectors: Sequence[list[float]]) -> None:
        self.store.upsert_chunks(chunks, vectors)

    def delete_chunks(self, chunk_ids: Iterable[str]) -> None:
        self.store.delete_chunks(chunk_ids)

    def all_chunks(self) -> list[Chunk]:
        return self.store.all_chunks()

    def upsert_articles(self, items: Sequence[tuple[Article, str]]) -> None:
        self.store.upsert_articles(items)

    def delete_articles(self, doc_ids: Iterable[str]) -> None:
        self.store.delete_articles(doc_ids)

    def lexical_chunk_ids(self) -> list[str] | None:
        found = self.lexical.matching_ids(SearchFilters())
        return None if found is None else found[1]

    def lexical_holds_exactly(self, chunk_ids: set[str]) -> bool:
        return self.lexical.fingerprint() == ids_fingerprint(chunk_ids)

    def publish_lexical(self, records: Sequence[LexicalRecord]) -> None:
        self.lexical.rebuild(records)
