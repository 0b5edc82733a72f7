"""Golden-set metrics: pure, deterministic functions so a gate decision can be re-derived by hand.

No I/O and no vendor imports: the runner fetches answers and article texts, this module only scores
them. Every definition here is mirrored in ``eval/README.md``; change both together.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from eval.answer_metrics import count_verbatim, summarize_answers

RECALL_K = 5
OUTCOMES = ("correct_answer_attempt", "correct_abstain", "false_abstain", "missed_trap")
# Curly quotes and primes are normalised so a fact matches however the model typed the quote.
_QUOTES = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‛": "'",
        "′": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "″": '"',
        "«": '"',
        "»": '"',
    }
)
_SPACES_RE = re.compile(r"\s+")


def _dedupe(ids: Sequence[str]) -> list[str]:
    """Retrieval lists one id per chunk; ranks are counted per document, first occurrence wins."""
    return list(dict.fromkeys(ids))


def recall_at_k(retrieved_doc_ids: Sequence[str], expected: Collection[str], k: int) -> float:
    """Share of expected documents among the first ``k`` distinct retrieved documents.

    Raises ValueError for ``k < 1`` or nothing expected: recall of a trap is undefined, not 0 or 1.
    """
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    wanted = set(expected)
    if not wanted:
        raise ValueError("recall is undefined when no document is expected")
    return len(wanted.intersection(_dedupe(retrieved_doc_ids)[:k])) / len(wanted)


def reciprocal_rank(retrieved_doc_ids: Sequence[str], expected: Collection[str]) -> float:
    """1 / rank of the first expected document (ranks over distinct documents), 0.0 if absent."""
    wanted = set(expected)
    if not wanted:
        raise ValueError("reciprocal rank is undefined when no document is expected")
    for rank, doc_id in enumerate(_dedupe(retrieved_doc_ids), start=1):
        if doc_id in wanted:
            return 1.0 / rank
    return 0.0


def citation_is_correct(
    citation: Mapping[str, Any], expected_doc_ids: Collection[str], doc_texts: Mapping[str, str]
) -> tuple[bool, str]:
    """A citation counts only if it points at an expected document and its quote is exactly
    ``doc_texts[document_id][start:end]``: a paraphrased or shifted quote is not verifiable.

    Returns ``(True, "")`` or ``(False, reason)``.
    """
    doc_id, quote = citation.get("document_id"), citation.get("quote")
    start, end = citation.get("start"), citation.get("end")
    if not isinstance(doc_id, str) or not isinstance(quote, str):
        return False, "malformed citation: document_id and quote must be strings"
    if doc_id not in doc_texts:
        return False, f"unknown document {doc_id}"
    if doc_id not in expected_doc_ids:
        return False, f"cited document {doc_id} not expected"
    if not quote:
        return False, "empty quote"
    if type(start) is not int or type(end) is not int:  # bool is an int subclass: reject it too
        return False, f"quote not verbatim at {start}:{end} (offsets must be integers)"
    text = doc_texts[doc_id]
    if not 0 <= start < end <= len(text) or text[start:end] != quote:
        return False, f"quote not verbatim at {start}:{end}"
    return True, ""


def citation_precision(
    citations: Sequence[Mapping[str, Any]],
    expected: Collection[str],
    doc_texts: Mapping[str, str],
) -> float | None:
    """Correct citations / all citations; None when there are none (nothing to be wrong about)."""
    if not citations:
        return None
    return _count_correct(citations, expected, doc_texts) / len(citations)


def citation_recall(
    citations: Sequence[Mapping[str, Any]],
    expected: Collection[str],
    doc_texts: Mapping[str, str],
) -> float | None:
    """Share of expected documents backed by a correct citation; None when none is expected."""
    wanted = set(expected)
    if not wanted:
        return None
    cited = {c["document_id"] for c in citations if citation_is_correct(c, wanted, doc_texts)[0]}
    return len(cited & wanted) / len(wanted)


def _count_correct(
    citations: Sequence[Mapping[str, Any]], expected: Collection[str], doc_texts: Mapping[str, str]
) -> int:
    return sum(citation_is_correct(c, expected, doc_texts)[0] for c in citations)


def normalise_for_match(text: str) -> str:
    """Casefolded, curly quotes straightened, whitespace runs collapsed: how facts are matched."""
    return _SPACES_RE.sub(" ", text.translate(_QUOTES)).strip().casefold()


def key_fact_coverage(answer: str, key_facts: Sequence[str]) -> float | None:
    """Share of key facts found as normalised substrings of the answer; None when no facts."""
    if not key_facts:
        return None
    haystack = normalise_for_match(answer)
    return sum(normalise_for_match(fact) in haystack for fact in key_facts) / len(key_facts)


def abstention_outcome(answerable: bool, abstained: bool) -> str:
    """The 2x2 of (should answer?, did abstain?); one of ``OUTCOMES``."""
    if answerable:
        return "false_abstain" if abstained else "correct_answer_attempt"
    return "correct_abstain" if abstained else "missed_trap"


def percentile(values: Sequence[float], q: float) -> float:
    """``q``-th percentile (0..100) with linear interpolation, same as numpy's default method."""
    if not values:
        raise ValueError("percentile of an empty sequence")
    if not 0 <= q <= 100:
        raise ValueError(f"q must be within [0, 100], got {q}")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


