"""Questions that ask for a name ("Which state …?", "Who …?", "Where …?") and sentences that give
one.

A news quiz asks which state was hit by attacks on power substations; the passage says "Two
substations in Moore County, North Carolina, were damaged by gunfire." The sentence shares few of
the question's rarer words, so the lexical-coverage gate alone would refuse it, yet it names
what was asked. The extractive answerer lets such a sentence lead when it is relevant, names
something the question does not, and every name the question gives occurs in the passages (a
question about someone the passages never mention stays unanswered).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from qa_service.core.names import question_names, unmatched_names

_ASKS_FOR_NAME = re.compile(r"\b(?:which|who|whom|whose|where)\b", re.IGNORECASE)
_WORD = re.compile(r"[\w’'-]+")


def asks_for_name(question: str) -> bool:
    """Asks "Which country …", "Who …", "Where …": the answer is a name (person, place, group)."""
    return _ASKS_FOR_NAME.search(question) is not None


def names_beyond(sentence: str, question: str) -> list[str]:
    """Names in ``sentence`` (capitalised, not sentence-initial) that the question does not use."""
    asked = {w.lower() for w in _WORD.findall(question)}
    return [name for name in question_names(sentence) if name.lower() not in asked]


def name_answers_possible(question: str, texts: Iterable[str]) -> bool:
    """The question asks for a name and the passages mention every name it gives."""
    return asks_for_name(question) and not unmatched_names(question, texts)
