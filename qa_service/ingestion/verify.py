"""``python -m ingest --verify`` / ``--repair``: do Chroma and the lexical index agree?

A run killed between its steps is repaired by the next run over the same input; this check needs
no input. It compares what the store holds with itself and with the lexical index:
- chunk ids in the store but not in the lexical index (unsearchable by keyword), and the reverse
  (keyword hits that resolve to nothing), or no lexical index at all (e.g. a store indexed by
  bm25s before the tantivy index: ``--repair`` builds it from the store);
- chunks of a document that has no article record (a killed first ingest, a cut retraction);
- article records without a single chunk (unsearchable);
- MinHash signatures out of step with the article records.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qa_service.core.ports import CorpusWriter
from qa_service.ingestion.archive_dedup import ArchiveDedup


@dataclass
class StoreCheck:
    chunks: int = 0
    articles: int = 0
    lexical_missing: list[str] = field(default_factory=list)
    lexical_extra: list[str] = field(default_factory=list)
    lexical_absent: bool = False  # no index at all while the store has chunks
    orphan_chunks: list[str] = field(default_factory=list)
    unindexed_articles: list[str] = field(default_factory=list)
    signatures_stale: bool = False

    @property
    def consistent(self) -> bool:
        return not (
            self.lexical_missing
            or self.lexical_extra
            or self.lexical_absent
            or self.orphan_chunks
            or self.unindexed_articles
            or self.signatures_stale
        )


def check_store(store: CorpusWriter, archive: ArchiveDedup) -> StoreCheck:
    by_document = store.chunk_ids_by_document()
    hashes = store.article_hashes()
    chunk_ids = {cid for ids in by_document.values() for cid in ids}
    lexical = store.lexical_chunk_ids()
    indexed = lexical or set()
    _, signatures_stale = archive.load(hashes)
    return StoreCheck(
        chunks=len(chunk_ids),
        articles=len(hashes),
        lexical_missing=sorted(chunk_ids - indexed),
        lexical_extra=sorted(indexed - chunk_ids),
        lexical_absent=lexical is None and bool(chunk_ids),
        orphan_chunks=sorted(
            cid for doc, ids in by_document.items() if doc not in hashes for cid in ids
        ),
        unindexed_articles=sorted(doc for doc in hashes if not by_document.get(doc)),
        signatures_stale=signatures_stale,
    )
