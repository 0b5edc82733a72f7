"""Lexical (BM25) index over chunk texts on tantivy: incremental adds and deletes by id.

Layout: ``<dir>/`` is one tantivy index (``meta.json`` + segment files). A writer (the ingest run,
under the pipeline's writer lock and tantivy's own ``.tantivy-writer.lock``) deletes and adds the
chunks of the documents that changed and commits once per run, push or retraction: the cost is
that batch's, not the archive's. A commit is atomic (tantivy replaces ``meta.json``); segments
are merged in the background by tantivy's log merge policy and waited for before the writer is
released, so the segment count stays logarithmic.

Readers (API workers, replicas, other processes) ``stat`` ``meta.json`` on every query and reload
their searcher when it changed: a new commit is visible to the next query, without a restart.

Tokenisation is bm25s' former one: ``\\w\\w+`` words, lowercased, the 33 English (Lucene) stop
words removed, Snowball English stems. Scoring is tantivy's BM25 (k1 = 1.2, b = 0.75).
Filters come from ``filter_rules.compile_filters`` (one rule definition for every backend) and
run on fast fields as score-less clauses.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from qa_service.core.dates import UNDATED
from qa_service.core.filter_rules import FilterRules, compile_filters
from qa_service.core.models import LexicalRecord, SearchFilters

ANALYZER = "en_stem"
TOKEN_PATTERN = r"(?u)\b\w\w+\b"  # bm25s' (scikit-learn's) word pattern: 2+ word characters
# bm25s' "en" list, which is Lucene's English stop set (tantivy's "english" too): kept explicit
STOPWORDS = (
    "a an and are as at be but by for if in into is it no not of on or such that the their "
    "then there these they this to was will with"
).split()
WRITER_HEAP_BYTES = 64_000_000  # tantivy wants >= 15 MB per indexing thread
AGGREGATION_MAX_IDS = 60_000  # tantivy caps one terms aggregation at 65,000 buckets
ID_PAGE = 10_000
QUERY_CACHE_SIZE = 1024


def _tantivy() -> Any:
    import tantivy

    return tantivy


def _analyzer() -> Any:
    t = _tantivy()
    return (
        t.TextAnalyzerBuilder(t.Tokenizer.regex(TOKEN_PATTERN))
        .filter(t.Filter.lowercase())
        .filter(t.Filter.custom_stopword(STOPWORDS))
        .filter(t.Filter.stemmer("english"))
        .build()
    )


def _schema() -> Any:
    t = _tantivy()
    builder = t.SchemaBuilder()
    builder.add_text_field("chunk_id", stored=True, fast=True, tokenizer_name="raw")
    builder.add_text_field("doc_id", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("text", tokenizer_name=ANALYZER, index_option="freq")
    builder.add_integer_field("day", indexed=True, fast=True)
    builder.add_text_field("source", tokenizer_name="raw", fast=True, index_option="basic")
    return builder.build()


class _Reader:
    """One opened index with the commit it shows (``name``: the ``meta.json`` it was loaded at)."""

    def __init__(self, directory: Path) -> None:
        t = _tantivy()
        self.index = t.Index.open(str(directory))
        self.index.register_tokenizer(ANALYZER, _analyzer())
        self.index.config_reader("manual")
        self.schema = self.index.schema
        self.name: str | None = None


class TantivyIndex:
    """Implements ``LexicalIndex`` (and ``chroma_filters.FilterColumns``). Thread-safe for
    concurrent queries and reloads; one writer at a time (the ingestion service's lock)."""

    def __init__(self, directory: Path) -> None:
        self._dir = directory
        self._analyzer = _analyzer()
        self._lock = threading.Lock()
        self._reader: _Reader | None = None
        self.terms = lru_cache(maxsize=QUERY_CACHE_SIZE)(self._terms)

    @property
    def directory(self) -> Path:
        return self._dir

    # --- writing (ingest) ---------------------------------------------------
    def update(
        self,
        records: Sequence[LexicalRecord],
        deleted_documents: Iterable[str] = (),
        deleted_chunks: Iterable[str] = (),
    ) -> bool:
        """One commit: every chunk of ``deleted_documents`` and every id in ``deleted_chunks``
        removed, ``records`` added (replacing any chunk of the same id). Returns whether it
        committed (nothing to do: no commit, readers keep their searcher)."""
        documents, chunks = list(deleted_documents), list(deleted_chunks)
        if not (records or documents or chunks):
            return False
        self._write(records, documents, chunks, everything=False)
        return True

    def rebuild(self, records: Sequence[LexicalRecord]) -> None:
        """Replace the whole index with ``records`` in one commit (repair, migration)."""
        self._write(records, [], [], everything=True)

    def _write(
        self,
        records: Sequence[LexicalRecord],
        documents: list[str],
        chunks: list[str],
        everything: bool,
    ) -> None:
        t = _tantivy()
        self._dir.mkdir(parents=True, exist_ok=True)
        index = t.Index(_schema(), path=str(self._dir), reuse=True)
        index.register_tokenizer(ANALYZER, _analyzer())
        writer = index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=1)
        try:
            if everything:
                writer.delete_all_documents()
            for doc_id in documents:
                writer.delete_documents_by_term("doc_id", doc_id)
            for chunk_id in chunks:
                writer.delete_documents_by_term("chunk_id", chunk_id)
            for record in records:
                if not everything:
                    writer.delete_documents_by_term("chunk_id", record.chunk_id)
                writer.add_document(_document(t, record))
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        writer.wait_merging_threads()  # merges finish before the writer (and its lock) goes

    # --- reading (API) ------------------------------------------------------
    def current_name(self) -> str | None:
        """The commit readers see now: reloads the searcher when ``meta.json`` changed (one
        ``stat`` per query; tantivy replaces the file on commit, so it gets a new inode)."""
        return self._current()[1]

    def _current(self) -> tuple[_Reader | None, str | None]:
        try:
            st = os.stat(self._dir / "meta.json")
        except FileNotFoundError:
            with self._lock:
                self._reader = None
            return None, None
        name = f"{st.st_ino}-{st.st_mtime_ns}-{st.st_size}"
        with self._lock:
            reader = self._reader
            if reader is None:
                reader = self._reader = _Reader(self._dir)
                reader.name = name
            elif reader.name != name:
                reader.index.reload()
                reader.name = name
            return reader, name

    def search(self, query: str, top_k: int, filters: SearchFilters) -> list[tuple[str, float]]:
        reader, _ = self._current()
        terms = self.terms(query)
        if reader is None or not terms or top_k <= 0:
            return []
        t = _tantivy()
        words = t.Query.boolean_query(
            [(t.Occur.Should, t.Query.term_query(reader.schema, "text", w, "freq")) for w in terms]
        )
        admitted = _filter_query(t, reader.schema, compile_filters(filters))
        if admitted is not None:
            words = t.Query.boolean_query(
                [(t.Occur.Must, words), (t.Occur.Must, t.Query.const_score_query(admitted, 0.0))]
            )
        searcher = reader.index.searcher()
        hits = searcher.search(words, top_k, count=False).hits
        return [(searcher.doc(address)["chunk_id"][0], float(score)) for score, address in hits]

    def _terms(self, query: str) -> tuple[str, ...]:
        """The query's stemmed words (repeats kept: each counts, as in bm25s); cached."""
        return tuple(self._analyzer.analyze(query))

    def matching_ids(self, filters: SearchFilters) -> tuple[str, list[str]] | None:
        """The commit's name and every chunk id the filters admit (``FilterColumns``); None
        without an index."""
        reader, name = self._current()
        if reader is None or name is None:
            return None
        t = _tantivy()
        admitted = _filter_query(t, reader.schema, compile_filters(filters))
        return name, _ids(t, reader.index.searcher(), admitted or t.Query.all_query())

    def chunk_ids(self) -> set[str] | None:
        """Every chunk id in the index (``--verify``: reads the whole index)."""
        found = self.matching_ids(SearchFilters())
        return None if found is None else set(found[1])

    def count(self) -> int | None:
        """Chunks in the index (cheap: segment metadata); None without an index."""
        reader, _ = self._current()
        return None if reader is None else int(reader.index.searcher().num_docs)


