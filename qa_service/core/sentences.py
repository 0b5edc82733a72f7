"""Sentence spans over news text, as char offsets, so quotes can be cut verbatim from articles.

Pure regex + a few word lists (no nltk data to download). Spans exclude surrounding whitespace,
newlines are hard boundaries (headlines, bullets and datelines never merge into body text), and a
period only ends a sentence when it is followed by whitespace and a plausible sentence start, which
keeps decimals ("2.5"), domains ("Caliber.Az"), titles ("Mr.", "Dr.", "Jan.") and initials intact.
"""

from __future__ import annotations

import re

# A terminator run, plus closing quotes/brackets that belong to the sentence, then whitespace/end.
_TERMINATOR = re.compile(r"(?:[.!?\u2026]+)[\"'\u201d\u2019\u00bb)\]]*(?=\s|$)")
_LINE = re.compile(r"[^\r\n]+")
_PREV_TOKEN = re.compile(r"(\S+)$")
_NEXT_WORD = re.compile(r"\s*[\"'\u201c\u2018\u00ab(\[]*([^\s\"'\u201c\u201d\u2018\u2019(\[]*)")
_DOTTED_ACRONYM = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]$")


def _words(text: str) -> frozenset[str]:
    """Word lists read (and review) better as prose than as one-string-per-line literals."""
    return frozenset(text.split())


# Never end a sentence: they precede a name or a number ("Dr. Smith", "Jan. 5", "Gen. Gerasimov").
_TITLES = _words(
    """mr mrs ms messrs dr prof rev hon sen rep gov gen lt col maj capt cmdr sgt adm pres supt insp
    st mt ft fr vs approx dept est fig jan feb mar apr jun jul aug sep sept oct nov dec mon tue
    tues wed thu thur thurs fri sat sun"""
)
# May end a sentence ("... Apple Inc. The company"), so split only before a typical sentence opener.
_AMBIGUOUS = _words("etc inc ltd co corp jr sr bros llc plc al")
_OPENERS = _words(
    """the a an he she it they we i you his her its their our this that these those there then but
    and however meanwhile in on at after before while when if as since for from by with some many
    most"""
)
_NON_START = ",;:)]}\u201d\u2019"


def _is_abbreviation(line: str, term_start: int, next_word: str) -> bool:
    """True when the single '.' at ``term_start`` belongs to an abbreviation, not a sentence end."""
    prev = _PREV_TOKEN.search(line, 0, term_start)
    if prev is None:
        return False
    word = prev.group(1).lstrip("\"'\u201c\u2018(\u00ab[")
    lowered = word.lower()
    if lowered in _TITLES:
        return True
    if lowered in {"no", "nos"}:
        return next_word[:1].isdigit()  # "No. 5" vs "... said no. The"
    ambiguous = (
        lowered in _AMBIGUOUS
        or (len(word) == 1 and word.isalpha())  # initials: "J. Smith", "Plan B."
        or _DOTTED_ACRONYM.match(word) is not None  # "U.S", "a.m", "e.g"
    )
    if ambiguous:
        return next_word.lower().strip(".,") not in _OPENERS
    return False


def _is_boundary(line: str, match: re.Match[str]) -> bool:
    """Decide whether a terminator run ends the sentence, looking at the words around it."""
    end = match.end()
    if end >= len(line):
        return True
    rest = line[end:].lstrip()
    if not rest:
        return True
    first = rest[0]
    if first.islower() or first in _NON_START:
        return False  # '"Stop!" he said', "e.g. this", "Jan. 5, ..." continuation
    word_match = _NEXT_WORD.match(line, end)
    next_word = word_match.group(1) if word_match else ""
    if match.group(0) == ".":
        return not _is_abbreviation(line, match.start(), next_word)
    return True


def _line_spans(text: str, line_start: int, line_end: int) -> list[tuple[int, int]]:
    line = text[line_start:line_end]
    spans: list[tuple[int, int]] = []
    cursor = 0
    for match in _TERMINATOR.finditer(line):
        if _is_boundary(line, match):
            spans.append((cursor, match.end()))
            cursor = match.end()
    spans.append((cursor, len(line)))
    out: list[tuple[int, int]] = []
    for start, end in spans:
        piece = line[start:end]
        stripped = piece.strip()
        if not stripped:
            continue
        left = start + (len(piece) - len(piece.lstrip()))
        out.append((line_start + left, line_start + left + len(stripped)))
    return out


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence ``(start, end)`` spans of ``text``; ``text[start:end]`` has no outer whitespace."""
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        spans.extend(_line_spans(text, line.start(), line.end()))
    return spans


def sentence_texts(text: str) -> list[str]:
    """Convenience for tests and debugging: the sentence strings themselves."""
    return [text[start:end] for start, end in split_sentences(text)]
