"""Whole-article retrieval on the MultiHop-RAG sample: which text BM25 should index.

Reproduces the issue's naive floor (dense MiniLM over title + body, bm25s over title + body
with English stopwords, RRF k=60) and compares it with stemming and with the outlet name in
the BM25 text, article-level Hits@4/Hits@10 over the 86 dev queries that have evidence. No
chunking, no Chroma: exact cosine over whole-article vectors, so only the indexed text differs.

    .venv/bin/python -m bench.multihop_fusion
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from qa_service.adapters.local_embedder import MiniLMEmbedder

ROOT = Path(__file__).resolve().parents[1]

DATA = ROOT.parent / "shared" / "benchmarks" / "multihop-rag-sample"
Doc = dict[str, str]
TEXTS: dict[str, Callable[[Doc], str]] = {
    "title + body": lambda d: f"{d['title']}\n\n{d['text']}",
    "title + outlet + body": lambda d: f"{d['title']}\n{d['source']}\n\n{d['text']}",
}


def hits(ranking: Sequence[str], gold: Sequence[str], k: int) -> float:
    return len(set(gold) & set(ranking[:k])) / len(set(gold))


def rrf(rankings: Sequence[Sequence[str]], k: int = 60) -> list[str]:
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, doc in enumerate(ranking, start=1):
            scores[doc] = scores.get(doc, 0.0) + 1.0 / (k + rank)
    return [doc for doc, _ in sorted(scores.items(), key=lambda p: (-p[1], p[0]))]


def bm25_rankings(
    docs: Sequence[Doc],
    ids: Sequence[str],
    queries: Sequence[str],
    text: Callable[[Doc], str],
    stem: bool,
) -> list[list[str]]:
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("english").stemWords if stem else None
    corpus = bm25s.tokenize(
        [text(d) for d in docs], stopwords="en", stemmer=stemmer, show_progress=False
    )
    model = bm25s.BM25()
    model.index(corpus, show_progress=False)
    asked = bm25s.tokenize(list(queries), stopwords="en", stemmer=stemmer, show_progress=False)
    found, _ = model.retrieve(asked, k=len(docs), show_progress=False)
    return [[ids[int(i)] for i in row] for row in found]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    docs = [json.loads(line) for line in (args.data / "corpus.jsonl").open(encoding="utf-8")]
    queries = [json.loads(line) for line in (args.data / "dev.jsonl").open(encoding="utf-8")]
    queries = [q for q in queries if q["gold_doc_ids"]]
    ids = [d["doc_id"] for d in docs]
    embedder = MiniLMEmbedder()
    doc_vectors = np.asarray(embedder.embed([TEXTS["title + body"](d) for d in docs]))
    query_vectors = np.asarray(embedder.embed([q["query"] for q in queries]))
    dense = [[ids[i] for i in np.argsort(-row)] for row in query_vectors @ doc_vectors.T]

    def score(rankings: Sequence[Sequence[str]]) -> str:
        pairs = list(zip(rankings, queries, strict=True))
        h4 = np.mean([hits(r, q["gold_doc_ids"], 4) for r, q in pairs])
        h10 = np.mean([hits(r, q["gold_doc_ids"], 10) for r, q in pairs])
        return f"{h4:.3f} / {h10:.3f}"

    print(f"{len(queries)} queries, {len(docs)} articles; article-level Hits@4 / Hits@10")
    print(f"{'dense MiniLM, title + body':45s} {score(dense)}")
    print(f"{'BM25 text':45s} {'BM25 alone':>15s}   {'RRF k=60 with dense':>20s}")
    for name, text in TEXTS.items():
        for stem in (False, True):
            lexical = bm25_rankings(docs, ids, [q["query"] for q in queries], text, stem)
            fused = [rrf([d, lx]) for d, lx in zip(dense, lexical, strict=True)]
            label = f"{name}{', stemmed' if stem else ''}"
            print(f"{label:45s} {score(lexical):>15s}   {score(fused):>20s}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
