"""Names in a question that the retrieved passages never mention: a cheap "off-corpus" signal.

An extractive answer can only be right if the passages talk about the people, places and
organisations the question asks about. Embedding similarity alone lets "What did Lavrov say about
a multipolar world?" match any Kremlin statement; a missing name is a strong reason to abstain.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_NAME_RE = re.compile(r"\b[A-Z][\w\-]*(?:['’]s)?")
_NOT_NAMES = frozenset(
    """a an and are as at be but by can compare could did do does during for from had has have
    how i if in is it its many much of on or should since that the their there these this those
    to under was were what when where which who whom whose why will with would according after
    before between both describe explain give list name tell western eastern northern southern
    """.split()
)


def question_names(question: str) -> list[str]:
    """Capitalised words that are not sentence-initial function words (possessive stripped)."""
    names = []
    for match in _NAME_RE.finditer(question):
        word = re.sub(r"['’]s$", "", match.group(0))
        if word.lower() in _NOT_NAMES or len(word) < 2:
            continue
        names.append(word)
    return names


def _stem(word: str) -> str:
    """Tolerate inflection: "Ukrainians"/"Ukrainian", "Pakistani" must still miss "Pakistan"."""
    lowered = word.lower()
    return lowered[:-1] if len(lowered) > 5 and lowered.endswith("s") else lowered


def unmatched_names(question: str, texts: Iterable[str]) -> list[str]:
    haystack = " ".join(texts).lower()
    return [name for name in question_names(question) if _stem(name) not in haystack]
