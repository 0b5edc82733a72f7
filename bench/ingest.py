"""Ingest throughput vs the raw embedder, on >= 2,000 articles, measured side by side.

Prints: raw embedder chunks/s (same chunk texts, straight into the model), full ingest chunks/s
(load + clean + dedup + chunk + embed + upsert into a fresh embedded Chroma), their ratio, and the
time of an unchanged re-ingest vs the first ingest. Run: ``make bench`` or
``.venv/bin/python -m bench.ingest --articles 2000 --runs 3``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from ingest.job import build_pipeline, load_files
from qa_service.adapters.tokens import TiktokenCounter
from qa_service.container import build_embedder, build_store
from qa_service.ingestion.chunking import ArticleChunker, embedding_text
from qa_service.ingestion.dedup import collapse_near_duplicates
from qa_service.ingestion.pipeline import IngestReport
from qa_service.settings import Settings

SEEDS = Path(__file__).resolve().parents[1] / "data" / "articles"


def synthetic_corpus(directory: Path, n_articles: int, seed: int = 7) -> None:
    """Shuffled seed sentences: realistic news lengths, all distinct (no dedup collapse)."""
    rng = random.Random(seed)
    sentences = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        sentences += [s.strip() + "." for s in text.replace("\n", " ").split(". ") if len(s) > 40]
    with (directory / "corpus.jsonl").open("w", encoding="utf-8") as out:
        for i in range(n_articles):
            body = " ".join(rng.sample(sentences, k=min(len(sentences), rng.randint(8, 16))))
            record = {
                "id": f"synthetic-{i}",
                "title": f"Synthetic report {i}",
                "source": "Bench",
                "published_at": "2025-12-01",
                "text": body,
            }
            out.write(json.dumps(record) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--embedder", default="minilm", choices=["minilm", "hashing"])
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        synthetic_corpus(corpus, args.articles)
        settings = Settings(chroma_path=Path(tmp) / "chroma", embedder=args.embedder)
        embedder = build_embedder(settings)
        embedder.embed(["warm-up"])

        # the exact chunk texts the ingest will embed
        report = IngestReport()
        articles, _ = collapse_near_duplicates(load_files([corpus], 5_000_000, report))
        chunker = ArticleChunker(
            TiktokenCounter().encode, settings.chunk_tokens, settings.chunk_overlap
        )
        texts = [embedding_text(c) for a in articles for c in chunker.chunk_article(a)]

        raw_rates, ingest_rates, rerun_ratios = [], [], []
        for run in range(args.runs):
            started = time.perf_counter()
            for lo in range(0, len(texts), 256):
                embedder.embed(texts[lo : lo + 256])
            raw_rates.append(len(texts) / (time.perf_counter() - started))

            run_settings = settings.model_copy(update={"collection_prefix": f"run{run}"})
            store = build_store(run_settings, embedder.model_id)
            pipeline = build_pipeline(run_settings, store, embedder)
            first = pipeline.run([corpus])
            ingest_rates.append(first.chunks_new / first.seconds)
            second = pipeline.run([corpus])
            assert second.chunks_new == 0
            rerun_ratios.append(second.seconds / first.seconds)
            print(
                f"run {run + 1}: raw {raw_rates[-1]:.1f} chunks/s, ingest "
                f"{ingest_rates[-1]:.1f} chunks/s ({first.chunks_new} chunks, "
                f"{first.seconds:.1f} s), re-ingest {second.seconds:.2f} s",
                flush=True,
            )

    raw, full = statistics.median(raw_rates), statistics.median(ingest_rates)
    print(f"\narticles: {args.articles}  chunks: {len(texts)}  embedder: {embedder.model_id}")
    print(f"raw embedder throughput (median of {args.runs}): {raw:.1f} chunks/s")
    print(f"full ingest throughput  (median of {args.runs}): {full:.1f} chunks/s")
    print(f"ingest / raw embedder ratio: {full / raw:.2f}")
    print(f"unchanged re-ingest time / first ingest time: {statistics.median(rerun_ratios):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