def _document(t: Any, record: LexicalRecord) -> Any:
    doc = t.Document()
    doc.add_text("chunk_id", record.chunk_id)
    doc.add_text("doc_id", record.doc_id)
    doc.add_text("text", record.text)
    doc.add_integer("day", record.published_day)
    doc.add_text("source", record.source)
    return doc


def _filter_query(t: Any, schema: Any, rules: FilterRules) -> Any | None:
    """``FilterRules`` as a tantivy query over the ``day`` and ``source`` fast fields (day 0 =
    undated); None when nothing is filtered."""
    clauses = []
    if rules.days is not None:
        days = rules.days
        lo = max(days.lo if days.lo is not None else 1, UNDATED + 1)
        dated = t.Query.range_query(schema, "day", t.FieldType.Integer, lo, days.hi)
        if days.undated:
            undated = t.Query.term_query(schema, "day", UNDATED)
            dated = t.Query.boolean_query([(t.Occur.Should, dated), (t.Occur.Should, undated)])
        clauses.append((t.Occur.Must, dated))
    if rules.source is not None:
        clauses.append((t.Occur.Must, t.Query.term_query(schema, "source", rules.source)))
    return t.Query.boolean_query(clauses) if clauses else None


def _ids(t: Any, searcher: Any, query: Any) -> list[str]:
    """Chunk ids of every live document matching ``query``: a terms aggregation over the
    ``chunk_id`` fast field when it fits one, else pages of stored documents."""
    total = int(searcher.search(query, 1, count=True).count)
    if total == 0:
        return []
    if total <= AGGREGATION_MAX_IDS:
        result = searcher.aggregate(query, {"ids": {"terms": {"field": "chunk_id", "size": total}}})
        return sorted(str(bucket["key"]) for bucket in result["ids"]["buckets"])
    ids: list[str] = []
    for offset in range(0, total, ID_PAGE):
        hits = searcher.search(query, ID_PAGE, count=False, offset=offset).hits
        ids.extend(searcher.doc(address)["chunk_id"][0] for _, address in hits)
    return sorted(ids)
