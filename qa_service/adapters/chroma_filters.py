"""Filtered vector search that stays fast on large Chroma collections.

Chroma evaluates a ``where`` clause by selecting every matching record from its metadata store
before the vector search: at 100k chunks a date range made a search 50-150x slower than an
unfiltered one (docs/benchmarks.md "Scale"). Three paths, cheapest first:

1. ``SubsetSearch``: when the store has filter columns (every chunk's date and source in memory,
   from the BM25 snapshot) and the filter admits at most ``max_subset`` chunks, an exact
   brute-force search over just those chunks' vectors (gathered once per filter and snapshot).
2. ``OverfetchFilter``: broad filters (a year, an outlet in a big corpus). The nearest neighbours
   *without* the filter contain enough matches: fetch a window of unfiltered ids and distances
   (no documents or metadata), keep the matches (filter fields from a process-local cache), and
   return the first ``top_k``. A window holding ``top_k`` matches holds the ``top_k`` nearest
   matches, since a nearer match would rank inside the window too. The window adapts to each
   filter's learned selectivity.
3. Chroma's ``where`` query, when neither applies.

All three return what the ``where`` query returns (tests/integration/test_filtered_search.py).
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any, Protocol, TypeVar

import numpy as np

from qa_service.core.dates import UNDATED
from qa_service.core.filter_rules import DayRange, compile_filters
from qa_service.core.models import SearchFilters

Hit = tuple[str, float]  # chunk id, distance (best first)
NearestFn = Callable[[int], list[Hit]]
MetadataFn = Callable[[list[str]], dict[str, Mapping[str, Any]]]
FILTER_KEYS = ("published_day", "source")
VECTOR_PAGE = 4_000
T = TypeVar("T")
ReadFn = Callable[[Callable[[], T]], T]  # chroma_store.read_with_retry


def where_clause(filters: SearchFilters) -> dict[str, Any] | None:
    """The Chroma ``where`` equivalent of ``filters`` (chunk metadata ``published_day``, source).

    Undated chunks are stored with ``published_day`` 0; chunks written before that (no key at
    all) never match a date clause here, while ``metadata_matches`` counts them as undated."""
    rules = compile_filters(filters)
    clauses: list[dict[str, Any]] = []
    if rules.days is not None:
        clauses.append(_day_clause(rules.days))
    if rules.source is not None:
        clauses.append({"source": rules.source})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _day_clause(days: DayRange) -> dict[str, Any]:
    bounds: list[dict[str, Any]] = [{"published_day": {"$gte": max(days.lo or 1, 1)}}]
    if days.hi is not None:
        bounds.append({"published_day": {"$lte": days.hi}})
    dated = bounds[0] if len(bounds) == 1 else {"$and": bounds}
    return {"$or": [dated, {"published_day": UNDATED}]} if days.undated else dated


def metadata_matches(meta: Mapping[str, Any], filters: SearchFilters) -> bool:
    """Same rules as ``where_clause`` (``FilterRules.admits``); a missing day is undated."""
    day = meta.get("published_day")
    source = meta.get("source")
    return compile_filters(filters).admits(
        day if isinstance(day, int) else UNDATED, source if isinstance(source, str) else None
    )


def nearest_ids(
    collection: Any,
    read: ReadFn[Any],
    vector: list[float],
    n: int,
    where: dict[str, Any] | None = None,
) -> list[Hit]:
    """Ids and distances only: ~6x cheaper than with documents and metadata at n=300."""
    got = read(
        lambda: collection.query(
            query_embeddings=[vector], n_results=n, where=where, include=["distances"]
        )
    )
    return [(i, float(d)) for i, d in zip(got["ids"][0], got["distances"][0], strict=True)]


def metadata_of(collection: Any, read: ReadFn[Any], ids: list[str]) -> dict[str, Mapping[str, Any]]:
    got = read(lambda: collection.get(ids=ids, include=["metadatas"]))
    return dict(zip(got["ids"], got["metadatas"], strict=True))


class MetadataCache:
    """Chunk id -> its filter fields, fetched from the store once per id.

    Ids are content hashes and ingest never rewrites an existing chunk, so an entry stays what
    the store holds; ids of deleted chunks are never returned by a search, so they are harmless.
    """

    def __init__(self, fetch: MetadataFn, max_entries: int = 1_000_000) -> None:
        self._fetch = fetch
        self._max = max_entries
        self._items: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def lookup(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        missing = [i for i in ids if i not in self._items]
        if missing:
            fetched = self._fetch(missing)
            with self._lock:
                if len(self._items) + len(fetched) > self._max:
                    self._items.clear()
                for chunk_id, meta in fetched.items():
                    self._items[chunk_id] = {k: meta.get(k) for k in FILTER_KEYS}
        return [self._items.get(i, {}) for i in ids]


class OverfetchFilter:
    """Decides the window, post-filters it; ``None`` means "run the ``where`` query"."""

    def __init__(
        self, factor: int = 10, max_window: int = 1500, remember: int = 256, reprobe: int = 32
    ) -> None:
        self.factor = factor  # first window for an unseen filter, in multiples of top_k
        self.max_window = max_window  # beyond this the where query is cheaper (measured)
        self._remember = remember
        self._reprobe = reprobe  # a filter judged too narrow is probed again after this many
        self._seen: OrderedDict[SearchFilters, tuple[float, int]] = OrderedDict()
        self._lock = threading.Lock()  # searches run on a thread pool
        self.fallbacks = 0  # exposed for tests and benchmarks

    def window(self, top_k: int, filters: SearchFilters) -> int | None:
        """Ids to fetch for this filter, or None when its known selectivity needs a bigger one."""
        first = min(top_k * self.factor, self.max_window)
        with self._lock:
            if filters not in self._seen:
                return first
            share, skipped = self._seen[filters]
            # 2x: slack for local variation; a broad filter gets a window below the first one
            wanted = max(2 * top_k, math.ceil(2 * top_k / max(share, 1e-9)))
            if wanted <= self.max_window:
                return wanted
            if skipped < self._reprobe:
                self._seen[filters] = (share, skipped + 1)
                return None
            return self.max_window

    def search(
        self, nearest: NearestFn, metadata: MetadataCache, top_k: int, filters: SearchFilters
    ) -> list[Hit] | None:
        window = self.window(top_k, filters)
        if window is None:
            self.fallbacks += 1
            return None
        hits = nearest(window)
        metas = metadata.lookup([chunk_id for chunk_id, _ in hits])
        kept = [h for h, meta in zip(hits, metas, strict=True) if metadata_matches(meta, filters)]
        self._learn(filters, len(kept) / len(hits) if hits else 1.0)
        if len(kept) >= top_k or len(hits) < window:  # enough, or the whole collection
            return kept[:top_k]
        self.fallbacks += 1
        return None

    def _learn(self, filters: SearchFilters, share: float) -> None:
        with self._lock:
            self._seen[filters] = (share, 0)
            self._seen.move_to_end(filters)
            while len(self._seen) > self._remember:
                self._seen.popitem(last=False)


class FilterColumns(Protocol):
    """Every chunk's filter fields in memory (the BM25 snapshot holds them): exact matches,
    tagged with the name of the snapshot they came from."""

    def current_name(self) -> str | None: ...

    def matching_ids(self, filters: SearchFilters) -> tuple[str, list[str]] | None: ...


VectorFetchFn = Callable[[list[str]], tuple[list[str], list[Any]]]


def vectors_of(collection: Any, read: ReadFn[Any], ids: list[str]) -> tuple[list[str], list[Any]]:
    """Stored embeddings of ``ids``, a page at a time (SQLite caps the variables per query)."""
    found: list[str] = []
    vectors: list[Any] = []
    for lo in range(0, len(ids), VECTOR_PAGE):
        got = read(partial(collection.get, ids=ids[lo : lo + VECTOR_PAGE], include=["embeddings"]))
        found.extend(got["ids"])
        vectors.extend(got["embeddings"])
    return found, vectors


class VectorCache:
    """Chunk id -> its unit vector (float32), read from the store once per id; ids are content
    hashes of an immutable chunk in a per-model collection, so an entry never goes stale."""

    def __init__(self, fetch: VectorFetchFn, max_entries: int = 200_000) -> None:
        self._fetch = fetch
        self._max = max_entries
        self._items: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def matrix(self, ids: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """The ids that exist in the store and their vectors as rows."""
        missing = [i for i in ids if i not in self._items]
        found, vectors = self._fetch(missing) if missing else ([], [])
        if found:  # ids the snapshot lists but the store no longer has come back missing
            rows = np.asarray(vectors, dtype=np.float32).reshape(len(found), -1)
            rows /= np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
            with self._lock:
                if len(self._items) + len(found) > self._max:
                    self._items.clear()
                self._items.update(zip(found, rows, strict=True))
        items = self._items
        present = [i for i in ids if i in items]
        if not present:
            return [], np.zeros((0, 0), dtype=np.float32)
        return present, np.stack([items[i] for i in present])


class SubsetSearch:
    """Narrow filters: exact cosine search over the few chunks that match.

    When a filter matches too few of a query's neighbours for the over-fetch window, Chroma's
    ``where`` would select every matching id from SQLite first (a month at 100k chunks: 0.5-1.8 s,
    docs/benchmarks.md "Scale"). The matching ids are known exactly from the in-memory filter
    columns; their vectors are gathered once per (snapshot, filter) into a matrix kept in a small
    LRU, and a dot product over a few thousand rows takes well under a millisecond. The result is
    exact, where HNSW is approximate.
    """

    def __init__(
        self, columns: FilterColumns, max_subset: int = 20_000, max_rows: int = 100_000
    ) -> None:
        self._columns = columns
        self.max_subset = max_subset  # beyond this the over-fetch window is the cheaper path
        self._max_rows = max_rows  # all cached subset matrices together (~150 MB at 384-d)
        self._subsets: OrderedDict[tuple[str, SearchFilters], tuple[list[str], np.ndarray]]
        self._subsets = OrderedDict()
        self._too_big: OrderedDict[tuple[str, SearchFilters], None] = OrderedDict()
        self._lock = threading.Lock()
        self.searches = 0  # exposed for tests and benchmarks

    def search(
        self, vectors: VectorCache, vector: Sequence[float], top_k: int, filters: SearchFilters
    ) -> list[Hit] | None:
        """Exact hits, or None when the columns are missing or the subset is too large."""
        subset = self._subset(vectors, filters)
        if subset is None:
            return None
        self.searches += 1
        present, rows = subset
        if not present:
            return []
        query = np.asarray(vector, dtype=np.float32)
        query /= max(float(np.linalg.norm(query)), 1e-12)
        distances = 1.0 - rows @ query
        k = min(top_k, len(present))
        best = np.argpartition(distances, k - 1)[:k] if k < len(present) else np.arange(k)
        hits = [(present[int(i)], float(distances[int(i)])) for i in best]
        return sorted(hits, key=lambda hit: (hit[1], hit[0]))

    def _subset(
        self, vectors: VectorCache, filters: SearchFilters
    ) -> tuple[list[str], np.ndarray] | None:
        name = self._columns.current_name()
        if name is None:
            return None
        with self._lock:
            if (name, filters) in self._subsets:
                self._subsets.move_to_end((name, filters))
                return self._subsets[(name, filters)]
            if (name, filters) in self._too_big:
                return None
        matched = self._columns.matching_ids(filters)
        if matched is None:
            return None
        key, ids = (matched[0], filters), matched[1]
        if len(ids) > self.max_subset:
            with self._lock:
                self._too_big[key] = None
                while len(self._too_big) > 256:
                    self._too_big.popitem(last=False)
            return None
        subset = vectors.matrix(ids)
        with self._lock:
            self._subsets[key] = subset
            while sum(len(s[0]) for s in self._subsets.values()) > self._max_rows:
                self._subsets.popitem(last=False)
        return subset
