"""Builds the model's context: numbered, delimited passages packed to a token budget."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from qa_service.core.models import Passage
from qa_service.core.ports import TokenCounter

# Anything in a passage that looks like our own delimiters is neutralised, so an article cannot
# close its <passage> element early and smuggle text into the instruction part of the prompt.
_DELIMITER_RE = re.compile(r"<\s*/?\s*(passages?|system|instructions?)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PromptTemplates:
    """Versioned prompt files, loaded by the container and passed in as text."""

    system: str
    answer: str
    passage: str
    condense: str


def neutralise(text: str) -> str:
    return _DELIMITER_RE.sub(lambda m: "‹" + m.group(0)[1:], text)


def format_passage(template: str, n: int, passage: Passage) -> str:
    chunk = passage.chunk
    return template.format(
        n=n,
        title=neutralise(chunk.title or "").replace('"', "'"),
        source=neutralise(chunk.source or "unknown").replace('"', "'"),
        published_at=chunk.published_at or "unknown",
        text=neutralise(chunk.text),
    )


def pack_passages(
    passages: Sequence[Passage], counter: TokenCounter, budget: int, template: str
) -> dict[int, Passage]:
    """Number passages by rank (1-based) and keep the best ones that fit ``budget`` tokens.

    Dropping happens from the lowest rank up; the best passage is always kept, even if alone it
    exceeds the budget, because an answer without context is worse than a long prompt.
    """
    numbered: dict[int, Passage] = {}
    used = 0
    for rank, passage in enumerate(passages, start=1):
        cost = counter.count(format_passage(template, rank, passage))
        if numbered and used + cost > budget:
            break
        numbered[rank] = passage
        used += cost
    return numbered


def build_messages(
    templates: PromptTemplates,
    question: str,
    numbered: dict[int, Passage],
    reference_date: date | None = None,
) -> list[dict[str, str]]:
    """System + user message; the user message names the reference date (``{today}``)."""
    body = "\n".join(format_passage(templates.passage, n, p) for n, p in numbered.items())
    today = (reference_date or date.today()).isoformat()
    user = templates.answer.format(passages=body, question=neutralise(question), today=today)
    return [{"role": "system", "content": templates.system}, {"role": "user", "content": user}]


def format_history(history: Sequence[tuple[str, str]]) -> str:
    return "\n".join(f"{role}: {neutralise(content)}" for role, content in history)
