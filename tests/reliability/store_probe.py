"""``python -m tests.reliability.store_probe STORE``: a store's state as JSON, from a fresh process.

A separate process so the test never holds a Chroma client on a directory another process writes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from qa_service.container import build_embedder, build_lexical, build_store
from qa_service.core.models import SearchFilters
from qa_service.settings import Settings

SAMPLE = 25  # chunks looked up by their own vector: the HNSW index must still find them


def probe(store_dir: Path) -> dict[str, Any]:
    settings = Settings(chroma_path=store_dir, embedder="hashing")
    embedder = build_embedder(settings)
    store = build_store(settings, embedder.model_id)
    by_doc = store.chunk_ids_by_document()
    chunks = store.all_chunks()
    sample = chunks[:: max(1, len(chunks) // SAMPLE)][:SAMPLE]
    vectors = embedder.embed([f"{c.title}\n\n{c.text}" if c.title else c.text for c in sample])
    found = sum(
        1
        for chunk, vector in zip(sample, vectors, strict=True)
        if [p.chunk.chunk_id for p in store.query(vector, 1, SearchFilters())] == [chunk.chunk_id]
    )
    lexical = build_lexical(settings, store)
    texts = {doc: store.get_article(doc) for doc in by_doc}
    misplaced = sum(
        1
        for c in chunks
        if (article := texts.get(c.doc_id)) is None or article.text[c.start : c.end] != c.text
    )
    return {
        "count": store.count_chunks(),
        "chunks": {doc: sorted(ids) for doc, ids in by_doc.items()},
        "spans": sorted([c.doc_id, c.start, c.end] for c in chunks),
        "articles": store.article_hashes(),
        "lexical_ids": sorted(lexical.chunk_ids() or ()),
        "store_ids": sorted(c.chunk_id for c in chunks),
        "self_lookups": [found, len(sample)],
        "misplaced": misplaced,  # chunks whose article is missing or holds other text there
    }


def main() -> None:
    print(json.dumps(probe(Path(sys.argv[1]))))


if __name__ == "__main__":
    main()
