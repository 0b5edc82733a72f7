"""``CorpusWriter`` over the Chroma store and the tantivy index, the two adapters ingest writes.

Composes the two vendor adapters (``chroma_store``, ``tantivy_index``) and imports neither vendor
SDK itself; another backend pair (e.g. a server vector store with tantivy) is another class like
this.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path

from qa_service.adapters.chroma_store import ChromaStore
from qa_service.adapters.tantivy_index import TantivyIndex
from qa_service.core.models import Article, Chunk, LexicalRecord


class ChromaTantivyWriter:
    """Implements ``CorpusWriter``: chunks and articles in Chroma, the lexical index in tantivy,
    updated incrementally (one commit per run, push or retraction)."""

    def __init__(
        self, store: ChromaStore, lexical: TantivyIndex, legacy_lexical: Path | None = None
    ) -> None:
        self.store = store
        self.lexical = lexical
        self._legacy = legacy_lexical  # the bm25s snapshots this index replaces (migration)

    def chunk_ids_by_document(self) -> dict[str, set[str]]:
        return self.store.chunk_ids_by_document()

    def chunk_ids_of(self, doc_ids: Sequence[str]) -> dict[str, set[str]]:
        return self.store.chunk_ids_of(doc_ids)

    def count_chunks(self) -> int:
        return self.store.count_chunks()

    def article_hashes(self) -> dict[str, str]:
        return self.store.article_hashes()

    def article_hashes_of(self, doc_ids: Sequence[str]) -> dict[str, str]:
        return self.store.article_hashes_of(doc_ids)

    def count_articles(self) -> int:
        return self.store.count_articles()

    def get_articles(self, doc_ids: Sequence[str]) -> list[Article]:
        return self.store.get_articles(doc_ids)

    def get_chunks(self, chunk_ids: Sequence[str]) -> list[Chunk]:
        return self.store.get_chunks(chunk_ids)

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

    def update_lexical(
        self,
        records: Sequence[LexicalRecord],
        deleted_documents: Iterable[str] = (),
        deleted_chunks: Iterable[str] = (),
    ) -> None:
        self.lexical.update(records, deleted_documents, deleted_chunks)

    def rebuild_lexical(self, records: Sequence[LexicalRecord]) -> None:
        """The whole index again; then the old bm25s snapshots (``CURRENT``, ``v*/``), if any,
        are removed: the tantivy index replaces them."""
        self.lexical.rebuild(records)
        legacy = self._legacy
        if legacy is not None and (legacy / "CURRENT").exists():
            for snapshot in legacy.glob("v[0-9]*"):
                shutil.rmtree(snapshot, ignore_errors=True)
            (legacy / "CURRENT").unlink(missing_ok=True)

    def lexical_chunk_ids(self) -> set[str] | None:
        return self.lexical.chunk_ids()

    def lexical_count(self) -> int | None:
        return self.lexical.count()
