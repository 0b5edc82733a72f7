"""Token-bounded chunks with exact char offsets and stable ids.

Defaults: 200 cl100k tokens with 30 overlap. MiniLM truncates input at 256 word pieces, which is
~210-230 cl100k tokens of English news text once the title is prefixed, so a larger chunk would be
partly invisible to the embedder; 30 tokens (about one sentence) of overlap keeps a fact that
straddles a boundary retrievable from both sides.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from qa_service.core.models import Article, Chunk
from qa_service.offline import ensure_offline

DEFAULT_CHUNK_TOKENS = 200
DEFAULT_CHUNK_OVERLAP = 30
_SPACE_RUN = re.compile(r"\s*")


def chunk_id_for(
    doc_id: str, start: int, end: int, text: str, title: str | None, *metadata: str | None
) -> str:
    """Stable id: same article slice with the same indexed title and metadata -> same id, on
    every run. Every field a chunk carries into Chroma or the BM25 snapshot (title, source,
    date, url) is part of the hash, so fixing an article's metadata re-writes its chunks
    instead of leaving stale filter values behind an unchanged id."""
    fields = (doc_id, str(start), str(end), title or "", text, *(m or "" for m in metadata))
    return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()[:32]


# Part of every chunk id: changing what the embedder sees re-embeds a store once, on its next run.
EMBEDDING_LAYOUT = "outlet+own-title+body/2"


def shared_titles(articles: Iterable[Article]) -> frozenset[str]:
    """Titles carried by more than one article of a run: a quiz page, a live blog, a series
    name ("Weekly quiz, 2022-06-16"). Such a title names a collection, not the article."""
    counts = Counter(a.title for a in articles if a.title)
    return frozenset(title for title, n in counts.items() if n > 1)


def embedding_text(chunk: Chunk, title_shared: bool = False) -> str:
    """What the embedder sees: outlet, title and body.

    The title gives a chunk its article's context, but only a title of its own: prefixed to
    one-sentence passages, a title shared by many articles pulled their vectors together and
    cost RealTimeQA dense Hits@4 .796 -> .769. The outlet is there because questions name it
    ("according to TechCrunch"): MultiHop dense Hits@4 .672 -> .700 (docs/benchmarks.md).
    """
    head = "\n".join(p for p in (chunk.source, None if title_shared else chunk.title) if p)
    return f"{head}\n\n{chunk.text}" if head else chunk.text


def lexical_text(chunk: Chunk) -> str:
    """What BM25 indexes: title, outlet and body. Questions name the outlet ("according to
    TechCrunch") far more often than article bodies do; indexing it lifted MultiHop-RAG dev
    article-level Hits@10 from 0.89 to 0.93 (docs/benchmarks.md)."""
    head = "\n".join(part for part in (chunk.title, chunk.source) if part)
    return f"{head}\n\n{chunk.text}" if head else chunk.text


def _first_occurrence(text: str, piece: str, cursor: int) -> tuple[int, int] | None:
    """Find ``piece`` in ``text`` at/after ``cursor``; tolerate whitespace the splitter changed."""
    found = text.find(piece, cursor)
    if found < 0:
        found = text.find(piece)
    if found >= 0:
        return found, found + len(piece)
    pattern = _loose_pattern(piece)
    if pattern is None:
        return None
    match = pattern.search(text, cursor) or pattern.search(text)
    return (match.start(), match.end()) if match else None


def _loose_pattern(piece: str) -> re.Pattern[str] | None:
    words = piece.split()
    return re.compile(r"\s+".join(re.escape(w) for w in words)) if words else None


def _adjoining(text: str, piece: str, cursor: int, limit: int) -> Iterator[tuple[int, int]]:
    """Occurrences of ``piece`` starting in ``[cursor, limit]`` (overlapping ones too).

    Bounded searches, so a long article costs one short scan per chunk, not one per occurrence.
    """
    found = text.find(piece, cursor, limit + len(piece))
    if found >= 0:
        while found >= 0:
            yield found, found + len(piece)
            found = text.find(piece, found + 1, limit + len(piece))
        return
    pattern = _loose_pattern(piece)
    window = limit + 4 * len(piece) + 64  # the source may hold more whitespace than the piece
    match = pattern.search(text, cursor, window) if pattern else None
    while pattern and match and match.start() <= limit:
        yield match.start(), match.end()
        match = pattern.search(text, match.start() + 1, window)


def _locate(text: str, piece: str, cursor: int, covered_to: int) -> tuple[int, int] | None:
    """Where the splitter took ``piece`` from.

    Pieces advance through the text and each one starts inside the previous one (the overlap) or
    right after it, so among the occurrences that leave no gap after ``covered_to`` the one
    reaching furthest is the right one. Taking merely the first occurrence put a repeated
    sentence ("0. 0. 0.") back onto an earlier copy and left the article's tail in no chunk.
    """
    space = _SPACE_RUN.match(text, covered_to)
    limit = space.end() if space else covered_to  # the next piece starts by here
    best: tuple[int, int] | None = None
    for span in _adjoining(text, piece, cursor, limit):
        if best is None or span[1] > best[1]:
            best = span
    return best or _first_occurrence(text, piece, cursor)


class ArticleChunker:
    """Wraps llama-index's SentenceSplitter, counting tokens with tiktoken."""

    def __init__(
        self,
        encode: Callable[[str], list[int]],
        chunk_tokens: int = DEFAULT_CHUNK_TOKENS,
        chunk_overlap: int = DEFAULT_CHUNK_OVERLAP,
    ) -> None:
        if not 0 <= chunk_overlap < chunk_tokens:
            raise ValueError("chunk_overlap must be >= 0 and smaller than chunk_tokens")
        ensure_offline()
        from llama_index.core.node_parser import SentenceSplitter

        self._splitter = SentenceSplitter(
            chunk_size=chunk_tokens, chunk_overlap=chunk_overlap, tokenizer=encode
        )

    def chunk_article(self, article: Article, title_shared: bool = False) -> list[Chunk]:
        """Chunks with offsets into ``article.text``; ``title_shared``: see ``embedding_text``
        (it changes the vector, so it is part of the chunk id)."""
        layout = f"{EMBEDDING_LAYOUT}:{'shared-title' if title_shared else 'own-title'}"
        chunks: list[Chunk] = []
        spans: set[tuple[int, int]] = set()
        cursor = covered_to = 0
        for piece in self._splitter.split_text(article.text):
            span = _locate(article.text, piece.strip(), cursor, covered_to)
            if span is None or span in spans:  # highly repetitive text: a piece found twice
                continue
            spans.add(span)
            start, end = span
            exact = article.text[start:end]
            if not exact.strip():
                continue
            cursor = start + 1
            covered_to = max(covered_to, end)
            chunks.append(
                Chunk(
                    chunk_id=chunk_id_for(
                        article.doc_id,
                        start,
                        end,
                        exact,
                        article.title,
                        article.source,
                        article.published_at,
                        article.url,
                        layout,
                    ),
                    doc_id=article.doc_id,
                    index=len(chunks),
                    text=exact,
                    start=start,
                    end=end,
                    title=article.title,
                    source=article.source,
                    url=article.url,
                    published_at=article.published_at,
                )
            )
        return chunks
