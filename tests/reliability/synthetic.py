"""Deterministic synthetic news articles: distinct enough never to collapse as near-duplicates."""

from __future__ import annotations

import json
import random
from pathlib import Path

_SYLLABLES = "ka lo mi ne su ra to vi de pa gu ze fo hi ju be ta ro ni ma se".split()


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    words = {
        "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(size * 2)
    }
    return sorted(words)[:size]


def _sentence(rng: random.Random, vocabulary: list[str]) -> str:
    words = rng.sample(vocabulary, rng.randint(8, 18))
    return " ".join(words).capitalize() + "."


def article_text(rng: random.Random, vocabulary: list[str]) -> str:
    paragraphs = [
        " ".join(_sentence(rng, vocabulary) for _ in range(rng.randint(2, 5)))
        for _ in range(rng.randint(2, 5))
    ]
    return "\n\n".join(paragraphs)


def write_jsonl_corpus(directory: Path, n_articles: int, seed: int = 8, per_file: int = 25) -> int:
    """``n_articles`` articles in jsonl files of ``per_file`` lines; returns how many."""
    rng = random.Random(seed)
    vocabulary = _vocabulary(rng, 3000)
    directory.mkdir(parents=True, exist_ok=True)
    for lo in range(0, n_articles, per_file):
        lines = []
        for i in range(lo, min(lo + per_file, n_articles)):
            record = {
                "id": f"synthetic-{i:04d}",
                "title": f"Report {i}: " + " ".join(rng.sample(vocabulary, 4)),
                "text": article_text(rng, vocabulary),
                "source": rng.choice(["Wire A", "Wire B", "Wire C"]),
                "published_at": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "url": f"https://news.invalid/{i}",
            }
            lines.append(json.dumps(record))
        (directory / f"batch-{lo // per_file:03d}.jsonl").write_text("\n".join(lines) + "\n")
    return n_articles


def edit_jsonl_corpus(directory: Path, every: int = 5, seed: int = 9) -> int:
    """Rewrite the last paragraph of every ``every``-th article in place; returns how many."""
    rng = random.Random(seed)
    vocabulary = _vocabulary(rng, 3000)
    edited = 0
    for path in sorted(directory.glob("*.jsonl")):
        records = [json.loads(line) for line in path.read_text().splitlines() if line]
        for i, record in enumerate(records):
            if i % every == 0:
                paragraphs = record["text"].split("\n\n")
                paragraphs[-1] = " ".join(_sentence(rng, vocabulary) for _ in range(3))
                record["text"] = "\n\n".join(paragraphs)
                edited += 1
        path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    return edited


def write_jsonl_feed(path: Path, n_articles: int, seed: int = 15, oversized: int = 0) -> int:
    """One JSONL feed of ``n_articles`` distinct articles (~2.3 KB each, like a 45 MB feed of
    20,000), and ``oversized`` lines of 50 KB of text (for a lowered limit) spread among them;
    returns the byte size. No doc_id: ids come from each record's url."""
    rng = random.Random(seed)
    vocabulary = _vocabulary(rng, 3000)
    huge = {(k + 1) * n_articles // (oversized + 1) for k in range(oversized)}
    with path.open("w", encoding="utf-8") as out:
        for i in range(n_articles):
            text = "\n\n".join(article_text(rng, vocabulary) for _ in range(2))
            if i in huge:
                text = " ".join([text] * (50_000 // len(text) + 1))
            record = {
                "title": f"Feed story {i}: " + " ".join(rng.sample(vocabulary, 4)),
                "text": text,
                "source": rng.choice(["Wire A", "Wire B", "Wire C"]),
                "published_at": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "url": f"https://feed.invalid/{seed}/{i}",
            }
            out.write(json.dumps(record) + "\n")
    return path.stat().st_size
