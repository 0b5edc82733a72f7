"""Property tests (hypothesis): invariants of chunking, citation verification and cleaning.

Example-based tests pin behaviour on the seed articles; these throw generated text at the same
contracts (odd unicode, whitespace runs, markers naming passages that don't exist) to find the
inputs nobody thought to write down.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa_service.adapters.tokens import TiktokenCounter
from qa_service.core.citations import parse_markers, verify_citations
from qa_service.core.marker_stream import MarkerStream
from qa_service.core.models import Article, Passage
from qa_service.ingestion.chunking import ArticleChunker
from qa_service.ingestion.clean import clean_text
from tests.unit.fakes import make_article, make_passage

PROPS = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
CHUNKER = ArticleChunker(TiktokenCounter().encode, chunk_tokens=24, chunk_overlap=6)

# Words mix ASCII, accented Latin, Cyrillic, CJK, emoji and lookalikes; separators include the
# whitespace the splitter likes to normalise (tabs, runs of spaces, newlines, NBSP).
WORD = st.text(
    alphabet=st.characters(
        codec="utf-8", categories=("L", "N", "P", "S", "Mn"), exclude_characters="[]"
    ),
    min_size=1,
    max_size=12,
)
SEPARATOR = st.sampled_from([" ", " ", " ", "  ", "\t", "\n", "\n\n", "\u00a0", " \n "])
END = st.sampled_from([".", "!", "?", "…", ".\u201d", ""])


@st.composite
def prose(draw: st.DrawFn, max_sentences: int = 12) -> str:
    """Sentences of generated words; sometimes with leading/trailing whitespace."""
    sentences = []
    for _ in range(draw(st.integers(1, max_sentences))):
        words = draw(st.lists(WORD, min_size=1, max_size=14))
        parts = [words[0]]
        for word in words[1:]:
            parts += [draw(SEPARATOR), word]
        sentences.append("".join(parts) + draw(END))
    text = ""
    for sentence in sentences:
        text += sentence + draw(SEPARATOR)
    return draw(st.sampled_from(["", " ", "\n"])) + text


# --- chunking -------------------------------------------------------------------------------


@PROPS
@given(text=prose(), title=st.none() | WORD)
def test_chunks_are_exact_non_empty_slices_that_cover_the_article(
    text: str, title: str | None
) -> None:
    article = Article(doc_id="doc", text=text, title=title)
    chunks = CHUNKER.chunk_article(article)
    assert chunks, "an article with words must give at least one chunk"
    covered = [False] * len(text)
    for index, chunk in enumerate(chunks):
        assert chunk.index == index
        assert chunk.text == text[chunk.start : chunk.end]
        assert chunk.text.strip(), "empty or whitespace-only chunk"
        for i in range(chunk.start, chunk.end):
            covered[i] = True
    lost = "".join(c for c, seen in zip(text, covered, strict=True) if not seen)
    assert lost.strip() == "", f"text not in any chunk: {lost!r}"


@PROPS
@given(text=prose(), title=st.none() | WORD)
def test_chunk_ids_are_unique_and_stable_under_rerun(text: str, title: str | None) -> None:
    article = Article(doc_id="doc", text=text, title=title)
    first = CHUNKER.chunk_article(article)
    again = ArticleChunker(TiktokenCounter().encode, 24, 6).chunk_article(article)
    assert [c.chunk_id for c in first] == [c.chunk_id for c in again]
    assert len({c.chunk_id for c in first}) == len(first)
    other = CHUNKER.chunk_article(Article(doc_id="other", text=text, title=title))
    assert not {c.chunk_id for c in first} & {c.chunk_id for c in other}


# --- citation verification ------------------------------------------------------------------

MARKER_NUMBERS = st.integers(0, 12) | st.integers(13, 999_999)


@st.composite
def marker(draw: st.DrawFn) -> str:
    numbers = draw(st.lists(MARKER_NUMBERS, min_size=1, max_size=3))
    form = draw(st.sampled_from(["list", "range", "adjacent"]))
    if form == "range" and len(numbers) >= 2:
        return f"[{numbers[0]}-{numbers[1]}]"
    if form == "adjacent":
        return "".join(f"[{n}]" for n in numbers)
    return "[" + draw(st.sampled_from([", ", ",", "; "])).join(map(str, numbers)) + "]"


@st.composite
def answer_with_markers(draw: st.DrawFn) -> str:
    pieces = []
    for _ in range(draw(st.integers(1, 8))):
        pieces.append(draw(WORD))
        pieces.append(draw(st.sampled_from([" ", ". ", ", ", " [", "] ", "\n"])))
        if draw(st.booleans()):
            pieces.append(draw(marker()))
            pieces.append(draw(st.sampled_from(["", " ", ". ", "."])))
    return "".join(pieces)


@st.composite
def numbered_passages(draw: st.DrawFn) -> dict[int, Passage]:
    """1..k passages, each a chunk cut from its own generated article at a random offset."""
    passages: dict[int, Passage] = {}
    for n in range(1, draw(st.integers(1, 5)) + 1):
        body = draw(prose(max_sentences=6))
        head = draw(st.text(max_size=30))
        article = make_article(head + body, doc_id=f"doc-{n}")
        end = draw(st.integers(len(head) + 1, len(article.text)))
        passages[n] = make_passage(article, start=len(head), end=end, index=n)
    return passages


def _numbers_in(text: str) -> set[int]:
    return {m.n for m in parse_markers(text)}


@PROPS
@given(numbered=numbered_passages(), answer=answer_with_markers())
def test_every_quote_is_verbatim_at_its_offsets(numbered: dict[int, Passage], answer: str) -> None:
    result = verify_citations(answer, numbered)
    chunks = {p.chunk.chunk_id: p.chunk for p in numbered.values()}
    for citation in result.citations:
        chunk = chunks[citation.chunk_id]
        assert citation.document_id == chunk.doc_id
        assert chunk.start <= citation.start < citation.end <= chunk.end
        # The chunk is article.text[start:end], so article offsets map into the chunk text.
        local = chunk.text[citation.start - chunk.start : citation.end - chunk.start]
        assert local == citation.quote and citation.quote.strip()


@PROPS
@given(numbered=numbered_passages(), answer=answer_with_markers())
def test_unknown_markers_never_survive_and_ids_run_one_to_n(
    numbered: dict[int, Passage], answer: str
) -> None:
    result = verify_citations(answer, numbered)
    ids = [c.id for c in result.citations]
    assert ids == list(range(1, len(ids) + 1))
    shown = [m.n for m in parse_markers(result.answer)]
    assert set(shown) == set(ids)
    assert list(dict.fromkeys(shown)) == ids  # numbered in order of first appearance
    used = [m.n for m in parse_markers(answer)]
    assert result.dropped >= sum(1 for n in used if n not in numbered)
    if not used:
        assert result.answer == answer  # nothing to verify: the text is left untouched


@PROPS
@given(
    numbered=numbered_passages(),
    answer=answer_with_markers(),
    cuts=st.lists(st.integers(0, 400), max_size=12),
)
def test_streamed_text_never_shows_an_unknown_marker(
    numbered: dict[int, Passage], answer: str, cuts: list[int]
) -> None:
    stream = MarkerStream(valid=numbered.keys())
    sent = ""
    previous = 0
    for cut in sorted({c for c in cuts if c < len(answer)}):
        stream.feed(answer[previous:cut])
        sent += stream.pop_text()
        previous = cut
    stream.feed(answer[previous:])
    sent += stream.pop_text(final=True)
    assert stream.text == answer
    assert _numbers_in(sent) <= set(numbered)


# --- cleaning -------------------------------------------------------------------------------

CHROME = st.sampled_from(
    [
        "• News",
        "Previous Post",
        "Next Post",
        "Related Posts",
        "Most Popular",
        "Share this:",
        "All rights reserved.",
        "© 2017-2025",
        "Русский / English",
        "December 13, 2025, 09:44",
        "By Anna Berg",
        "# Heading",
        "* [Facebook](https://facebook.example)",
        "![map](map.png)",
        "Subscribe to get the latest posts",
        "",
        "   ",
    ]
)
LINE = CHROME | prose(max_sentences=3).map(lambda s: s.replace("\n", " "))


@PROPS
@given(lines=st.lists(LINE, max_size=25), newline=st.sampled_from(["\n", "\r\n", "\r"]))
def test_clean_text_is_idempotent_and_well_formed(lines: list[str], newline: str) -> None:
    once = clean_text(newline.join(lines))
    assert clean_text(once) == once
    assert "\r" not in once and "\n\n\n" not in once
    assert all(line == line.strip() for line in once.split("\n"))


@PROPS
@given(text=prose())
def test_clean_text_keeps_or_drops_whole_words(text: str) -> None:
    """Cleaning may drop lines but never invents or splits words (modulo markdown syntax)."""
    source_words = set(re.findall(r"\w+", text))
    assert set(re.findall(r"\w+", clean_text(text))) <= source_words
