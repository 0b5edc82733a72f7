"""Retrieval variants on both external dev sets, with the service's own cleaning, chunking,
BM25 snapshot and fusion code (``HybridRetriever``), over exact cosine search.

It answers "which embedded text and which fusion", not "how fast": no HTTP and no Chroma (HNSW
gave the same Hits@4/@10 as exact search on the 3.5k-chunk RealTimeQA store, checked with
``hnsw:search_ef`` 10 and 100). Variants are ``<layout>/<fusion>``: layout = what the embedder
sees (``title`` = title + body, ``body``, ``own-title`` = the title only when no other article
of the run carries it, ``outlet+own-title`` = the default); fusion = ``dense``, ``lexical``,
``rrf:<lexical weight>:<k>`` or ``convex:<lexical weight>``; ``--candidates`` per side.
RealTimeQA has no licence: it is read from ``--data`` and nothing of it is written anywhere.

    .venv/bin/python -m bench.generalisation multihop
    .venv/bin/python -m bench.generalisation realtimeqa --data ../shared/benchmarks/realtimeqa-dev
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from eval.multihop_metrics import doc_hits, evidence_hits
from eval.realtimeqa_metrics import hits_at
from ingest.job import load_files
from qa_service.adapters.tantivy_index import TantivyIndex
from qa_service.adapters.tokens import TiktokenCounter
from qa_service.container import build_embedder
from qa_service.core.models import Chunk, Passage, SearchFilters
from qa_service.core.retrieval import HybridRetriever, QueryEmbeddingCache
from qa_service.ingestion.chunking import ArticleChunker, shared_titles
from qa_service.ingestion.dedup import collapse_near_duplicates
from qa_service.ingestion.pipeline import IngestReport, lexical_record
from qa_service.settings import Settings

ROOT = Path(__file__).resolve().parents[1]

DEFAULT_VARIANTS = (
    "title/dense", "title/lexical", "title/rrf:1:60", "body/dense", "own-title/dense",
    "own-title/rrf:1:60", "own-title/rrf:0.5:60", "own-title/convex:0.8",
    "outlet+own-title/dense", "outlet+own-title/rrf:1:60", "outlet+own-title/convex:1",
    "outlet+own-title/convex:0.8", "outlet+own-title/convex:0.5",
)  # fmt: skip
DATA = {"multihop": ROOT / "eval" / "data" / "multihop-rag-sample"}


def layouts(shared: frozenset[str]) -> dict[str, Callable[[Chunk], str]]:
    def own(c: Chunk) -> str | None:
        return c.title if c.title and c.title not in shared else None

    def join(*head: str | None) -> Callable[[Chunk], str]:
        return lambda c: "\n".join(p for p in head if p) + "\n\n" + c.text if any(head) else c.text

    return {
        "title": lambda c: join(c.title)(c),
        "body": lambda c: c.text,
        "own-title": lambda c: join(own(c))(c),
        "outlet+own-title": lambda c: join(c.source, own(c))(c),
    }


class ExactStore:
    """The ``VectorStore`` calls retrieval makes, answered by exact cosine over a matrix."""

    def __init__(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        self._chunks = list(chunks)
        self._by_id = {c.chunk_id: c for c in chunks}
        self._matrix = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def query(self, vector: Sequence[float], top_k: int, filters: SearchFilters) -> list[Passage]:
        query = np.asarray(vector, dtype=np.float32)
        scores = self._matrix @ (query / np.linalg.norm(query))
        best = np.argsort(-scores, kind="stable")[:top_k]
        return [Passage(chunk=self._chunks[i], score=float(scores[i])) for i in best]

    def get_chunks(self, chunk_ids: Sequence[str]) -> list[Chunk]:
        return [self._by_id[i] for i in chunk_ids if i in self._by_id]


def load_queries(name: str, data: Path) -> list[dict[str, object]]:
    rows = [json.loads(line) for line in (data / "dev.jsonl").open() if line.strip()]
    return [r for r in rows if name == "realtimeqa" or r["evidence"]]


def score(name: str, results: list[list[Passage]], rows: list[dict], dups: dict) -> list[float]:
    """Hits@4, Hits@10 (RealTimeQA: a gold passage; MultiHop: evidence facts, then articles)."""
    gold = [[dups.get(g, g) for g in q["gold_doc_ids"]] for q in rows]
    ids = [[p.chunk.doc_id for p in res] for res in results]
    if name == "realtimeqa":
        return [
            float(np.mean([hits_at(i, g, k) for i, g in zip(ids, gold, strict=True)]))
            for k in (4, 10)
        ]
    facts = [[e["fact"] for e in q["evidence"]] for q in rows]
    texts = [[p.chunk.text for p in res] for res in results]
    evidence = [
        np.mean([evidence_hits(t, f, k) or 0.0 for t, f in zip(texts, facts, strict=True)])
        for k in (4, 10)
    ]
    articles = [
        np.mean([doc_hits(i, g, k) or 0.0 for i, g in zip(ids, gold, strict=True)]) for k in (4, 10)
    ]
    return [float(x) for x in (*evidence, *articles)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("set", choices=["multihop", "realtimeqa"])
    parser.add_argument("--data", type=Path, help="folder with corpus.jsonl and dev.jsonl")
    parser.add_argument("--candidates", type=int, default=50, help="candidates per side")
    parser.add_argument("--variants", default=",".join(DEFAULT_VARIANTS))
    args = parser.parse_args()
    data = args.data or DATA.get(args.set)
    if data is None:
        parser.error("--data is required for realtimeqa")
    report = IngestReport()
    articles, dups_list = collapse_near_duplicates(
        load_files([data / "corpus.jsonl"], 50_000_000, report)
    )
    chunker = ArticleChunker(TiktokenCounter().encode)
    chunks = [c for a in articles for c in chunker.chunk_article(a)]
    rows, dups = load_queries(args.set, data), dict(dups_list)
    questions = [str(r.get("question") or r.get("query")) for r in rows]
    embedder = build_embedder(Settings())
    queries = QueryEmbeddingCache(embedder, maxsize=len(questions) + 1)
    queries.embed(questions)
    lexical = TantivyIndex(Path(tempfile.mkdtemp(prefix="bench-lexical-")))
    lexical.rebuild([lexical_record(c) for c in chunks])
    texts = layouts(shared_titles(articles))
    stores: dict[str, ExactStore] = {}
    print(f"{args.set}: {len(articles)} articles, {len(chunks)} chunks, {len(rows)} queries, "
          f"skipped {len(report.skipped)}, candidates {args.candidates}")  # fmt: skip
    for variant in args.variants.split(","):
        layout, fusion = variant.split("/")
        if layout not in stores:
            vectors = np.asarray(embedder.embed([texts[layout](c) for c in chunks]), np.float32)
            stores[layout] = ExactStore(chunks, vectors)
        kind, *params = fusion.split(":")
        retriever = HybridRetriever(
            queries, stores[layout], lexical,  # type: ignore[arg-type]  # the calls it makes
            mode=kind if kind in ("dense", "lexical") else "hybrid",
            fusion="rrf" if kind == "rrf" else "convex",
            lexical_weight=float(params[0]) if params else 1.0,
            rrf_k=int(params[1]) if len(params) > 1 else 60, candidates=args.candidates,
        )  # fmt: skip
        results = [retriever.search(q, 10, SearchFilters()) for q in questions]
        print(variant, " ".join(f"{x:.3f}" for x in score(args.set, results, rows, dups)))


if __name__ == "__main__":
    main()
