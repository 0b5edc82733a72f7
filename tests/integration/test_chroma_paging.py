"""Whole-collection reads are paged (an unpaged get fails above ~32k records in Chroma)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa_service.adapters import chroma_paging
from qa_service.adapters.chroma_paging import get_all
from qa_service.adapters.chroma_store import ChromaStore, make_client
from qa_service.core.models import Chunk


def _chunks(n: int) -> list[Chunk]:
    return [
        Chunk(chunk_id=f"c{i:02d}", doc_id=f"d{i % 3}", index=i, text=f"text {i}", start=0, end=6)
        for i in range(n)
    ]


@pytest.mark.parametrize("page", [1, 3, 7, 8, 100])
def test_get_all_returns_every_record_once(tmp_path: Path, page: int) -> None:
    collection = make_client(tmp_path, None).get_or_create_collection("paged")
    collection.add(ids=[f"r{i}" for i in range(7)], embeddings=[[float(i), 1.0] for i in range(7)])
    got = get_all(collection, ["metadatas"], page=page)
    assert sorted(got["ids"]) == [f"r{i}" for i in range(7)]
    assert len(got["metadatas"]) == 7


def test_store_reads_use_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chroma_paging, "PAGE", 2)
    monkeypatch.setattr(chroma_paging.get_all, "__defaults__", (2,))
    store = ChromaStore(make_client(tmp_path, None), "paged", "m")
    chunks = _chunks(9)
    store.upsert_chunks(chunks, [[1.0, float(i)] for i in range(9)])
    assert sorted(c.chunk_id for c in store.all_chunks()) == [c.chunk_id for c in chunks]
    by_doc = store.chunk_ids_by_document()
    assert {doc: len(ids) for doc, ids in by_doc.items()} == {"d0": 3, "d1": 3, "d2": 3}
