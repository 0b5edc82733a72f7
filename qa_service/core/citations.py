"""Map ``[n]`` markers in an answer to retrieved passages and pick a verbatim supporting quote.

The model's answer is untrusted text: numbers that match no passage are removed and counted, never
passed through, and the quote for each kept number is cut from the passage's chunk by offsets (never
generated), so ``article.text[start:end] == quote`` holds by construction.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from qa_service.core.models import Citation, Passage
from qa_service.core.sentences import split_sentences

MAX_RANGE = 20  # "[1-3]" expands; "[1-5000]" is not a real citation, keep only its endpoints
_NUM = r"\d{1,6}"
_ITEM = rf"{_NUM}(?:\s*[-\u2013\u2014]\s*{_NUM})?"
MARKER_RE = re.compile(rf"\[\s*{_ITEM}(?:\s*[,;]\s*{_ITEM})*\s*\]")
_PARTIAL_RE = re.compile(r"\[[\d\s,;\-\u2013\u2014]{0,40}$")
_RANGE_RE = re.compile(rf"({_NUM})(?:\s*[-\u2013\u2014]\s*({_NUM}))?")
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


@dataclass(frozen=True, slots=True)
class Marker:
    """One use of a passage number: ``[1, 2]`` yields two Markers sharing one marker span."""

    n: int
    start: int  # span of the whole bracket group in the answer
    end: int
    sentence_start: int  # span of the answer sentence that carries the marker
    sentence_end: int


@dataclass(frozen=True, slots=True)
class VerifiedAnswer:
    """The answer as it may be shown: only markers backed by a quotable passage remain."""

    answer: str
    citations: list[Citation]
    dropped: int


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


def _expand(group: str) -> list[int]:
    numbers: list[int] = []
    for match in _RANGE_RE.finditer(group):
        low = int(match.group(1))
        if match.group(2) is None:
            numbers.append(low)
            continue
        high = int(match.group(2))
        if 0 <= high - low <= MAX_RANGE:
            numbers.extend(range(low, high + 1))
        else:
            numbers.extend((low, high))
    return numbers


def mask_markers(answer: str) -> str:
    """Replace markers by spaces (same length) so sentence splitting and scoring ignore them."""
    return MARKER_RE.sub(lambda m: " " * len(m.group(0)), answer)


def _carrier(spans: list[tuple[int, int]], position: int) -> tuple[int, int]:
    """The sentence a marker sits in, else the one it follows ("Foo. [1]"), else the next one."""
    previous: tuple[int, int] | None = None
    for start, end in spans:
        if start <= position < end:
            return start, end
        if end <= position:
            previous = (start, end)
    if previous is not None:
        return previous
    return spans[0] if spans else (position, position)


def parse_markers(answer: str) -> list[Marker]:
    """Every ``[n]`` use in order; ``[1, 2]``, ``[1][2]`` and ``[1-3]`` forms included."""
    spans = split_sentences(mask_markers(answer))
    markers: list[Marker] = []
    for match in MARKER_RE.finditer(answer):
        s_start, s_end = _carrier(spans, match.start())
        for n in _expand(match.group(0)):
            markers.append(Marker(n, match.start(), match.end(), s_start, s_end))
    return markers


def _windows(text: str) -> list[tuple[int, int]]:
    """Candidate quotes: each sentence, then each pair of adjacent sentences (earlier first)."""
    spans = split_sentences(text)
    pairs = [(a[0], b[1]) for a, b in itertools.pairwise(spans)]
    return spans + pairs


def select_quote(chunk_text: str, support: str) -> tuple[int, int] | None:
    """Local span of the sentence (or 2 adjacent ones) of ``chunk_text`` best matching ``support``.

    A pair wins only if it strictly beats every single sentence, so quotes stay short; ties go to
    the earlier sentence. ``None`` when the chunk has no text to quote.
    """
    windows = _windows(chunk_text)
    if not windows:
        return None
    wanted = content_words(support)
    best = windows[0]
    best_score = -1
    for start, end in windows:
        score = len(wanted & content_words(chunk_text[start:end]))
        if score > best_score:
            best, best_score = (start, end), score
    return best


def citation_for(n: int, passage: Passage, support: str) -> Citation | None:
    """Build the citation for passage ``n``; ``None`` if its chunk offsets can't be trusted."""
    chunk = passage.chunk
    if chunk.end - chunk.start != len(chunk.text):
        return None  # offsets would not point at the quote in the article: refuse to cite
    local = select_quote(chunk.text, support)
    if local is None:
        return None
    start, end = local
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
    )


def _support_text(masked: str, markers: Iterable[Marker], n: int) -> str:
    spans = dict.fromkeys((m.sentence_start, m.sentence_end) for m in markers if m.n == n)
    return " ".join(masked[start:end] for start, end in spans)