@dataclass(frozen=True, slots=True)
class QuestionResult:
    """One golden question, what the service returned, and (after ``score_question``) its scores.

    ``citations`` are the API's citation objects as dicts (id, chunk_id, document_id, quote,
    start, end, title, ...). The score fields stay None until ``score_question`` fills them,
    because citation checks need the article texts and ``summarize`` must stay text-free.
    """

    id: str
    question: str
    category: str
    answerable: bool
    expected_doc_ids: list[str]
    key_facts: list[str]
    retrieved_doc_ids: list[str] = field(default_factory=list)
    answer: str = ""
    abstained: bool = False
    citations: list[dict[str, Any]] = field(default_factory=list)
    latency_ms: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    error: str | None = None
    as_of: str | None = None  # the question's day; citations published later are leaks
    # Computed by score_question (None = not applicable, e.g. recall of a trap).
    scored: bool = False
    outcome: str = ""
    recall_at_5: float | None = None
    reciprocal_rank: float | None = None
    n_citations: int = 0
    n_correct_citations: int = 0
    citation_recall: float | None = None
    key_fact_coverage: float | None = None
    n_after_as_of: int = 0
    answer_contains: bool | None = None  # every key fact in the answer (answerable only)
    cites_expected: bool | None = None  # a correct citation of an expected document
    n_verbatim_citations: int = 0

    @property
    def effective_abstained(self) -> bool:
        """An errored request never counts as an abstention, so failures cannot pass traps."""
        return self.abstained and self.error is None


def score_question(row: QuestionResult, doc_texts: Mapping[str, str]) -> QuestionResult:
    """A copy of ``row`` with every per-question metric filled in (the row itself is frozen)."""
    answerable = row.answerable and bool(row.expected_doc_ids)
    answered = not row.effective_abstained and row.error is None
    coverage = key_fact_coverage(row.answer, row.key_facts) if answered else 0.0
    return replace(
        row,
        scored=True,
        outcome=abstention_outcome(row.answerable, row.effective_abstained),
        recall_at_5=(
            recall_at_k(row.retrieved_doc_ids, row.expected_doc_ids, RECALL_K)
            if answerable
            else None
        ),
        reciprocal_rank=(
            reciprocal_rank(row.retrieved_doc_ids, row.expected_doc_ids) if answerable else None
        ),
        n_citations=len(row.citations),
        n_correct_citations=_count_correct(row.citations, row.expected_doc_ids, doc_texts),
        citation_recall=(
            citation_recall(row.citations, row.expected_doc_ids, doc_texts)
            if answerable and answered
            else None
        ),
        key_fact_coverage=coverage if row.answerable and row.key_facts else None,
        n_after_as_of=citations_after(row.citations, row.as_of),
        answer_contains=answered and coverage == 1.0 if row.answerable else None,
        cites_expected=(
            answered and _count_correct(row.citations, row.expected_doc_ids, doc_texts) > 0
            if row.answerable
            else None
        ),
        n_verbatim_citations=count_verbatim(row.citations, doc_texts),
    )


def citations_after(citations: Sequence[Mapping[str, Any]], as_of: str | None) -> int:
    """Citations of articles published after ``as_of`` (compared by day): must never happen."""
    if not as_of:
        return 0
    day = as_of[:10]
    return sum(1 for c in citations if str(c.get("published_at") or "")[:10] > day)


def _mean(values: Sequence[float]) -> float:
    """NaN for an empty set: an undefined metric must fail a ``>=`` gate, not pass as 0 or 1."""
    return sum(values) / len(values) if values else math.nan


