"""Synthetic corpora for bench/scale.py: realistic chunk texts and metadata, mostly random vectors.

Chunk texts are random runs of sentences from the seed articles and the MultiHop-RAG sample (so
lengths and vocabulary are those of news; ~6-11 sentences, close to the 200-token chunks ingest
makes). Metadata spreads ``published_at`` uniformly over 2023-01-01..2025-12-31 and ``source``
over 12 outlets, so filters have known selectivity. Vectors: random unit vectors (numpy,
seeded) for the bulk, written straight into the store in 4,000-record upserts; the real embedder
only runs on the ingest-throughput subset, which goes through the real ingest pipeline.
Random vectors have no cluster structure, which makes HNSW work at least as hard as on real data.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from qa_service.adapters.chroma_store import ChromaStore
from qa_service.core.models import Chunk

REPO = Path(__file__).resolve().parents[1]
SOURCES = [f"Outlet {i:02d}" for i in range(12)]
FIRST_DAY, DAYS = date(2023, 1, 1), 3 * 365
DIM = 384


def sentence_pool() -> list[str]:
    """Sentences of real news text (seed articles + MultiHop-RAG evidence lines)."""
    pool: list[str] = []
    for path in sorted((REPO / "data" / "articles").glob("*.txt")):
        text = path.read_text(encoding="utf-8").replace("\n", " ")
        pool += [s.strip() + "." for s in text.split(". ") if len(s) > 40]
    for candidate in (
        REPO / "eval" / "data" / "multihop-rag-sample" / "corpus.jsonl",
        REPO.parent / "shared" / "benchmarks" / "multihop-rag-sample" / "corpus.jsonl",
    ):
        if candidate.is_file():
            for line in candidate.read_text(encoding="utf-8").splitlines():
                pool += [s for s in json.loads(line)["text"].splitlines() if len(s) > 40]
            break
    return pool


def synthetic_chunks(n: int, seed: int, pool: list[str], prefix: str) -> Iterator[Chunk]:
    """``n`` chunks, four per synthetic article, with stable ids."""
    rng = random.Random(seed)
    for i in range(n):
        doc = i // 4
        text = " ".join(rng.choices(pool, k=rng.randint(6, 11)))
        day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        chunk_id = hashlib.sha256(f"{prefix}:{i}".encode()).hexdigest()[:32]
        yield Chunk(
            chunk_id=chunk_id,
            doc_id=f"{prefix}-{doc:07d}",
            index=i % 4,
            text=text,
            start=0,
            end=len(text),
            title=f"Synthetic article {doc}",
            source=SOURCES[rng.randrange(len(SOURCES))],
            url=None,
            published_at=day.isoformat(),
        )


def random_unit_vectors(n: int, rng: np.random.Generator) -> np.ndarray:
    vectors = rng.standard_normal((n, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


def fill_random(store: ChromaStore, n: int, seed: int, block: int = 4000) -> None:
    """Upsert ``n`` synthetic chunks with random unit vectors, ``block`` at a time."""
    pool = sentence_pool()
    rng = np.random.default_rng(seed)
    batch: list[Chunk] = []
    for chunk in synthetic_chunks(n, seed, pool, "bulk"):
        batch.append(chunk)
        if len(batch) == block:
            store.upsert_chunks(batch, random_unit_vectors(len(batch), rng).tolist())
            batch = []
    if batch:
        store.upsert_chunks(batch, random_unit_vectors(len(batch), rng).tolist())


def write_articles_jsonl(path: Path, n_articles: int, seed: int) -> None:
    """Articles for the real-embedder subset, ingested by the real pipeline (~4 chunks each)."""
    rng = random.Random(seed)
    pool = sentence_pool()
    with path.open("w", encoding="utf-8") as out:
        for i in range(n_articles):
            day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
            record = {
                "id": f"real-{i:05d}",
                "title": f"Real-embedded article {i}",
                "source": SOURCES[rng.randrange(len(SOURCES))],
                "published_at": day.isoformat(),
                "text": " ".join(rng.choices(pool, k=rng.randint(28, 36))),
            }
            out.write(json.dumps(record) + "\n")