def build_citation(n: int, answer_so_far: str, numbered: Mapping[int, Passage]) -> Citation | None:
    """One citation while streaming, using the sentences seen so far that carry ``[n]``."""
    passage = numbered.get(n)
    if passage is None:
        return None
    markers = parse_markers(answer_so_far)
    masked = mask_markers(answer_so_far)
    support = _support_text(masked, markers, n) or masked
    return citation_for(n, passage, support)


def _render(numbers: list[int]) -> str:
    return "[" + ", ".join(str(n) for n in dict.fromkeys(numbers)) + "]"


def _remove_group(built: str, rest: str, before: str) -> tuple[str, str]:
    """Drop a marker group without leaving "foo ." or double spaces behind."""
    next_char = rest[:1]
    if next_char == "" or next_char.isspace() or next_char in ".,;:!?)":
        built = built.rstrip(" \t")
    if (before + built)[-1:] in ("", "\n", " ", "\t"):
        rest = rest.lstrip(" \t")
    return built, rest


def rewrite_markers(answer: str, keep: Iterable[int], before: str = "") -> str:
    """Remove numbers not in ``keep`` from every marker group; drop groups left empty.

    ``before`` is text already sent ahead of ``answer`` (streaming), used only for spacing.
    """
    allowed = set(keep)
    built = ""
    pos = 0
    for match in MARKER_RE.finditer(answer):
        built += answer[pos : match.start()]
        pos = match.end()
        numbers = _expand(match.group(0))
        kept = [n for n in numbers if n in allowed]
        if kept == numbers:
            built += match.group(0)
        elif kept:
            built += _render(kept)
        else:
            built, rest = _remove_group(built, answer[pos:], before[-1:])
            pos = len(answer) - len(rest)
    return built + answer[pos:]


def verify_citations(answer: str, numbered: Mapping[int, Passage]) -> VerifiedAnswer:
    """Keep markers that name a retrieved passage, quote it verbatim, and drop the rest."""
    markers = parse_markers(answer)
    masked = mask_markers(answer)
    citations: dict[int, Citation] = {}
    invalid: set[int] = set()
    for marker in markers:
        n = marker.n
        if n in citations or n in invalid:
            continue
        passage = numbered.get(n)
        citation = None
        if passage is not None:
            citation = citation_for(n, passage, _support_text(masked, markers, n))
        if citation is None:
            invalid.add(n)
        else:
            citations[n] = citation
    dropped = sum(1 for m in markers if m.n in invalid)
    cleaned = rewrite_markers(answer, citations) if invalid else answer
    return VerifiedAnswer(answer=cleaned, citations=list(citations.values()), dropped=dropped)


def quote_matches(citation: Citation, article_text: str) -> bool:
    """The contract check, for callers that hold the stored article text."""
    return article_text[citation.start : citation.end] == citation.quote


class MarkerStream:
    """Finds markers in streamed deltas as soon as they close, even when split ("[1" + "2]").

    With ``valid`` set, :meth:`pop_text` also yields client-safe text: unknown markers removed,
    and a possibly-partial marker (plus the whitespace before it) held back until it resolves.
    """

    def __init__(self, valid: Collection[int] | None = None) -> None:
        self._valid = valid
        self._text = ""
        self._scan_from = 0  # complete markers before this offset were already reported
        self._emitted = 0  # raw text before this offset was already returned by pop_text
        self._sent_tail = ""
        self.seen: list[int] = []  # distinct numbers, in order of first completion

    @property
    def text(self) -> str:
        """The raw answer so far (markers untouched): feed it to ``build_citation``."""
        return self._text

    def feed(self, delta: str) -> list[int]:
        """Numbers of the markers completed by ``delta``, in order (repeats included)."""
        self._text += delta
        numbers: list[int] = []
        for match in MARKER_RE.finditer(self._text, self._scan_from):
            numbers.extend(_expand(match.group(0)))
            self._scan_from = match.end()
        partial = _PARTIAL_RE.search(self._text, self._scan_from)
        self._scan_from = partial.start() if partial else len(self._text)
        for n in numbers:
            if n not in self.seen:
                self.seen.append(n)
        return numbers

    def pop_text(self, final: bool = False) -> str:
        """Text that is safe to forward now; ``final=True`` flushes everything held back."""
        end = len(self._text) if final else self._scan_from
        piece = self._text[self._emitted : end]
        if not final:
            piece = piece.rstrip(" \t")
        self._emitted += len(piece)
        if self._valid is not None:
            piece = rewrite_markers(piece, self._valid, self._sent_tail)
        if piece:
            self._sent_tail = piece[-1]
        return piece
