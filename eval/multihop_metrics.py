"""MultiHop-RAG metrics (evidence-level retrieval, answers, abstention): pure functions.

Definitions follow ``eval/data/multihop-rag-sample/README.md`` and are spelled out in
``eval/README.md``. An evidence fact is *found* in a passage when the normalised fact is a substring
of the normalised passage text; normalising = straighten curly quotes, casefold, delete every
whitespace character (the upstream scorer also deletes spaces and newlines before its substring
test, so a fact wrapped or re-spaced by ingest still matches).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from eval.metrics import normalise_for_match, percentile

NULL_TYPE = "null_query"
YES_NO = {"yes", "no"}
_WS = re.compile(r"\s+")


def normalise_evidence(text: str) -> str:
    """NFKC, straight quotes, casefold, no whitespace: how facts are matched against passages."""
    return _WS.sub("", normalise_for_match(unicodedata.normalize("NFKC", text)))


def facts_in(passage: str, facts: Sequence[str]) -> set[int]:
    """Indices of the facts contained in ``passage``."""
    haystack = normalise_evidence(passage)
    return {i for i, fact in enumerate(facts) if normalise_evidence(fact) in haystack}


def evidence_hits(passages: Sequence[str], facts: Sequence[str], k: int) -> float | None:
    """Hits@k: share of gold facts found in at least one of the first ``k`` passages."""
    if not facts:
        return None
    found: set[int] = set()
    for passage in passages[:k]:
        found |= facts_in(passage, facts)
    return len(found) / len(facts)


def reciprocal_rank_at(passages: Sequence[str], facts: Sequence[str], k: int = 10) -> float | None:
    """MRR@k term: 1 / rank of the first passage holding any gold fact, 0 if none in the top k."""
    if not facts:
        return None
    for rank, passage in enumerate(passages[:k], start=1):
        if facts_in(passage, facts):
            return 1.0 / rank
    return 0.0


def average_precision_at(
    passages: Sequence[str], facts: Sequence[str], k: int = 10
) -> float | None:
    """AP@k: a passage is relevant when it holds a gold fact no higher-ranked passage held (so a
    repeated fact is not rewarded twice); AP = sum of precision@i at relevant ranks i, divided by
    ``min(len(facts), k)``, the most relevant passages the top k could contain."""
    if not facts:
        return None
    seen: set[int] = set()
    relevant = 0
    total = 0.0
    for rank, passage in enumerate(passages[:k], start=1):
        new = facts_in(passage, facts) - seen
        if new:
            seen |= new
            relevant += 1
            total += relevant / rank
    return total / min(len(facts), k)


def doc_hits(passage_doc_ids: Sequence[str], gold_doc_ids: Sequence[str], k: int) -> float | None:
    """Article-level Hits@k: share of gold articles owning one of the first ``k`` passages."""
    gold = set(gold_doc_ids)
    if not gold:
        return None
    return len(gold.intersection(passage_doc_ids[:k])) / len(gold)


def answer_matches(answer: str, gold: str) -> bool:
    """Gold answer contained in the answer, case-insensitively, on word boundaries: a plain
    substring test would count "no" inside "not" or "know" as a correct "No"."""
    needle = normalise_for_match(gold).rstrip(".")
    if not needle:
        return False
    pattern = r"(?<!\w)" + re.escape(needle) + r"(?!\w)"
    return re.search(pattern, normalise_for_match(answer)) is not None


@dataclass(frozen=True, slots=True)
class MultiHopRow:
    """One benchmark query and what the service returned (top-10 passages and an answer)."""

    id: str
    question_type: str
    query: str
    gold_answer: str
    facts: list[str]
    gold_doc_ids: list[str]
    passages: list[str] = field(default_factory=list)
    passage_doc_ids: list[str] = field(default_factory=list)
    answer: str = ""
    abstained: bool = False
    search_ms: float = 0.0
    ask_ms: float = 0.0
    error: str | None = None

    @property
    def is_null(self) -> bool:
        return self.question_type == NULL_TYPE

    @property
    def yes_no(self) -> bool:
        """Yes/no questions: an extractive answerer can only match them by accident."""
        return normalise_for_match(self.gold_answer).rstrip(".") in YES_NO

    @property
    def correct(self) -> bool:
        return (
            self.error is None
            and not self.abstained
            and answer_matches(self.answer, self.gold_answer)
        )


def _mean(values: Sequence[float | None]) -> float:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else math.nan


def row_scores(row: MultiHopRow) -> dict[str, float | None]:
    """Per-query values; retrieval ones are None for queries without evidence (null queries)."""
    return {
        "hits_at_4": evidence_hits(row.passages, row.facts, 4),
        "hits_at_10": evidence_hits(row.passages, row.facts, 10),
        "mrr_at_10": reciprocal_rank_at(row.passages, row.facts, 10),
        "map_at_10": average_precision_at(row.passages, row.facts, 10),
        "doc_hits_at_4": doc_hits(row.passage_doc_ids, row.gold_doc_ids, 4),
        "doc_hits_at_10": doc_hits(row.passage_doc_ids, row.gold_doc_ids, 10),
    }


def summarize_multihop(rows: Sequence[MultiHopRow]) -> dict[str, float]:
    """Means over the queries each metric applies to; NaN when it applies to none.

    An errored query retrieved nothing and answered nothing (scores 0, never an abstention).
    """
    scores = [row_scores(r) for r in rows]
    answerable = [r for r in rows if not r.is_null]
    nulls = [r for r in rows if r.is_null]
    yes_no = [r for r in answerable if r.yes_no]
    entity = [r for r in answerable if not r.yes_no]
    ok = [r for r in rows if r.error is None]
    summary = {name: _mean([s[name] for s in scores]) for name in scores[0]} if scores else {}
    search_ms, ask_ms = [r.search_ms for r in ok], [r.ask_ms for r in ok]
    summary.update(
        answer_accuracy=_mean([float(r.correct) for r in answerable]),
        answer_accuracy_entity=_mean([float(r.correct) for r in entity]),
        answer_accuracy_yes_no=_mean([float(r.correct) for r in yes_no]),
        null_abstention_rate=_mean([float(r.abstained and r.error is None) for r in nulls]),
        false_abstention_rate=_mean([float(r.abstained and r.error is None) for r in answerable]),
        search_p50_ms=percentile(search_ms, 50) if ok else math.nan,
        search_p95_ms=percentile(search_ms, 95) if ok else math.nan,
        ask_p50_ms=percentile(ask_ms, 50) if ok else math.nan,
        ask_p95_ms=percentile(ask_ms, 95) if ok else math.nan,
        n_queries=float(len(rows)),
        n_errors=float(len(rows) - len(ok)),
    )
    return summary
