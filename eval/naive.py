"""Naive whole-passage baselines, computed in the same run as the service they are compared with.

Each corpus record is one unit (no cleaning, no chunking, no title): dense = cosine of the packaged
embedder's vectors, lexical = BM25 (bm25s, English stopwords, Snowball stemmer), rrf = reciprocal
rank fusion of the two (k = 60). These are the floors the service must beat (issue 12); they are
the same kind of anchors as the RealTimeQA README's (measured there on a disjoint split).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import bm25s
import numpy as np
import Stemmer

from qa_service.core.ports import Embedder

RRF_K = 60


def dense_rankings(
    embedder: Embedder, doc_ids: Sequence[str], texts: Sequence[str], queries: Sequence[str], k: int
) -> list[list[str]]:
    docs = _unit(np.asarray(embedder.embed(list(texts)), dtype=np.float32))
    qs = _unit(np.asarray(embedder.embed(list(queries)), dtype=np.float32))
    scores = qs @ docs.T
    top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return [[doc_ids[i] for i in row] for row in top]


def bm25_rankings(
    doc_ids: Sequence[str], texts: Sequence[str], queries: Sequence[str], k: int
) -> list[list[str]]:
    stem = Stemmer.Stemmer("english").stemWords
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(list(texts), stopwords="en", stemmer=stem, show_progress=False),
                    show_progress=False)  # fmt: skip
    tokens = bm25s.tokenize(list(queries), stopwords="en", stemmer=stem, show_progress=False)
    results, _ = retriever.retrieve(tokens, k=min(k, len(texts)), show_progress=False)
    return [[doc_ids[int(i)] for i in row] for row in results]


def rrf(rankings: Sequence[Sequence[str]], k: int) -> list[str]:
    score: dict[str, float] = {}
    for ranking in rankings:
        for rank, doc_id in enumerate(ranking, start=1):
            score[doc_id] = score.get(doc_id, 0.0) + 1.0 / (RRF_K + rank)
    return sorted(score, key=lambda d: -score[d])[:k]


def naive_rankings(
    embedder: Embedder, corpus: Mapping[str, str], queries: Sequence[str], k: int = 10
) -> dict[str, list[list[str]]]:
    """Top-``k`` document ids per query for the dense, lexical and rrf baselines."""
    ids, texts = list(corpus), list(corpus.values())
    depth = max(k, 50)  # fuse deeper lists than are scored, as a real RRF would
    dense = dense_rankings(embedder, ids, texts, queries, depth)
    lexical = bm25_rankings(ids, texts, queries, depth)
    return {
        "naive_dense": [r[:k] for r in dense],
        "naive_bm25": [r[:k] for r in lexical],
        "naive_rrf": [rrf(pair, k) for pair in zip(dense, lexical, strict=True)],
    }


def hit_rates(
    rankings: Sequence[Sequence[str]],
    gold: Sequence[Sequence[str]],
    hits: Callable[[Sequence[str], Sequence[str], int], float],
) -> dict[str, float]:
    n = len(rankings) or 1
    return {
        f"hits_at_{k}": sum(hits(r, g, k) for r, g in zip(rankings, gold, strict=True)) / n
        for k in (4, 10)
    }


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms)
