"""How far an extractive quote reaches: its sentence, the sentence before when it opens with an
unresolved pronoun, or the whole passage when that passage is short.

A short passage (a news brief, a quiz's explanation, a multi-source evidence excerpt) is one item:
its first sentence often restates the story in the question's words, the next one holds the
answer ("Ford appears to be facing more manufacturing problems."), and that next sentence is too
unlike the question to be picked on its own. Quoting the lead's whole passage when it has at most
``WHOLE_PASSAGE_WORDS`` words costs about what three sentences would; a long passage (a chunk of a
full article) still gives only its sentence. Every quote stays one verbatim span of the chunk.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from qa_service.core.candidates import is_candidate
from qa_service.core.models import Passage
from qa_service.core.sentences import split_sentences

if TYPE_CHECKING:
    from qa_service.core.extractive import ScoredSentence

WHOLE_PASSAGE_WORDS = 60
_ANAPHOR = re.compile(r"^(?:He|She|It|They|His|Her|Its|Their|The company)\b")


def with_antecedents(
    chosen: Sequence[ScoredSentence], numbered: Mapping[int, Passage]
) -> list[ScoredSentence]:
    """A quote opening with a pronoun nobody was resolved to ("She and four other senators
    voted ...") also quotes the sentence before it in the same passage, which names who "she"
    is: one verbatim span, so the answer never hides its subject."""
    taken = {(s.n, s.start) for s in chosen}
    out = []
    for sentence in chosen:
        if sentence.speaker is None and _ANAPHOR.match(sentence.text):
            text = numbered[sentence.n].chunk.text
            before = [span for span in split_sentences(text) if span[1] <= sentence.start]
            if before and (sentence.n, before[-1][0]) not in taken:
                start = before[-1][0]
                sentence = replace(sentence, start=start, text=text[start : sentence.end])
        out.append(sentence)
    return out


def with_short_lead_passage(
    chosen: Sequence[ScoredSentence],
    numbered: Mapping[int, Passage],
    scored: Sequence[ScoredSentence],
    max_words: int = WHOLE_PASSAGE_WORDS,
) -> list[ScoredSentence]:
    """The lead (first) quote widened to its whole passage when the passage has at most
    ``max_words`` words, every sentence in it could be quoted on its own (nothing that reads as
    an instruction or a marker) and none is attributed to a speaker. A passage that quotes
    people keeps its sentences apart: "Peskov stressed …" must not be framed together with the
    next sentence's "Ukrainian officials say …". Other quotes inside the span are dropped (the
    answerer then gives their slots to the next best sentences: ``with_supports``).

    ``scored`` holds every candidate sentence of the passages with the speaker already found
    for it (``ExtractiveAnswerer.score_sentences``)."""
    if not chosen:
        return []
    lead, rest = chosen[0], chosen[1:]
    text = numbered[lead.n].chunk.text
    spans = split_sentences(text)
    if len(spans) < 2 or len(text.split()) > max_words:
        return list(chosen)
    if not all(is_candidate(text[a:b]) for a, b in spans):
        return list(chosen)
    speakers = {(s.start, s.end): s.speaker for s in scored if s.n == lead.n}
    if any(span not in speakers or speakers[span] is not None for span in spans):
        return list(chosen)
    start, end = spans[0][0], spans[-1][1]
    widened = replace(lead, start=start, end=end, text=text[start:end])
    inside = [s for s in rest if s.n == lead.n and start <= s.start and s.end <= end]
    return [widened, *(s for s in rest if s not in inside)]
