"""The per-record and per-chunk work of an ingest run, behind one interface (``IngestStages``) so
it runs in this process (``InProcessStages``) or spread over a cluster (``ingest/executors/ray``).

Every stage here looks at one record, article or chunk at a time; every decision that spans
documents (site boilerplate lines, ids used twice, near-duplicates, shared titles, what is stale)
is taken in ``pipeline`` from the stages' results, in one place, so all executors write the same
store.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from qa_service.core.article_dates import with_mentioned_dates
from qa_service.core.models import Article, Chunk
from qa_service.core.ports import CorpusWriter, Embedder
from qa_service.ingestion.archive_dedup import signature_of
from qa_service.ingestion.articles import IngestWarning, to_article
from qa_service.ingestion.chunking import ArticleChunker, embedding_text
from qa_service.ingestion.clean_report import CleaningReport
from qa_service.ingestion.records import RawRecord, Skipped
from qa_service.ingestion.site_boilerplate import page_lines, site_lines_from, site_of

ProgressFn = Callable[[str, int, int], None]
EMBED_BLOCK = 256  # texts per embed call: big enough for the model's length-sorted batching


@dataclass(frozen=True)
class StageTime:
    """Throughput of one stage of a run (the summary prints items/s per stage)."""

    stage: str
    items: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.items / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class Converted:
    """One record after cleaning: the article (or why it was skipped), its warnings, what cleaning
    removed from it, and its packed MinHash signature (b"" without one: skipped, no shingle)."""

    result: Article | Skipped
    warnings: tuple[IngestWarning, ...]
    cleaning: CleaningReport
    signature: bytes = b""


def convert_record(record: RawRecord, site_lines: frozenset[str] = frozenset()) -> Converted:
    """``to_article`` for one record, with everything it reports kept apart (merged in order by
    the pipeline, so the run's report does not depend on where the record was converted)."""
    warnings: list[IngestWarning] = []
    cleaning = CleaningReport()
    result = to_article(record, warnings, site_lines, cleaning)
    signature = signature_of(result) if isinstance(result, Article) else b""
    return Converted(result, tuple(warnings), cleaning, signature)


def page_summary(record: RawRecord) -> tuple[str, set[str]]:
    """What site-boilerplate counting needs of a page: its site and its distinct lines."""
    return site_of(record), page_lines(record)


def chunk_articles(
    chunker: ArticleChunker, articles: Sequence[Article], shared: frozenset[str]
) -> list[list[Chunk]]:
    return [chunker.chunk_article(a, a.title in shared) for a in articles]


def embed_chunks(
    embedder: Embedder, chunks: Sequence[Chunk], shared: frozenset[str]
) -> list[list[float]]:
    return embedder.embed([embedding_text(c, c.title in shared) for c in chunks])


def embed_and_upsert(
    store: CorpusWriter,
    embedder: Embedder,
    chunks: Sequence[Chunk],
    progress: ProgressFn | None,
    shared: frozenset[str] = frozenset(),
) -> None:
    """Embed and write ``chunks`` block by block (a killed run keeps the blocks written)."""
    total = len(chunks)
    if progress:
        progress("embed", 0, total)
    for lo in range(0, total, EMBED_BLOCK):
        block = chunks[lo : lo + EMBED_BLOCK]
        store.upsert_chunks(block, embed_chunks(embedder, block, shared))
        if progress:
            progress("embed", lo + len(block), total)


class IngestStages(Protocol):
    """The swappable, embarrassingly parallel part of an ingest run."""

    def site_lines(self, pages: Sequence[RawRecord]) -> Mapping[str, frozenset[str]]:
        """Per site, the lines recurring on enough of its pages (``site_boilerplate``)."""
        ...

    def convert(self, items: Sequence[tuple[RawRecord, frozenset[str]]]) -> list[Converted]:
        """``convert_record`` for each (record, its site's lines), in order."""
        ...

    def chunk(self, articles: Sequence[Article], shared: frozenset[str]) -> list[list[Chunk]]:
        """Each article's chunks, in order."""
        ...

    def embed_and_upsert(
        self,
        store: CorpusWriter,
        chunks: Sequence[Chunk],
        shared: frozenset[str],
        progress: ProgressFn | None,
    ) -> None:
        """Fill in the chunks' mentioned dates, embed them and upsert them into the store."""
        ...


class InProcessStages:
    """Implements ``IngestStages`` in this process: the CLI's local executor and the push route."""

    def __init__(self, embedder: Embedder, chunker: ArticleChunker) -> None:
        self._embedder = embedder
        self._chunker = chunker

    def site_lines(self, pages: Sequence[RawRecord]) -> Mapping[str, frozenset[str]]:
        return site_lines_from(page_summary(page) for page in pages)

    def convert(self, items: Sequence[tuple[RawRecord, frozenset[str]]]) -> list[Converted]:
        return [convert_record(record, lines) for record, lines in items]

    def chunk(self, articles: Sequence[Article], shared: frozenset[str]) -> list[list[Chunk]]:
        return chunk_articles(self._chunker, articles, shared)

    def embed_and_upsert(
        self,
        store: CorpusWriter,
        chunks: Sequence[Chunk],
        shared: frozenset[str],
        progress: ProgressFn | None,
    ) -> None:
        embed_and_upsert(store, self._embedder, with_mentioned_dates(chunks), progress, shared)
