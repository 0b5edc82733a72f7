"""Who said a sentence: speaker names and roles found in the article text itself, never invented.

Rules, not a model: a name next to a speech verb ("Peskov said", "said … Dmitry Peskov",
"according to Miroshnik"), an institution in the same place ("The Kremlin has rejected"), or a
leading "He"/"She" resolved to the speaker of the nearest earlier sentence of the same text. A
surname is expanded to the full name written elsewhere in the same text ("Peskov" → "Dmitry
Peskov"), with the role words written right before it ("Kremlin spokesman"). When nothing matches
the result is ``None`` and callers fall back to the outlet and date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa_service.core.names import is_place
from qa_service.core.sentences import split_sentences

_VERBS = (
    r"said|says|told|tells|stressed|stresses|noted|notes|added|adds|stated|states|warned|warns|"
    r"argued|argues|claimed|claims|insisted|insists|emphasi[sz]ed|emphasi[sz]es|explained|"
    r"announced|announces|declared|declares|remarked|reiterated|reiterates|commented|urged|"
    r"urges|wrote|writes|rejected|rejects|dismissed|dismisses|confirmed|confirms|denied|denies|"
    r"acknowledged|reminded|underlined|underscored|asserted|replied|responded|accused|"
    r"suggested|believes|called|calls|pointed out|outlined|criticised|criticized|welcomed|"
    r"spoke|speaks"
)
_CAP = r"[A-Z][\w'\u2019\-]*"
_NAME = rf"{_CAP}(?:[ \t]+(?:{_CAP}|de|van|von|bin|al))*"
_AUX = r"(?:[ \t]+(?:has|had|have|also|then|later|again|previously|earlier|reportedly))*"
_BEFORE_VERB = re.compile(rf"({_NAME}){_AUX}[ \t]+(?:{_VERBS})\b")
_AFTER_VERB = re.compile(rf"\b(?:{_VERBS})\b[^.!?\u201c\"]{{0,80}}?,[ \t]+({_NAME})[ \t]*[.!?]?$")
_ACCORDING = re.compile(
    rf"\b[Aa]ccording to (?:[\w'\u2019\-]+[ \t]+){{0,4}}?({_NAME})[ \t]*(?:[,.;]|$)"
)
_PRONOUN = re.compile(r"^(?:He|She)\b")
_POSSESSIVE = re.compile(r"['\u2019]s$")
# Capitalised words that open sentences or name times, never a speaker by themselves.
_NOT_SPEAKERS = frozenset(
    """the a an but and however meanwhile in on at after before while when if as since for from
    by with this that these those there it its he she they we i you his her their our monday
    tuesday wednesday thursday friday saturday sunday january february march april may june july
    august september october november december earlier later last next also officials""".split()
)
_ROLE_WORDS = frozenset(
    """spokesman spokeswoman spokesperson official officials minister president secretary press
    aide envoy adviser advisor ambassador chief head leader deputy foreign ministry general
    commander chairman chairwoman prime senator governor mayor representative director
    negotiator special of the for""".split()
)
_STOP_ROLE = re.compile(r"[,;:()\u201c\u201d\"\u2014]")


@dataclass(frozen=True, slots=True)
class Speaker:
    name: str  # as written in the article, e.g. "Dmitry Peskov" or "Kremlin"
    role: str | None = None  # words written before the full name, e.g. "Kremlin spokesman"

    @property
    def label(self) -> str:
        return f"{self.role} {self.name}" if self.role else self.name


def _clean_name(raw: str) -> str | None:
    words = _POSSESSIVE.sub("", raw.strip()).split()
    while words and words[0].lower() in _NOT_SPEAKERS:
        words.pop(0)
    if not words or words[-1].lower() in _NOT_SPEAKERS:
        return None
    return " ".join(words)


def _named_in(sentence: str) -> str | None:
    """The speaker named inside one sentence, if any."""
    for pattern in (_BEFORE_VERB, _AFTER_VERB, _ACCORDING):
        for match in pattern.finditer(sentence):
            name = _clean_name(match.group(1))
            if name:
                return name
    return None


def _role_before(text: str, position: int) -> str | None:
    """Role words right before ``position`` ("Kremlin spokesman"), up to punctuation."""
    words = text[max(0, position - 80) : position].split()
    picked: list[str] = []
    for word in reversed(words):
        if _STOP_ROLE.search(word) or word.endswith("."):
            break
        bare = _POSSESSIVE.sub("", word).lower()
        if not (word[:1].isupper() or bare in _ROLE_WORDS):
            break
        picked.insert(0, word)
        if len(picked) == 5:
            break
    while picked and picked[0].lower() in {"the", "of", "for"}:
        picked.pop(0)
    role = " ".join(picked)
    return role or None


def _first_names(lead: str) -> list[str]:
    """Trailing capitalised words of ``lead`` that read as given names, not roles ("President")."""
    names: list[str] = []
    for word in reversed(lead.split()):
        bare = word.lower()
        if (
            _POSSESSIVE.search(word)
            or bare in _ROLE_WORDS
            or bare in _NOT_SPEAKERS
            or is_place(word)
            or len(word.rstrip(".")) < 2
        ):
            break
        names.insert(0, word)
    return names[-2:]


def expand(name: str, context: str) -> Speaker:
    """Full name and role for ``name`` from the place ``context`` writes its fullest form."""
    surname = name.split()[-1]
    if is_place(surname):
        return Speaker(name)  # an institution or a country speaks as itself: "Kremlin"
    pattern = re.compile(rf"((?:{_CAP}[ \t]+){{0,3}}){re.escape(surname)}\b")
    best: tuple[int, list[str]] | None = None
    for match in pattern.finditer(context):
        given = _first_names(match.group(1))
        if best is None or len(given) > len(best[1]):
            best = (match.end() - len(surname) - len(" ".join(given)) - (1 if given else 0), given)
    if best is None:
        return Speaker(name)
    position, given = best
    full = " ".join([*given, surname])
    if len(full.split()) < len(name.split()):
        full, position = name, -1
    role = _role_before(context, position) if position >= 0 else None
    return Speaker(full, role)


def find_speaker(text: str, start: int, end: int, before: str = "") -> Speaker | None:
    """Speaker of ``text[start:end]`` (one sentence), looking back in ``text`` for pronouns.

    ``before`` is earlier text of the same article (other retrieved chunks), searched after
    ``text`` itself: a chunk may begin with "According to Miroshnik" and name him in full only
    in the chunk before.
    """
    sentence = text[start:end]
    name = _named_in(sentence)
    if name is None and _PRONOUN.match(sentence):
        earlier = [text[a:b] for a, b in split_sentences(text[:start])]
        earlier = [before[a:b] for a, b in split_sentences(before)] + earlier
        for candidate in reversed(earlier):
            name = _named_in(candidate)
            if name is not None:
                break
    if name is None:
        return None
    return expand(name, f"{before}\n{text[:end]}" if before else text[:end])
