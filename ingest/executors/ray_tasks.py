"""What Ray workers run for ``ingest/executors/ray.py``: one record, article or chunk at a time.

Rows are ``{"i": position, "blob": pickled value}``: the values are this project's dataclasses
(records, articles, chunks), pickled as they are so nothing about them changes on the way, and
``i`` lets the driver put the results back in input order. Workers import no Ray themselves.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ingest.loaders import file_records
from qa_service.core.article_dates import with_mentioned_dates
from qa_service.core.models import Chunk
from qa_service.core.ports import Embedder, Vector
from qa_service.ingestion.chunking import ArticleChunker
from qa_service.ingestion.stages import convert_record, embed_chunks, page_summary

Batch = dict[str, Any]


class ChunkSink(Protocol):
    """Where embedded chunks go from a worker: ``upsert_chunks`` of a store (the Chroma server's
    client; an embedded store is written by the driver alone)."""

    def upsert_chunks(self, chunks: list[Chunk], vectors: list[Vector]) -> None: ...


def read_file(row: dict[str, Any]) -> list[dict[str, Any]]:
    """``flat_map``: every record (or Skipped) of one input file, numbered within the file."""
    records = file_records(Path(row["path"]), row["label"], row["max_bytes"])
    return [
        {"i": row["i"], "j": j, "blob": pickle.dumps(record)} for j, record in enumerate(records)
    ]


def summarise_pages(batch: Batch) -> Batch:
    """Each page's (site, distinct lines): the driver counts them into site boilerplate."""
    return _mapped(batch, page_summary)


def convert_records(batch: Batch) -> Batch:
    """Each (record, its site's lines) cleaned into a ``Converted``."""
    return _mapped(batch, lambda item: convert_record(*item))


@cache
def _chunker(chunk_tokens: int, chunk_overlap: int) -> ArticleChunker:
    """One chunker per worker process (the sentence splitter is slow to build). The container
    is imported here, on first use: a worker that only cleans records never loads it."""
    from qa_service.container import build_chunker

    return build_chunker(chunk_tokens, chunk_overlap)


def chunk_batch(batch: Batch, chunk_tokens: int, chunk_overlap: int) -> Batch:
    """Each (article, title shared?) chunked."""
    chunker = _chunker(chunk_tokens, chunk_overlap)
    return _mapped(batch, lambda item: chunker.chunk_article(*item))


class EmbedChunks:
    """``map_batches`` actor: loads the embedder once, then dates, embeds and (with a sink)
    writes each batch of chunks. Returns (chunk, float32 vector) pairs for the driver to write,
    or empty blobs when the sink wrote them."""

    def __init__(
        self,
        make_embedder: Callable[[], Embedder],
        shared: frozenset[str],
        make_sink: Callable[[], ChunkSink] | None = None,
    ) -> None:
        self._embedder = make_embedder()
        self._shared = shared
        self._sink = make_sink() if make_sink else None

    def __call__(self, batch: Batch) -> Batch:
        chunks = with_mentioned_dates(pickle.loads(blob) for blob in batch["blob"])
        vectors = embed_chunks(self._embedder, chunks, self._shared)
        if self._sink is not None:
            self._sink.upsert_chunks(chunks, vectors)
            return {"i": batch["i"], "blob": [b""] * len(chunks)}
        packed = np.asarray(vectors, dtype=np.float32)
        blobs = [pickle.dumps((c, v)) for c, v in zip(chunks, packed, strict=True)]
        return {"i": batch["i"], "blob": blobs}


def _mapped(batch: Batch, fn: Callable[[Any], Any]) -> Batch:
    return {"i": batch["i"], "blob": [pickle.dumps(fn(pickle.loads(b))) for b in batch["blob"]]}
