"""Deterministic test doubles shared by unit tests (no model download, no network)."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence

from qa_service.core.models import Article, Chunk, Passage

_WORD = re.compile(r"\w+", re.UNICODE)


def _words(text: str) -> frozenset[str]:
    """Word lists read (and review) better as prose than as one-string-per-line literals."""
    return frozenset(text.split())


# Function words would make every pair of sentences look alike; a real model mostly ignores them.
_STOPWORDS = _words(
    """a an the and or but of to in on at by for from with as is are was were be been it its this
    that these those he she they we you i his her their our what which who how did does do has
    have had not no so"""
)


class FakeEmbedder:
    """Hashing bag-of-words embedder: L2-normalised, ``dim`` buckets, records every batch size.

    Similar wording -> similar vectors, which is all ranking/threshold logic needs in unit tests.
    """

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.calls: list[int] = []  # size of each embed() batch, to assert batching

    @property
    def model_id(self) -> str:
        return f"fake-hashing-{self.dim}"

    def _vector(self, text: str) -> list[float]:
        vec = [0.0] * self.dim
        for word in _WORD.findall(text.lower()):
            if word in _STOPWORDS:
                continue
            digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
            bucket = int.from_bytes(digest[:4], "little") % self.dim
            vec[bucket] += 1.0 if digest[4] & 1 else -1.0
        norm = math.sqrt(sum(v * v for v in vec))
        return [v / norm for v in vec] if norm else vec

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls.append(len(texts))
        return [self._vector(t) for t in texts]


def make_article(text: str, doc_id: str = "doc-1", title: str | None = "Title") -> Article:
    return Article(
        doc_id=doc_id,
        text=text,
        title=title,
        source="example.com",
        url=f"https://example.com/{doc_id}",
        published_at="2025-05-14",
    )


def make_chunk(article: Article, start: int, end: int | None = None, index: int = 0) -> Chunk:
    """A chunk honouring the invariant ``chunk.text == article.text[start:end]``."""
    stop = len(article.text) if end is None else end
    return Chunk(
        chunk_id=f"{article.doc_id}-{index}",
        doc_id=article.doc_id,
        index=index,
        text=article.text[start:stop],
        start=start,
        end=stop,
        title=article.title,
        source=article.source,
        url=article.url,
        published_at=article.published_at,
    )


def make_passage(
    article: Article, start: int = 0, end: int | None = None, score: float = 1.0, index: int = 0
) -> Passage:
    return Passage(chunk=make_chunk(article, start, end, index), score=score)
