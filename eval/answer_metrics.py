"""End-to-end answer metrics on the golden set (pure): does the answer answer the question?

Per answerable question: ``answer_contains`` = every key fact is in the answer (normalised as for
``key_fact_coverage``), ``cites_expected`` = at least one correct citation of an expected
document, both only for answered questions (an abstention or error scores False). Per citation:
``verbatim`` = the quote is exactly ``article.text[start:end]`` (answerable and trap questions
alike). ``answer_words`` counts whitespace-separated words of an answered question's answer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any


def quote_is_verbatim(citation: Mapping[str, Any], doc_texts: Mapping[str, str]) -> bool:
    text = doc_texts.get(str(citation.get("document_id")))
    start, end, quote = citation.get("start"), citation.get("end"), citation.get("quote")
    if text is None or not isinstance(start, int) or not isinstance(end, int) or not quote:
        return False
    return 0 <= start < end <= len(text) and text[start:end] == quote


def count_verbatim(citations: Sequence[Mapping[str, Any]], doc_texts: Mapping[str, str]) -> int:
    return sum(quote_is_verbatim(c, doc_texts) for c in citations)


def summarize_answers(rows: Sequence[Any]) -> dict[str, float]:
    """``answer_contains_and_cites``, ``answer_contains``, ``answer_cites_expected`` (over
    answerable questions), ``quotes_verbatim_rate`` (over all citations), ``answer_words_mean``
    (over answered answerable questions). NaN when undefined."""
    answerable = [r for r in rows if r.answerable]
    answered = [r for r in answerable if r.error is None and not r.effective_abstained]
    n_citations = sum(r.n_citations for r in rows)

    def share(flags: Sequence[bool], total: int) -> float:
        return sum(flags) / total if total else math.nan

    return {
        "answer_contains_and_cites": share(
            [bool(r.answer_contains and r.cites_expected) for r in answerable], len(answerable)
        ),
        "answer_contains": share([bool(r.answer_contains) for r in answerable], len(answerable)),
        "answer_cites_expected": share(
            [bool(r.cites_expected) for r in answerable], len(answerable)
        ),
        "quotes_verbatim_rate": (
            sum(r.n_verbatim_citations for r in rows) / n_citations if n_citations else math.nan
        ),
        "answer_words_mean": (
            sum(len(r.answer.split()) for r in answered) / len(answered) if answered else math.nan
        ),
    }
