"""Chunks are exact slices of the article with stable ids and bounded token counts."""

from __future__ import annotations

from dataclasses import replace

import pytest

from qa_service.adapters.tokens import TiktokenCounter
from qa_service.core.models import Article
from qa_service.ingestion.chunking import (
    ArticleChunker,
    chunk_id_for,
    embedding_text,
    lexical_text,
    shared_titles,
)
from tests.conftest import SEED_DIR


@pytest.fixture(scope="module")
def chunker() -> ArticleChunker:
    return ArticleChunker(TiktokenCounter().encode, chunk_tokens=60, chunk_overlap=10)


@pytest.fixture(scope="module")
def article() -> Article:
    text = (SEED_DIR / "001_6b07ba3dde2957da.txt").read_text(encoding="utf-8")
    return Article(doc_id="001", text=text, title="Kremlin rejects ceasefire")


def test_chunks_are_exact_slices_covering_the_article(
    chunker: ArticleChunker, article: Article
) -> None:
    chunks = chunker.chunk_article(article)
    assert len(chunks) > 5
    covered = [False] * len(article.text)
    for chunk in chunks:
        assert chunk.text == article.text[chunk.start : chunk.end]
        assert chunk.text.strip() == chunk.text and chunk.text
        for i in range(chunk.start, chunk.end):
            covered[i] = True
    uncovered = "".join(c for c, seen in zip(article.text, covered, strict=True) if not seen)
    assert uncovered.strip() == ""


def test_chunks_respect_token_budget(chunker: ArticleChunker, article: Article) -> None:
    counter = TiktokenCounter()
    assert max(counter.count(c.text) for c in chunker.chunk_article(article)) <= 60


def test_chunk_ids_are_stable_and_content_addressed(
    chunker: ArticleChunker, article: Article
) -> None:
    first = [c.chunk_id for c in chunker.chunk_article(article)]
    assert first == [c.chunk_id for c in chunker.chunk_article(article)]
    assert len(set(first)) == len(first)
    assert chunk_id_for("a", 0, 5, "hello", None) != chunk_id_for("b", 0, 5, "hello", None)
    assert chunk_id_for("a", 0, 5, "hello", None) != chunk_id_for("a", 0, 5, "hello", "T")


def test_chunk_ids_change_with_the_metadata_they_carry(
    chunker: ArticleChunker, article: Article
) -> None:
    """A corrected source, date or url must re-write the chunks (filters read those fields)."""
    base = [c.chunk_id for c in chunker.chunk_article(article)]
    for change in (
        {"source": "Other Outlet"},
        {"published_at": "2024-01-02T00:00:00+00:00"},
        {"url": "https://example.org/moved"},
    ):
        edited = [c.chunk_id for c in chunker.chunk_article(replace(article, **change))]
        assert set(edited).isdisjoint(base), change


def test_lexical_text_carries_title_and_source(chunker: ArticleChunker, article: Article) -> None:
    chunk = chunker.chunk_article(replace(article, source="Defence Talks"))[0]
    assert lexical_text(chunk) == f"Kremlin rejects ceasefire\nDefence Talks\n\n{chunk.text}"
    untitled = chunker.chunk_article(replace(article, title=None, source=None))[0]
    assert lexical_text(untitled) == untitled.text


def test_embedding_text_carries_the_title(chunker: ArticleChunker, article: Article) -> None:
    chunk = chunker.chunk_article(article)[0]
    assert embedding_text(chunk).startswith("Kremlin rejects ceasefire\n\n")


def test_embedding_text_carries_the_outlet_and_only_an_own_title(
    chunker: ArticleChunker, article: Article
) -> None:
    chunk = chunker.chunk_article(replace(article, source="Defence Talks"))[0]
    assert embedding_text(chunk) == f"Defence Talks\nKremlin rejects ceasefire\n\n{chunk.text}"
    assert embedding_text(chunk, title_shared=True) == f"Defence Talks\n\n{chunk.text}"


def test_a_title_on_several_articles_of_a_run_is_shared() -> None:
    quiz = [Article(doc_id=str(n), text="x", title="Weekly quiz, 2024-05-02") for n in range(3)]
    own = Article(doc_id="own", text="x", title="Kremlin rejects ceasefire")
    assert shared_titles([*quiz, own, Article(doc_id="none", text="x")]) == {quiz[0].title}


def test_what_gets_embedded_is_part_of_the_chunk_id(
    chunker: ArticleChunker, article: Article
) -> None:
    own = {c.chunk_id for c in chunker.chunk_article(article)}
    assert own.isdisjoint(c.chunk_id for c in chunker.chunk_article(article, title_shared=True))


def test_overlap_must_be_smaller_than_chunk() -> None:
    with pytest.raises(ValueError, match="overlap"):
        ArticleChunker(TiktokenCounter().encode, chunk_tokens=50, chunk_overlap=50)


def test_repeated_sentences_keep_the_article_tail_in_a_chunk() -> None:
    """Regression (found by test_properties): a repeated piece was put on an earlier copy."""
    chunker = ArticleChunker(TiktokenCounter().encode, chunk_tokens=24, chunk_overlap=6)
    for text in ("0. 0. 0. 0. 0 0 0. 0. 0. ", "0. 0. 0 0 0. 0. 0. 0. 0. 0. "):
        chunks = chunker.chunk_article(Article(doc_id="d", text=text))
        assert len(chunks) == 2
        assert chunks[-1].end == len(text.rstrip())
        assert all(c.text == text[c.start : c.end] for c in chunks)
