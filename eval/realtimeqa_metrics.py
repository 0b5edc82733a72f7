"""RealTimeQA news-quiz metrics (passage retrieval, answers to answerable questions): pure.

A question is *answerable* here when its answer string occurs in one of its gold passages after
``normalise_answer`` (casefold, straight quotes, punctuation removed, whitespace collapsed): the
dataset README's definition. On those questions an abstention is a false abstention, an answer
*contains* the gold answer when the normalised answer occurs in the normalised answer text on word
boundaries, and it *cites gold* when one of its citations belongs to a gold passage.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from eval.metrics import percentile

_PUNCT = re.compile(r"[^\w\s]")
_WS = re.compile(r"\s+")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})


def normalise_answer(text: str) -> str:
    """NFKC, casefolded, straight quotes, every punctuation mark dropped, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    return _WS.sub(" ", _PUNCT.sub(" ", text)).strip()


def contains_answer(text: str, answer: str) -> bool:
    """``answer`` occurs in ``text`` on word boundaries, after ``normalise_answer`` on both."""
    needle = normalise_answer(answer)
    if not needle:
        return False
    return re.search(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", normalise_answer(text)) is not None


def hits_at(doc_ids: Sequence[str], gold: Collection[str], k: int) -> float:
    """1.0 when a gold passage is among the first ``k`` results, else 0.0."""
    return float(any(d in gold for d in doc_ids[:k]))


def reciprocal_rank(doc_ids: Sequence[str], gold: Collection[str], k: int = 10) -> float:
    for rank, doc_id in enumerate(doc_ids[:k], start=1):
        if doc_id in gold:
            return 1.0 / rank
    return 0.0


@dataclass(frozen=True, slots=True)
class QuizRow:
    """One quiz question and what the service returned (top-10 passages, maybe an answer)."""

    id: str
    question: str
    gold_answer: str
    gold_doc_ids: list[str]
    date: str | None
    answerable: bool
    result_doc_ids: list[str] = field(default_factory=list)
    asked: bool = False
    answer: str = ""
    abstained: bool = False
    cited_doc_ids: list[str] = field(default_factory=list)
    search_ms: float = 0.0
    ask_ms: float = 0.0
    error: str | None = None

    @property
    def contains(self) -> bool:
        return self.asked and not self.abstained and contains_answer(self.answer, self.gold_answer)

    @property
    def cites_gold(self) -> bool:
        return self.asked and any(d in self.gold_doc_ids for d in self.cited_doc_ids)


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else math.nan


def summarize_quiz(rows: Sequence[QuizRow]) -> dict[str, float]:
    """Retrieval over every question; answer metrics over the answerable questions that were asked.

    An errored request counts as a miss (0) and never as an abstention.
    """
    ok = [r for r in rows if r.error is None]
    asked = [r for r in rows if r.asked and r.answerable]
    words = [len(r.answer.split()) for r in asked if r.error is None and not r.abstained]
    search_ms, ask_ms = [r.search_ms for r in ok], [r.ask_ms for r in asked if r.error is None]
    return {
        "hits_at_4": _mean([hits_at(r.result_doc_ids, r.gold_doc_ids, 4) for r in rows]),
        "hits_at_10": _mean([hits_at(r.result_doc_ids, r.gold_doc_ids, 10) for r in rows]),
        "mrr_at_10": _mean([reciprocal_rank(r.result_doc_ids, r.gold_doc_ids) for r in rows]),
        "answer_contains": _mean([float(r.contains) for r in asked]),
        "answer_cites_gold": _mean([float(r.cites_gold) for r in asked]),
        "answer_contains_and_cites": _mean([float(r.contains and r.cites_gold) for r in asked]),
        "false_abstention_rate": _mean([float(r.abstained and r.error is None) for r in asked]),
        "answer_words_mean": _mean([float(w) for w in words]),
        "search_p50_ms": percentile(search_ms, 50) if search_ms else math.nan,
        "ask_p50_ms": percentile(ask_ms, 50) if ask_ms else math.nan,
        "n_queries": float(len(rows)),
        "n_answerable_asked": float(len(asked)),
        "n_errors": float(len(rows) - len(ok)),
    }
