"""Collapse near-duplicate articles (the same story saved twice) into one representative.

MinHash over word 5-shingles estimates Jaccard similarity; LSH keeps it sub-quadratic.
Measured on the seeds (tests/unit/test_dedup.py): the same article saved as a raw page and as
a clean body scores 1.0 after cleaning; different articles on the same topic score 0.0; a copy
cut short by two paragraphs scores ~0.76 and one with a word changed per paragraph ~0.87. The
default of 0.6 keeps a wide margin on both sides of that gap.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Sequence

from datasketch import MinHash, MinHashLSH

from qa_service.core.models import Article

SHINGLE_WORDS = 5
MINHASH_SEED = 1  # fixed so runs (and the collapse decisions) are reproducible
DEFAULT_THRESHOLD = 0.6
META_FIELDS = ("title", "source", "url", "author", "published_at")
_WORD_RE = re.compile(r"\w+")


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """Lower-cased word ``size``-grams; a text shorter than that is one shingle."""
    words = _WORD_RE.findall(text.casefold())
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def minhash(text: str, num_perm: int = 128) -> MinHash:
    """Deterministic MinHash signature of the text's shingles."""
    signature = MinHash(num_perm=num_perm, seed=MINHASH_SEED)
    signature.update_batch([s.encode("utf-8") for s in sorted(shingles(text))])
    return signature


def estimated_jaccard(a: str, b: str, num_perm: int = 128) -> float:
    """MinHash estimate of the shingle Jaccard similarity of two texts."""
    return float(minhash(a, num_perm).jaccard(minhash(b, num_perm)))


def _richness(article: Article) -> tuple[int, int, str]:
    filled = sum(getattr(article, name) is not None for name in META_FIELDS)
    return (-filled, -len(article.text), article.doc_id)


def merge_group(best: Article, members: list[Article]) -> Article:
    """The representative, with gaps in its metadata filled from the other copies."""
    ranked = [best, *sorted((a for a in members if a is not best), key=_richness)]

    def first(name: str) -> str | None:
        return next((v for a in ranked if (v := getattr(a, name)) is not None), None)

    return dataclasses.replace(
        best,
        title=first("title"),
        source=first("source"),
        url=first("url"),
        author=first("author"),
        published_at=first("published_at"),
        origins=tuple(dict.fromkeys(o for a in members for o in a.origins)),
    )


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def collapse_near_duplicates(
    articles: Sequence[Article],
    threshold: float = DEFAULT_THRESHOLD,
    num_perm: int = 128,
    stored: Collection[str] = (),
    signatures: Sequence[MinHash | None] | None = None,
) -> tuple[list[Article], list[tuple[str, str]]]:
    """Kept articles (in input order) and (dropped_doc_id, kept_doc_id) pairs.

    A group's representative is the copy already in the store (ids in ``stored``: the original
    is kept, as across runs), else the one with the richest metadata (then the longer text, then
    the smaller doc_id); its origins are the union of all copies' origins. ``signatures``: the
    articles' MinHash signatures when computed elsewhere (in parallel), None for no shingle.
    """
    if signatures is None:
        signatures = [minhash(a.text, num_perm) if shingles(a.text) else None for a in articles]
    parent = list(range(len(articles)))
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    for i, signature in enumerate(signatures):
        if signature is None:
            continue
        for key in lsh.query(signature):
            j = int(key)
            other = signatures[j]
            if other is not None and signature.jaccard(other) >= threshold:
                parent[_find(parent, i)] = _find(parent, j)
        lsh.insert(str(i), signature)

    groups: dict[int, list[int]] = {}
    for i in range(len(articles)):
        groups.setdefault(_find(parent, i), []).append(i)
    kept: list[tuple[int, Article]] = []
    dropped: list[tuple[int, str, str]] = []
    for indices in groups.values():
        best = min(
            indices, key=lambda i: (articles[i].doc_id not in stored, _richness(articles[i]))
        )
        merged = merge_group(articles[best], [articles[i] for i in indices])
        kept.append((best, merged))
        dropped.extend((i, articles[i].doc_id, merged.doc_id) for i in indices if i != best)
    kept.sort(key=lambda item: item[0])
    dropped.sort()
    return [article for _, article in kept], [(gone, kept_id) for _, gone, kept_id in dropped]
