"""A bounded LRU of chunks by id, in front of Chroma's ``get``.

Profiling ``/v1/search`` at 10k chunks showed ~60% of server time in two Chroma calls that read
chunk documents and metadata from its SQLite store (docs/benchmarks.md "Scale"). Chunk ids are
content hashes (document, offsets, title, text), so a cached chunk can only become *unused*,
never wrong: searches ask for ids the index returns, and a deleted chunk's id stops being
returned once the store and the BM25 snapshot drop it. The ingest process evicts what it
deletes; other processes' entries for deleted ids simply age out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence

from qa_service.core.models import Chunk


class ChunkCache:
    def __init__(self, max_entries: int = 20_000) -> None:
        self._max = max_entries
        self._items: OrderedDict[str, Chunk] = OrderedDict()
        self._lock = threading.Lock()

    def get_many(self, chunk_ids: Sequence[str]) -> dict[str, Chunk]:
        found: dict[str, Chunk] = {}
        with self._lock:
            for chunk_id in chunk_ids:
                chunk = self._items.get(chunk_id)
                if chunk is not None:
                    self._items.move_to_end(chunk_id)
                    found[chunk_id] = chunk
        return found

    def put_many(self, chunks: Iterable[Chunk]) -> None:
        if self._max <= 0:
            return
        with self._lock:
            for chunk in chunks:
                self._items[chunk.chunk_id] = chunk
                self._items.move_to_end(chunk.chunk_id)
            while len(self._items) > self._max:
                self._items.popitem(last=False)

    def evict(self, chunk_ids: Iterable[str]) -> None:
        with self._lock:
            for chunk_id in chunk_ids:
                self._items.pop(chunk_id, None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)
