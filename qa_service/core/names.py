"""Names in a question that the retrieved passages never mention: a cheap "off-corpus" signal.

An extractive answer can only be right if the passages talk about the people, places and
organisations the question asks about. Embedding similarity alone lets "What did Lavrov say about
a multipolar world?" match any Kremlin statement; a missing name is a strong reason to abstain.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

_SENTENCE_START = re.compile(r"(?:.*[.?!]\s+)?[\s\"'“‘(]*", re.DOTALL)
_NAME_RE = re.compile(r"\b[A-Z][\w\-]*(?:['’]s)?")
_NOT_NAMES = frozenset(
    """a an and are as at be but by can compare could did do does during for from had has have
    how i if in is it its many much of on or should since that the their there these this those
    to under was were what when where which who whom whose why will with would according after
    before between both describe explain give list name tell western eastern northern southern
    january february march april may june july august september october november december monday
    tuesday wednesday thursday friday saturday sunday
    """.split()
)


def question_names(question: str) -> list[str]:
    """Capitalised words that are not sentence-initial function words (possessive stripped)."""
    return [word for word, _ in _names_with_next(question)]


def _names_with_next(question: str) -> list[tuple[str, str | None]]:
    """Each name with the name right after it ("Alex" → "Murdaugh" in "Alex Murdaugh"), if any."""
    found: list[tuple[str, int, int]] = []
    for match in _NAME_RE.finditer(question):
        if _SENTENCE_START.fullmatch(question[: match.start()]):
            continue  # "Nearly two years ...", "Temperatures in Britain ...": capitalised anyway
        word = re.sub(r"['’]s$", "", match.group(0))
        if word.lower() in _NOT_NAMES or len(word) < 2:
            continue
        # a possessive ends the name: "Putin's Kremlin" is not a first name and a surname
        found.append((word, match.start(), -1 if word != match.group(0) else match.end()))
    following: list[tuple[str, int] | None] = [(w, start) for w, start, _ in found[1:]]
    return [
        (word, after[0] if after and end >= 0 and question[end : after[1]] == " " else None)
        for (word, _, end), after in zip(found, [*following, None], strict=False)
    ]


def _stem(word: str) -> str:
    """Tolerate inflection: "Ukrainians"/"Ukrainian", "Pakistani" must still miss "Pakistan"."""
    lowered = word.lower()
    return lowered[:-1] if len(lowered) > 5 and lowered.endswith("s") else lowered


def off_corpus(question: str, texts: Iterable[str], max_unmatched_share: float = 0.5) -> bool:
    """The passages miss the question's names: any of them (share 0), or more than
    ``max_unmatched_share`` of the distinct ones. A multi-hop question naming five outlets and
    people may miss one in its top passages and still be answerable; one naming only Lavrov
    cannot be answered from passages that never mention him."""
    names = list(dict.fromkeys(question_names(question)))
    missing = set(unmatched_names(question, texts))
    if not missing:
        return False
    return max_unmatched_share <= 0 or len(missing) / len(names) > max_unmatched_share


def unmatched_names(question: str, texts: Iterable[str]) -> list[str]:
    """Names none of whose aliases occur in ``texts`` ("Moscow" is matched by "Kremlin")."""
    haystack = " ".join(texts).lower()

    def found(name: str) -> bool:
        group = _GROUP_OF.get(name.lower()) or _GROUP_OF.get(_stem(name))
        return _stem(name) in haystack or bool(group and mentions(group, haystack))

    # a first name before a surname the passages give is that person: "Alex Murdaugh" is
    # "Murdaugh" in "… before finding Murdaugh guilty"
    return [
        name
        for name, following in _names_with_next(question)
        if not found(name) and not (following and found(following))
    ]


# Capital, seat of government, country and demonym name one actor in news text: "Moscow's
# position" is the Kremlin's and Russia's. One line per actor; multi-word aliases allowed.
_ALIAS_LINES = """russia russian russians moscow kremlin
ukraine ukrainian ukrainians kyiv kiev
united states|u.s.|us|usa|america|american|americans|washington|white house
china chinese beijing
united kingdom|uk|britain|british|london|downing street
france french paris elysee
germany german germans berlin
european union|eu|brussels
iran iranian iranians tehran
israel israeli israelis jerusalem
turkey turkish ankara
azerbaijan azerbaijani baku
armenia armenian yerevan
belarus belarusian minsk
georgia georgian tbilisi
japan japanese tokyo
india indian delhi
north korea|north korean|pyongyang
south korea|south korean|seoul"""


def _alias_group(line: str) -> frozenset[str]:
    return frozenset(a.strip() for a in (line.split("|") if "|" in line else line.split()))


ALIAS_GROUPS: tuple[frozenset[str], ...] = tuple(
    _alias_group(line) for line in _ALIAS_LINES.splitlines()
)
_GROUP_OF = {alias: group for group in ALIAS_GROUPS for alias in group}


def canonical(word: str) -> str:
    """One spelling per actor for lexical overlap: "kremlin", "moscow" → the group's first name."""
    group = _GROUP_OF.get(word)
    return min(group) if group else word


def is_place(word: str) -> bool:
    """A country, capital, seat of government or demonym ("Kremlin", "Russian", "Kyiv")."""
    return re.sub(r"['’]s$", "", word).lower() in _GROUP_OF


def question_subjects(question: str) -> list[frozenset[str]]:
    """The actors a question names, each as the set of its aliases (lowercase), in order.

    "Moscow's position" → {moscow, kremlin, russia, russian, ...}; "Miroshnik" → {miroshnik},
    which a sentence naming "Rodion Miroshnik" matches as a word.
    """
    subjects: list[frozenset[str]] = []
    for name in question_names(question):
        lowered = name.lower()
        group = _GROUP_OF.get(lowered) or _GROUP_OF.get(_stem(name)) or frozenset({lowered})
        if group not in subjects:
            subjects.append(group)
    return subjects


@lru_cache(maxsize=512)
def _alias_pattern(group: frozenset[str]) -> re.Pattern[str]:
    words = "|".join(re.escape(a) for a in sorted(group, key=len, reverse=True))
    return re.compile(rf"(?<![\w.])(?:{words})(?!\w)")


def mentions(group: frozenset[str], text: str) -> bool:
    """``text`` (any case) names the actor ``group`` as a whole word."""
    return _alias_pattern(group).search(text.lower()) is not None