def _present(values: Sequence[float | None]) -> list[float]:
    return [v for v in values if v is not None]


def summarize(
    rows: Sequence[QuestionResult],
    prompt_price_per_1k: float = 0.0,
    completion_price_per_1k: float = 0.0,
) -> dict[str, float]:
    """Aggregate scored rows into the report's headline numbers (see eval/README.md).

    Keys: recall_at_5, mrr, citation_precision, citation_recall, key_fact_coverage,
    trap_abstention_rate, false_abstention_rate, latency_p50_ms, latency_p95_ms,
    prompt_tokens_mean, completion_tokens_mean, est_cost_usd_per_answer, citations_after_as_of,
    n_questions, n_errors.
    Undefined values (e.g. no traps in ``rows``) are NaN.
    """
    unscored = [r.id for r in rows if not r.scored]
    if unscored:
        raise ValueError(f"rows not scored (call score_question first): {unscored}")
    answerable = [r for r in rows if r.answerable]
    traps = [r for r in rows if not r.answerable]
    ok = [r for r in rows if r.error is None]
    n_cited = sum(r.n_citations for r in answerable)
    prompt_mean = _mean([float(r.prompt_tokens) for r in ok])
    completion_mean = _mean([float(r.completion_tokens) for r in ok])
    latencies = [r.latency_ms for r in ok]
    return {
        "recall_at_5": _mean(_present([r.recall_at_5 for r in answerable])),
        "mrr": _mean(_present([r.reciprocal_rank for r in answerable])),
        "citation_precision": (
            sum(r.n_correct_citations for r in answerable) / n_cited if n_cited else math.nan
        ),
        "citation_recall": _mean(_present([r.citation_recall for r in answerable])),
        "key_fact_coverage": _mean(_present([r.key_fact_coverage for r in answerable])),
        "trap_abstention_rate": _mean([float(r.effective_abstained) for r in traps]),
        "false_abstention_rate": _mean([float(r.effective_abstained) for r in answerable]),
        "latency_p50_ms": percentile(latencies, 50) if latencies else math.nan,
        "latency_p95_ms": percentile(latencies, 95) if latencies else math.nan,
        "prompt_tokens_mean": prompt_mean,
        "completion_tokens_mean": completion_mean,
        "est_cost_usd_per_answer": (
            prompt_mean * prompt_price_per_1k + completion_mean * completion_price_per_1k
        )
        / 1000,
        "citations_after_as_of": float(sum(r.n_after_as_of for r in rows)),
        **summarize_answers(rows),
        "n_questions": float(len(rows)),
        "n_errors": float(len(rows) - len(ok)),
    }


def summarize_by_category(
    rows: Sequence[QuestionResult], **prices: float
) -> dict[str, dict[str, float]]:
    """``summarize`` per golden category: shows which kind of question regressed."""
    categories = sorted({r.category for r in rows})
    return {c: summarize([r for r in rows if r.category == c], **prices) for c in categories}


def question_failures(
    row: QuestionResult, doc_texts: Mapping[str, str], k: int = RECALL_K
) -> list[str]:
    """Human-readable reasons a question failed; empty when it fully passed."""
    reasons: list[str] = []
    if row.error is not None:
        reasons.append(f"error: {row.error}")
    if row.n_after_as_of:
        reasons.append(f"{row.n_after_as_of} citation(s) published after as_of {row.as_of}")
    if not row.answerable:
        if not row.effective_abstained:
            reasons.append("trap not abstained")
        return reasons
    top = _dedupe(row.retrieved_doc_ids)[:k]
    reasons += [
        f"expected doc {d} not retrieved in top {k}" for d in row.expected_doc_ids if d not in top
    ]
    if row.error is not None:
        return reasons  # no answer to check: the error says why
    if row.abstained:
        reasons.append("answerable question abstained")
        return reasons
    normalised = normalise_for_match(row.answer)
    reasons += [
        f"missing key fact {fact!r}"
        for fact in row.key_facts
        if normalise_for_match(fact) not in normalised
    ]
    if not row.citations:
        reasons.append("no citations")
    cited: set[str] = set()
    for position, citation in enumerate(row.citations, start=1):
        ok, why = citation_is_correct(citation, row.expected_doc_ids, doc_texts)
        if ok:
            cited.add(str(citation["document_id"]))
        else:
            reasons.append(f"citation {citation.get('id', position)}: {why}")
    if row.citations:
        reasons += [f"expected doc {d} not cited" for d in row.expected_doc_ids if d not in cited]
    return reasons
