"""Over-fetch + post-filter returns exactly what Chroma's own ``where`` query returns.

A real embedded Chroma with 600 chunks: broad filters are answered from the unfiltered window,
narrow ones fall back to ``where`` or, when the store has filter columns (a real BM25 snapshot of
the same chunks), to exact search over the matching chunks; all must equal the ``where`` query,
order included.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from qa_service.adapters.chroma_filters import where_clause
from qa_service.adapters.chroma_store import ChromaStore, make_client
from qa_service.adapters.tantivy_index import TantivyIndex
from qa_service.core.dates import day_ordinal
from qa_service.core.models import Chunk, LexicalRecord, SearchFilters

N, DIM, TOP_K = 600, 16, 10
SOURCES = ["Big Wire"] * 6 + ["Daily Ledger"] * 3 + ["Rare Gazette"]  # ~60% / 30% / 10%


def _chunk(i: int, rng: np.random.Generator) -> Chunk:
    dated = i % 25 != 0  # every 25th chunk has no date: date filters must never match it
    day = date(2024, 1, 1) + timedelta(days=int(rng.integers(0, 366)))
    return Chunk(
        chunk_id=f"c{i:04d}",
        doc_id=f"d{i // 3:04d}",
        index=i % 3,
        text=f"chunk {i}",
        start=0,
        end=9,
        source=SOURCES[int(rng.integers(0, len(SOURCES)))] if i % 40 else None,
        published_at=day.isoformat() if dated else None,
    )


def _filled_store(root: Path) -> tuple[ChromaStore, list[Chunk]]:
    rng = np.random.default_rng(11)
    store = ChromaStore(make_client(root, None), "filters", "random-16")
    chunks = [_chunk(i, rng) for i in range(N)]
    vectors = rng.standard_normal((N, DIM))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    store.upsert_chunks(chunks, vectors.tolist())
    return store, chunks


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> ChromaStore:
    return _filled_store(Path(tmp_path_factory.mktemp("filtered")))[0]


@pytest.fixture(scope="module")
def columned(tmp_path_factory: pytest.TempPathFactory) -> ChromaStore:
    root = Path(tmp_path_factory.mktemp("columned"))
    store, chunks = _filled_store(root)
    lexical = TantivyIndex(root / "lexical")
    lexical.rebuild(
        [
            LexicalRecord(
                c.chunk_id,
                c.text,
                day_ordinal(c.published_at),
                c.source or "",
                c.doc_id,
            )
            for c in chunks
        ]
    )
    store.use_filter_columns(lexical)
    return store


def _where_ids(store: ChromaStore, vector: list[float], filters: SearchFilters) -> list[str]:
    collection: Any = store._chunks
    got = collection.query(
        query_embeddings=[vector], n_results=TOP_K, where=where_clause(filters), include=[]
    )
    return list(got["ids"][0])


FILTERS = [
    SearchFilters(published_after=date(2024, 3, 1)),  # ~80%: answered from the window
    SearchFilters(published_before=date(2024, 10, 31)),
    SearchFilters(source="Big Wire"),
    SearchFilters(published_after=date(2024, 2, 1), published_before=date(2024, 11, 30)),
    SearchFilters(published_after=date(2024, 6, 1), source="Daily Ledger"),
    SearchFilters(source="Rare Gazette"),  # ~10%: window of 100 often short -> fallback
    SearchFilters(published_after=date(2024, 6, 10), published_before=date(2024, 6, 20)),  # ~3%
    SearchFilters(source="Nobody"),  # matches nothing
    SearchFilters(published_after=date(2030, 1, 1)),
    # as_of: a bound on dated chunks that keeps the undated ones, alone and combined
    SearchFilters(as_of=date(2024, 2, 15)),  # ~12%, undated included
    SearchFilters(as_of=date(2024, 9, 30), source="Big Wire"),
    SearchFilters(published_after=date(2024, 1, 20), as_of=date(2024, 2, 1)),  # undated out
    SearchFilters(as_of=date(2023, 12, 31)),  # only the undated chunks
]


@pytest.mark.parametrize("columns", [False, True], ids=["where-fallback", "subset-fallback"])
@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: repr(where_clause(f)))
def test_same_ids_in_the_same_order_as_the_where_query(
    request: pytest.FixtureRequest, filters: SearchFilters, columns: bool
) -> None:
    store: ChromaStore = request.getfixturevalue("columned" if columns else "store")
    rng = np.random.default_rng(5)
    for _ in range(15):
        probe = rng.standard_normal(DIM)
        vector = (probe / np.linalg.norm(probe)).tolist()
        got = [p.chunk.chunk_id for p in store.query(vector, TOP_K, filters)]
        assert got == _where_ids(store, vector, filters)


def test_narrow_filters_search_the_matching_chunks_exactly(columned: ChromaStore) -> None:
    assert columned.subset is not None
    vector = np.eye(DIM)[1].tolist()
    before = columned.subset.searches
    narrow = SearchFilters(published_after=date(2024, 6, 10), published_before=date(2024, 6, 20))
    passages = columned.query(vector, TOP_K, narrow)
    assert columned.subset.searches == before + 1
    assert passages and all(
        "2024-06-10" <= str(p.chunk.published_at) <= "2024-06-20" for p in passages
    )
    scores = [p.score for p in passages]
    assert scores == sorted(scores, reverse=True)
    nobody = columned.query(vector, TOP_K, SearchFilters(source="Nobody"))
    assert nobody == []


def test_broad_filters_skip_the_where_query_and_narrow_ones_fall_back(store: ChromaStore) -> None:
    vector = np.eye(DIM)[0].tolist()
    before = store.filtered.fallbacks
    store.query(vector, TOP_K, SearchFilters(published_after=date(2024, 1, 15)))
    assert store.filtered.fallbacks == before  # answered from the over-fetched window
    narrow = SearchFilters(published_after=date(2024, 6, 10), published_before=date(2024, 6, 12))
    passages = store.query(vector, TOP_K, narrow)
    assert store.filtered.fallbacks == before + 1
    assert all("2024-06-10" <= str(p.chunk.published_at) <= "2024-06-12" for p in passages)


def test_unfiltered_search_is_untouched(store: ChromaStore) -> None:
    vector = np.eye(DIM)[3].tolist()
    got = [p.chunk.chunk_id for p in store.query(vector, TOP_K, SearchFilters())]
    assert got == _where_ids(store, vector, SearchFilters())


def test_chunk_cache_serves_repeats_and_forgets_deleted_chunks(store: ChromaStore) -> None:
    vector = np.eye(DIM)[5].tolist()
    first = store.query(vector, TOP_K, SearchFilters())
    assert len(store.chunk_cache.get_many([p.chunk.chunk_id for p in first])) == TOP_K
    assert store.query(vector, TOP_K, SearchFilters()) == first
    gone = first[0].chunk
    store.delete_chunks([gone.chunk_id])
    try:
        assert store.get_chunks([gone.chunk_id]) == []
        assert gone.chunk_id not in [
            p.chunk.chunk_id for p in store.query(vector, TOP_K, SearchFilters())
        ]
    finally:
        store.upsert_chunks([gone], [vector])


def test_snapshot_ids_missing_from_the_store_are_skipped(tmp_path: Path) -> None:
    """Between an ingest's deletes and its snapshot flip, the columns may name gone chunks."""
    store, chunks = _filled_store(tmp_path)
    lexical = TantivyIndex(tmp_path / "lexical")
    lexical.rebuild(
        [LexicalRecord(c.chunk_id, c.text, 0, c.source or "", c.doc_id) for c in chunks]
    )
    store.use_filter_columns(lexical)
    rare = [c.chunk_id for c in chunks if c.source == "Rare Gazette"]
    ledger = [c.chunk_id for c in chunks if c.source == "Daily Ledger"]
    store.delete_chunks(rare[1:])
    vector = np.eye(DIM)[2].tolist()
    found = store.query(vector, TOP_K, SearchFilters(source="Rare Gazette"))
    assert [p.chunk.chunk_id for p in found] == rare[:1]
    store.delete_chunks(ledger)  # every match gone before the filter's first use
    assert store.query(vector, TOP_K, SearchFilters(source="Daily Ledger")) == []
