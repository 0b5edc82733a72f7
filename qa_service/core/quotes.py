"""Which sentence of a passage backs a claim: the quote cut verbatim, by offsets, for a citation."""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping

from qa_service.core.attribution import find_speaker
from qa_service.core.models import Citation, Passage
from qa_service.core.sentences import split_sentences

_WORD_RE = re.compile(r"\w+", re.UNICODE)


def _words(text: str) -> frozenset[str]:
    """Word lists read (and review) better as prose than as one-string-per-line literals."""
    return frozenset(text.split())


_STOPWORDS = _words(
    """a an the and or but if of to in on at by for from with as into about over after before than
    then that this these those there here is are was were be been being am do does did has have
    had having it its he she they them his her their we our you your i me my not no so such
    what which who whom whose when where why how all any some can could would should will shall
    may might must also said says say told according just only very more most up out s t"""
)


def _stem(word: str) -> str:
    """Crude suffix stripping ("talks"/"talk", "regrouped"/"regroup"); applied to both sides."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix) and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> set[str]:
    """Lowercased, stemmed word tokens minus stopwords: the unit of lexical overlap."""
    return {_stem(w) for w in _WORD_RE.findall(text.lower()) if w not in _STOPWORDS}


def _windows(text: str) -> list[tuple[int, int]]:
    """Candidate quotes: each sentence, then each pair of adjacent sentences (earlier first)."""
    spans = split_sentences(text)
    pairs = [(a[0], b[1]) for a, b in itertools.pairwise(spans)]
    return spans + pairs


def _squash(text: str) -> str:
    return " ".join(text.split())


def _best_window(chunk_text: str, support: str) -> tuple[int, int, int, bool] | None:
    """``(start, end, shared words, verbatim)`` of the window of ``chunk_text`` best matching."""
    windows = _windows(chunk_text)
    if not windows:
        return None
    squashed = _squash(support)
    singles = windows[: len(split_sentences(chunk_text))]
    verbatim = [w for w in singles if len(_squash(chunk_text[w[0] : w[1]])) >= 20]
    verbatim = [w for w in verbatim if _squash(chunk_text[w[0] : w[1]]) in squashed]
    if verbatim:  # the answer quotes a sentence: cite exactly that sentence
        start, end = max(verbatim, key=lambda w: w[1] - w[0])
        return start, end, len(content_words(chunk_text[start:end])), True
    wanted = content_words(support)
    best = windows[0]
    best_score = -1
    for start, end in windows:
        score = len(wanted & content_words(chunk_text[start:end]))
        if score > best_score:
            best, best_score = (start, end), score
    return best[0], best[1], best_score, False


def select_quote(chunk_text: str, support: str) -> tuple[int, int] | None:
    """Local span of the sentence (or 2 adjacent ones) of ``chunk_text`` best matching ``support``.

    A sentence quoted verbatim in ``support`` wins outright. Otherwise a pair wins only if it
    strictly beats every single sentence, so quotes stay short; ties go to the earlier sentence.
    ``None`` when the chunk has no text to quote.
    """
    best = _best_window(chunk_text, support)
    return None if best is None else (best[0], best[1])


def supports(chunk_text: str, claim: str) -> bool:
    """Does some sentence of ``chunk_text`` back ``claim``: quoted verbatim, or sharing at least
    a fifth of the claim's content words (and one at least)?"""
    best = _best_window(chunk_text, claim)
    if best is None:
        return False
    _, _, shared, verbatim = best
    return verbatim or shared >= max(1, math.ceil(0.2 * len(content_words(claim))))


def earlier_text(numbered: Mapping[int, Passage]) -> dict[int, str]:
    """For each passage, the retrieved text of the same article that comes before it."""
    chunks = sorted((p.chunk for p in numbered.values()), key=lambda c: c.start)
    return {
        n: "\n".join(
            c.text for c in chunks if c.doc_id == p.chunk.doc_id and c.end <= p.chunk.start
        )
        for n, p in numbered.items()
    }


def citation_for(n: int, passage: Passage, support: str, before: str = "") -> Citation | None:
    """Build the citation for passage ``n``; ``None`` if its chunk offsets can't be trusted."""
    chunk = passage.chunk
    if chunk.end - chunk.start != len(chunk.text):
        return None  # offsets would not point at the quote in the article: refuse to cite
    local = select_quote(chunk.text, support)
    if local is None:
        return None
    start, end = local
    speaker = find_speaker(chunk.text, start, end, before)
    return Citation(
        id=n,
        chunk_id=chunk.chunk_id,
        document_id=chunk.doc_id,
        title=chunk.title,
        source=chunk.source,
        url=chunk.url,
        published_at=chunk.published_at,
        quote=chunk.text[start:end],
        start=chunk.start + start,
        end=chunk.start + end,
        speaker=speaker.label if speaker else None,
    )
