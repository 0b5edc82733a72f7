"""Map ``[n]`` markers in an answer to retrieved passages and pick a verbatim supporting quote.

The model's answer is untrusted text: numbers that match no passage are removed and counted, never
passed through, and the quote for each kept number is cut from the passage's chunk by offsets (never
generated), so ``article.text[start:end] == quote`` holds by construction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from qa_service.core.models import Citation, Passage
from qa_service.core.quotes import (  # noqa: F401 - re-exported: the citation API lives here
    citation_for,
    content_words,
    earlier_text,
    select_quote,
    supports,
)
from qa_service.core.sentences import split_sentences

MAX_RANGE = 20  # "[1-3]" expands; "[1-5000]" is not a real citation, keep only its endpoints
_NUM = r"\d{1,6}"
_ITEM = rf"{_NUM}(?:\s*[-\u2013\u2014]\s*{_NUM})?"
MARKER_RE = re.compile(rf"\[\s*{_ITEM}(?:\s*[,;]\s*{_ITEM})*\s*\]")
_PARTIAL_RE = re.compile(r"\[[\d\s,;\-\u2013\u2014]{0,40}$")
_RANGE_RE = re.compile(rf"({_NUM})(?:\s*[-\u2013\u2014]\s*({_NUM}))?")


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


class CitationLedger:
    """Turns passage markers into citation ids 1..n in order of first appearance.

    Each citing sentence gets the quote that best supports *it* (so a passage cited by two
    sentences can give two citations); the same quote keeps one id. Markers naming no passage are
    removed; a marker whose passage has no sentence supporting the claim is removed too, and the
    claim itself is dropped from the final answer (:meth:`finish`). Used whole by
    :func:`verify_citations` and piece by piece while an answer streams, so SSE ``citation``
    events and the final answer agree by construction.
    """

    def __init__(self, numbered: Mapping[int, Passage]) -> None:
        self._numbered = numbered
        self._ids: dict[tuple[str, int, int], int] = {}
        self.citations: list[Citation] = []
        self.dropped = 0
        self._unsupported: list[set[str]] = []
        self._earlier = earlier_text(numbered)

    def _cite(self, n: int, claim: str) -> int | bool | None:
        """Citation id, ``None`` (no such passage / untrusted) or ``False`` (not supported)."""
        passage = self._numbered.get(n)
        if passage is None:
            return None
        if not supports(passage.chunk.text, claim):
            return False
        citation = citation_for(n, passage, claim, self._earlier[n])
        if citation is None:
            return None
        key = (citation.chunk_id, citation.start, citation.end)
        if key not in self._ids:
            self._ids[key] = len(self._ids) + 1
            self.citations.append(replace(citation, id=self._ids[key]))
        return self._ids[key]

    def render(self, piece: str, offset: int, raw_so_far: str, before: str = "") -> str:
        """``piece`` (= ``raw_so_far[offset:offset + len(piece)]``) with display ids."""
        markers = parse_markers(raw_so_far)
        masked = mask_markers(raw_so_far)
        groups: dict[int, list[Marker]] = {}
        for marker in markers:
            groups.setdefault(marker.start, []).append(marker)
        built, pos = "", 0
        for match in MARKER_RE.finditer(piece):
            built += piece[pos : match.start()]
            pos = match.end()
            ids: list[int] = []
            unsupported = False
            for marker in groups.get(offset + match.start(), []):
                claim = masked[marker.sentence_start : marker.sentence_end]
                result = self._cite(marker.n, claim)
                if isinstance(result, bool) or result is None:
                    self.dropped += 1
                    unsupported = unsupported or result is False
                    if result is False:
                        self._unsupported.append(content_words(claim))
                else:
                    ids.append(result)
            if ids:
                built += _render(ids)
            else:
                built, rest = _remove_group(built, piece[pos:], (before + built)[-1:])
                pos = len(piece) - len(rest)
        return built + piece[pos:]

    def finish(self, shown: str) -> str:
        """The final answer: ``shown`` without claims no cited passage supports."""
        if not self._unsupported:
            return shown
        masked = mask_markers(shown)
        kept, pos = "", 0
        for start, end in split_sentences(masked):
            words = content_words(masked[start:end])
            # a sentence that still shows a marker keeps its supported citation (and its claim)
            if words and words in self._unsupported and not MARKER_RE.search(shown[start:end]):
                kept += shown[pos:start]
                pos = end
        kept += shown[pos:]
        return re.sub(r"[ \t]{2,}", " ", kept).strip()


def verify_citations(answer: str, numbered: Mapping[int, Passage]) -> VerifiedAnswer:
    """Keep markers that name a passage backing their sentence, numbered 1..n, quoted verbatim."""
    ledger = CitationLedger(numbered)
    shown = ledger.finish(ledger.render(answer, 0, answer))
    return VerifiedAnswer(answer=shown, citations=ledger.citations, dropped=ledger.dropped)


def quote_matches(citation: Citation, article_text: str) -> bool:
    """The contract check, for callers that hold the stored article text."""
    return article_text[citation.start : citation.end] == citation.quote
