"""Follow-up questions: history resolves references, it never drags the old topic into search.

"And what did Miroshnik say about it?" needs the previous question to know what "it" is; "What
did Trump say about Gaza?" after a truce question does not, and searching it together with the
truce question used to answer it with truce sentences. A question with no referring words is
searched on its own; one with them is rewritten (by the LLM's condense prompt, or, offline or
when the LLM fails, by appending the previous question's topic words without its names when the
follow-up names its own subject).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qa_service.core.names import question_names

MAX_QUERY = 2000
# Words that point back into the conversation ("it", "that deal", "the same", "what about ...").
_REFERRING = re.compile(
    r"""\b(?:it|its|he|him|his|she|her|hers|they|them|their|theirs|this|that|these|those|
        then|former|latter|same|else|also|too|again)\b
    | ^\s*(?:and|but|so|what\s+about|how\s+about|why\s+not|really)\b
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Time phrases are not references: "this week", "that day" stand on their own.
_TIME_PHRASE = re.compile(
    r"\b(?:this|that|these|those)\s+(?:week|weekend|month|year|morning|afternoon|evening|day|"
    r"time|season|summer|winter|spring|autumn|fall)s?\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[\w'\u2019\-]+")
_FUNCTION = frozenset(
    """a an the and or but of to in on at by for from with as into about over after before what
    which who whom whose when where why how is are was were be been do does did has have had
    will would can could should may might must say said says tell told think thinks position
    latest current currently now""".split()
)


def is_standalone(question: str) -> bool:
    """True when nothing in ``question`` refers to an earlier turn."""
    without_time = _TIME_PHRASE.sub(" ", question)
    return _REFERRING.search(without_time) is None


def last_user_turn(history: Sequence[tuple[str, str]]) -> str:
    return next((text for role, text in reversed(history) if role == "user"), "")


def lexical_rewrite(question: str, history: Sequence[tuple[str, str]]) -> str:
    """Offline rewrite: the question plus what the previous question was about.

    When the follow-up names its own subject ("Miroshnik"), the previous question's names
    ("Moscow") are left out, so the answer is about the subject asked for.
    """
    previous = last_user_turn(history)
    if not previous or is_standalone(question):
        return question[:MAX_QUERY]
    own_names = {n.lower() for n in question_names(question)}
    dropped = {n.lower() for n in question_names(previous)} if own_names else set()
    topic = [
        word
        for word in _WORD.findall(previous)
        if word.lower() not in _FUNCTION
        and re.sub(r"['\u2019]s$", "", word).lower() not in dropped
        and word.lower() not in question.lower()
    ]
    return f"{question} {' '.join(topic)}".strip()[:MAX_QUERY]
