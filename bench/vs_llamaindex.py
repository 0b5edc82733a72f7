"""Ours vs LlamaIndex's default ``VectorStoreIndex`` over ``ChromaVectorStore``, same embedder.

Corpus: the seed articles + the MultiHop-RAG sample corpus; queries: the MultiHop dev split.
* Ingest: our pipeline (load, clean, dedup, 200-token chunks, embed, upsert, BM25 snapshot) vs
  ``VectorStoreIndex.from_documents`` (default SentenceSplitter, embed, insert) on the articles
  our loader produced (LlamaIndex is not charged for loading and cleaning).
* Query: in-process retrieval of 10 passages from a precomputed query vector, ours
  (``HybridRetriever`` via its query cache, hybrid and dense) vs
  ``index.as_retriever(similarity_top_k=10)`` given a ``QueryBundle`` with the embedding.
* Quality: evidence-level Hits@4/Hits@10 (eval/multihop_metrics.py) on the dev split.
Both use the same MiniLM adapter instance (wrapped as a llama-index ``BaseEmbedding``).
Run: ``.venv/bin/python -m bench.vs_llamaindex --runs 3``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from llama_index.core import Document, QueryBundle, StorageContext, VectorStoreIndex
from llama_index.core.embeddings import BaseEmbedding
from llama_index.vector_stores.chroma import ChromaVectorStore
from pydantic import PrivateAttr

from eval.multihop_metrics import evidence_hits
from ingest.job import build_pipeline, load_files
from qa_service.adapters.chroma_store import make_client
from qa_service.container import build_embedder, build_services
from qa_service.core.models import SearchFilters
from qa_service.core.ports import Embedder
from qa_service.ingestion.pipeline import IngestReport
from qa_service.settings import Settings

REPO = Path(__file__).resolve().parents[1]


class OurEmbedding(BaseEmbedding):
    """Our ``Embedder`` port as a llama-index embedding model (same weights, same vectors)."""

    _inner: Any = PrivateAttr()

    def __init__(self, inner: Embedder) -> None:
        super().__init__(model_name=inner.model_id, embed_batch_size=64)
        self._inner = inner

    def _get_query_embedding(self, query: str) -> list[float]:
        return list(self._inner.embed([query])[0])

    def _get_text_embedding(self, text: str) -> list[float]:
        return list(self._inner.embed([text])[0])

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return [list(v) for v in self._inner.embed(texts)]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


def data_paths() -> tuple[Path, Path]:
    for base in (REPO / "eval" / "data", REPO.parent / "shared" / "benchmarks"):
        if (base / "multihop-rag-sample" / "dev.jsonl").is_file():
            sample = base / "multihop-rag-sample"
            return sample / "corpus.jsonl", sample / "dev.jsonl"
    raise SystemExit("MultiHop-RAG sample not found")


def hits(passages: list[list[str]], facts: list[list[str]], k: int) -> float:
    scored = [evidence_hits(p, f, k) for p, f in zip(passages, facts, strict=True)]
    values = [s for s in scored if s is not None]
    return sum(values) / len(values)


def run_once(
    tmp: Path, run: int, embedder: Embedder, queries: list[dict[str, Any]]
) -> dict[str, Any]:
    corpus, _ = data_paths()
    sources = [REPO / "data" / "articles", corpus]
    settings = Settings(chroma_path=tmp / "chroma", collection_prefix=f"ours{run}")
    services = build_services(settings, embedder=embedder)
    started = time.perf_counter()
    report = build_pipeline(settings, services.store, embedder).run(sources)
    ours_ingest = time.perf_counter() - started

    articles = load_files(sources, 5_000_000, IngestReport())
    documents = [
        Document(
            text=a.text, id_=a.doc_id, metadata={"title": a.title or "", "source": a.source or ""}
        )
        for a in articles
    ]
    collection = make_client(tmp / "chroma", None).get_or_create_collection(f"li{run}")
    storage = StorageContext.from_defaults(
        vector_store=ChromaVectorStore(chroma_collection=collection)
    )
    started = time.perf_counter()
    index = VectorStoreIndex.from_documents(
        documents, storage_context=storage, embed_model=OurEmbedding(embedder)
    )
    li_ingest = time.perf_counter() - started
    li = index.as_retriever(similarity_top_k=10)

    out: dict[str, Any] = {
        "ingest_s": {"ours": ours_ingest, "llamaindex": li_ingest},
        "chunks": {"ours": report.chunks_new, "llamaindex": collection.count()},
    }
    facts = [[e["fact"] for e in q["evidence"]] for q in queries]
    # Both sides get the same precomputed query vector: the embedding costs the same (same
    # model) and, on a busy machine, would drown the retrieval time we compare.
    vectors = embedder.embed([q["query"] for q in queries])
    for name in ("hybrid", "dense", "llamaindex"):
        if name != "llamaindex":
            retriever = build_services(
                settings.model_copy(update={"retrieval_mode": name}), embedder=embedder
            )
            for q, vector in zip(queries, vectors, strict=True):
                retriever.queries._items[" ".join(q["query"].split())] = vector
        latencies, passages = [], []
        for q, vector in zip(queries, vectors, strict=True):
            started = time.perf_counter()
            if name == "llamaindex":
                bundle = QueryBundle(query_str=q["query"], embedding=list(vector))
                texts = [n.node.get_content() for n in li.retrieve(bundle)]
            else:
                found = retriever.retriever.search(q["query"], 10, SearchFilters())
                texts = [p.chunk.text for p in found]
            latencies.append((time.perf_counter() - started) * 1000)
            passages.append(texts)
        out[name] = {
            "query_p50_ms": statistics.median(latencies),
            "hits_at_4": hits(passages, facts, 4),
            "hits_at_10": hits(passages, facts, 10),
        }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    _, dev = data_paths()
    queries = [json.loads(line) for line in dev.read_text().splitlines() if line]
    queries = [q for q in queries if q["evidence"]]  # null queries have no facts to find
    embedder = build_embedder(Settings(embedder="minilm"))
    embedder.embed(["warm up"])
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            results.append(run_once(Path(tmp), run, embedder, queries))
            r = results[-1]
            print(
                f"run {run + 1}: ingest ours {r['ingest_s']['ours']:.1f} s, llamaindex "
                f"{r['ingest_s']['llamaindex']:.1f} s; query p50 hybrid "
                f"{r['hybrid']['query_p50_ms']:.1f} / dense {r['dense']['query_p50_ms']:.1f} / "
                f"llamaindex {r['llamaindex']['query_p50_ms']:.1f} ms",
                flush=True,
            )

    def median(path: tuple[str, str]) -> float:
        return statistics.median(r[path[0]][path[1]] for r in results)

    ours_in, li_in = median(("ingest_s", "ours")), median(("ingest_s", "llamaindex"))
    ratios = [r["ingest_s"]["ours"] / r["ingest_s"]["llamaindex"] for r in results]
    print(f"\n{len(queries)} MultiHop dev queries with evidence; median of {args.runs} runs")
    print(
        f"chunks: ours {results[0]['chunks']['ours']}, "
        f"llamaindex {results[0]['chunks']['llamaindex']}"
    )
    print(
        f"ingest: ours {ours_in:.1f} s, llamaindex {li_in:.1f} s, "
        f"ratio ours/llamaindex (median of per-run ratios) {statistics.median(ratios):.2f}"
    )
    li_q = median(("llamaindex", "query_p50_ms"))
    for name in ("hybrid", "dense", "llamaindex"):
        q = median((name, "query_p50_ms"))
        print(
            f"{name:10} query p50 {q:6.1f} ms (x{q / li_q:.2f} of llamaindex)  "
            f"Hits@4 {results[0][name]['hits_at_4']:.3f}  "
            f"Hits@10 {results[0][name]['hits_at_10']:.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
