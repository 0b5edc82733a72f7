"""A text made of one sentence repeated thousands of times chunks without repeating a chunk id.

Before the fix, the first and last spans were emitted twice; Chroma then refused the upsert with
DuplicateIDError (a 500 on POST /v1/documents, and a failed CLI run)."""

from __future__ import annotations

from qa_service.adapters.tokens import TiktokenCounter
from qa_service.core.models import Article
from qa_service.ingestion.chunking import ArticleChunker


def test_repeated_sentence_gives_unique_chunks_covering_the_text() -> None:
    text = ("A sentence of an article that is rather long. " * 4000).strip()
    chunks = ArticleChunker(TiktokenCounter().encode).chunk_article(Article("d", text))
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    assert chunks[0].start == 0 and chunks[-1].end == len(text)
    assert all(c.text == text[c.start : c.end] for c in chunks)
