"""Token-bounded chunks with exact char offsets and stable ids.

Defaults: 200 cl100k tokens with 30 overlap. MiniLM truncates input at 256 word pieces, which is
~210-230 cl100k tokens of English news text once the title is prefixed, so a larger chunk would be
partly invisible to the embedder; 30 tokens (about one sentence) of overlap keeps a fact that
straddles a boundary retrievable from both sides.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from qa_service.core.models import Article, Chunk
from qa_service.offline import ensure_offline

DEFAULT_CHUNK_TOKENS = 200
DEFAULT_CHUNK_OVERLAP = 30


def chunk_id_for(doc_id: str, start: int, end: int, text: str, title: str | None) -> str:
    """Stable id: same article slice (and same embedded title) -> same id, on every run."""
    payload = "\x1f".join((doc_id, str(start), str(end), title or "", text))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def embedding_text(chunk: Chunk) -> str:
    """What the embedder sees: the title gives every chunk its article's context."""
    return f"{chunk.title}\n\n{chunk.text}" if chunk.title else chunk.text


def _locate(text: str, piece: str, cursor: int) -> tuple[int, int] | None:
    """Find ``piece`` in ``text`` at/after ``cursor``; tolerate whitespace the splitter changed."""
    found = text.find(piece, cursor)
    if found < 0:
        found = text.find(piece)
    if found >= 0:
        return found, found + len(piece)
    words = piece.split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(w) for w in words)
    match = re.compile(pattern).search(text, cursor) or re.compile(pattern).search(text)
    return (match.start(), match.end()) if match else None


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

    def chunk_article(self, article: Article) -> list[Chunk]:
        chunks: list[Chunk] = []
        cursor = 0
        for piece in self._splitter.split_text(article.text):
            span = _locate(article.text, piece.strip(), cursor)
            if span is None:
                continue
            start, end = span
            exact = article.text[start:end]
            if not exact.strip():
                continue
            cursor = start + 1
            chunks.append(
                Chunk(
                    chunk_id=chunk_id_for(article.doc_id, start, end, exact, article.title),
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
