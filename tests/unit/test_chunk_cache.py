"""ChunkCache: bounded LRU, eviction of deleted/rewritten chunks."""

from __future__ import annotations

from qa_service.adapters.chunk_cache import ChunkCache
from qa_service.core.models import Chunk


def chunk(i: int) -> Chunk:
    return Chunk(chunk_id=f"c{i}", doc_id="d", index=i, text=f"t{i}", start=0, end=2)


def test_least_recently_used_entries_go_first() -> None:
    cache = ChunkCache(max_entries=2)
    cache.put_many([chunk(1), chunk(2)])
    assert set(cache.get_many(["c1"])) == {"c1"}  # c1 is now the most recent
    cache.put_many([chunk(3)])
    assert set(cache.get_many(["c1", "c2", "c3"])) == {"c1", "c3"}


def test_evict_and_disabled_cache() -> None:
    cache = ChunkCache()
    cache.put_many([chunk(1), chunk(2)])
    cache.evict(["c1", "missing"])
    assert list(cache.get_many(["c1", "c2"])) == ["c2"]
    off = ChunkCache(max_entries=0)
    off.put_many([chunk(1)])
    assert off.get_many(["c1"]) == {} and len(off) == 0
