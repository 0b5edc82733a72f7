"""Questions that ask for a name ("Which state …?", "Who …?", "Where …?", "What is the name of
…?", "… What is it called?") and sentences that give one.

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
from functools import lru_cache

from qa_service.core.names import question_names, unmatched_names
from qa_service.core.places import COUNTRIES, US_STATES

_ASKS_FOR_NAME = re.compile(
    r"\b(?:which|who|whom|whose|where)\b"
    r"|\bwhat(?:['’]s|\s+(?:is|was|are|were))\s+the\s+names?\s+of\b"
    r"|\bwhat\b[^.?!]*\b(?:called|named|dubbed)\W*$",
    re.IGNORECASE,
)
# "Which country …", "What European nation …", "Which US state …": one word may come between
_ASKS_FOR_PLACE = re.compile(r"\b(?:which|what)\s+(?:[\w’'-]+\s+)?(country|nation|state)\b", re.I)
_PLACES = {"country": COUNTRIES, "nation": COUNTRIES, "state": US_STATES}
_WORD = re.compile(r"[\w’'-]+")


def asks_for_name(question: str) -> bool:
    """Asks "Which country …", "Who …", "Where …", "What is the name of …", "What is the app
    called?": the answer is a name (person, place, group, thing)."""
    return _ASKS_FOR_NAME.search(question) is not None


def names_beyond(sentence: str, question: str) -> list[str]:
    """Names in ``sentence`` (capitalised, not sentence-initial) that the question does not use."""
    asked = {w.lower() for w in _WORD.findall(question)}
    return [name for name in question_names(sentence) if name.lower() not in asked]


def name_answers_possible(question: str, texts: Iterable[str]) -> bool:
    """The question asks for a name and the passages mention every name it gives."""
    return asks_for_name(question) and not unmatched_names(question, texts)


def asked_places(question: str) -> frozenset[str]:
    """The places a "Which country …?" or "Which state …?" question picks from (countries or US
    states), else none."""
    match = _ASKS_FOR_PLACE.search(question)
    return _PLACES[match.group(1).lower()] if match else frozenset()


@lru_cache(maxsize=4)
def _place_pattern(places: frozenset[str]) -> re.Pattern[str]:
    names = "|".join(re.escape(p) for p in sorted(places, key=len, reverse=True))
    return re.compile(rf"(?<![\w.])(?:{names})(?![\w])")


def names_new_place(sentence: str, question: str, places: frozenset[str]) -> bool:
    """``sentence`` names one of ``places`` (as written, capitalised) that the question does not:
    "Qatar played a key role …" for "Which country has acted as a mediator …?". There is no
    tagger: "Michael Jordan" names Jordan too. Excluding any place after a capitalised word
    cost more (it drops "The US …", "In Texas …", "South Florida") than the rare person saves."""
    if not places:
        return False
    pattern = _place_pattern(places)
    asked = {m.group(0) for m in pattern.finditer(question)}
    return any(m.group(0) not in asked for m in pattern.finditer(sentence))
