"""Golden-set metrics on tiny hand-made cases whose values are worked out by hand in comments."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from eval.metrics import (
    QuestionResult,
    abstention_outcome,
    citation_is_correct,
    citation_precision,
    citation_recall,
    citations_after,
    key_fact_coverage,
    percentile,
    question_failures,
    recall_at_k,
    reciprocal_rank,
    score_question,
    summarize,
    summarize_by_category,
)

GOLDEN = Path(__file__).resolve().parents[2] / "eval" / "golden" / "seeds.jsonl"
TEXTS = {
    "a": "Peskov said Russia wants peace, not a ceasefire. A ceasefire is another form of delay.",
    "b": "Miroshnik said a 30-day ceasefire would let Ukraine regroup forces.",
}


def cite(doc_id: str, quote: str, n: int = 1) -> dict[str, Any]:
    """A citation as the API returns it, with offsets found in the doc text (so it's verbatim)."""
    start = TEXTS[doc_id].index(quote)
    return {
        "id": n,
        "chunk_id": f"{doc_id}-0",
        "document_id": doc_id,
        "title": "T",
        "quote": quote,
        "start": start,
        "end": start + len(quote),
    }


# --- retrieval -----------------------------------------------------------------------------


def test_recall_dedupes_repeated_chunk_doc_ids_before_cutting_at_k() -> None:
    retrieved = ["b", "b", "a", "c", "a", "d"]  # distinct order: b, a, c, d
    assert recall_at_k(retrieved, {"a", "d"}, k=1) == 0.0
    assert recall_at_k(retrieved, {"a", "d"}, k=2) == 0.5  # without dedupe top-2 is [b, b] -> 0
    assert recall_at_k(retrieved, {"a", "d"}, k=4) == 1.0
    assert recall_at_k([], {"a"}, k=5) == 0.0


def test_recall_rejects_bad_k_and_empty_expectation() -> None:
    with pytest.raises(ValueError):
        recall_at_k(["a"], {"a"}, k=0)
    with pytest.raises(ValueError):
        recall_at_k(["a"], set(), k=5)


def test_reciprocal_rank_counts_ranks_over_distinct_documents() -> None:
    assert reciprocal_rank(["b", "b", "c", "a"], {"a"}) == pytest.approx(1 / 3)  # not 1/4
    assert reciprocal_rank(["a", "b"], {"a", "b"}) == 1.0
    assert reciprocal_rank(["c", "c"], {"a"}) == 0.0
    with pytest.raises(ValueError):
        reciprocal_rank(["a"], [])


# --- citations -----------------------------------------------------------------------------


def test_verbatim_citation_to_expected_document_is_correct() -> None:
    assert citation_is_correct(cite("b", "30-day ceasefire"), {"b"}, TEXTS) == (True, "")


def test_fabricated_non_verbatim_quote_is_a_citation_error() -> None:
    fabricated = {**cite("b", "30-day ceasefire"), "quote": "month-long truce"}  # offsets 17:33
    assert citation_is_correct(fabricated, {"b"}, TEXTS) == (False, "quote not verbatim at 17:33")
    shifted = {**cite("b", "30-day ceasefire"), "start": 18, "end": 34}
    assert citation_is_correct(shifted, {"b"}, TEXTS) == (False, "quote not verbatim at 18:34")
    past_end = {**cite("b", "30-day ceasefire"), "end": 999}
    assert not citation_is_correct(past_end, {"b"}, TEXTS)[0]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"document_id": "zzz"}, "unknown document zzz"),
        ({"quote": "", "start": 17, "end": 17}, "empty quote"),
        ({"start": True}, "offsets must be integers"),
        ({"quote": None}, "malformed citation"),
    ],
)
def test_broken_citations_say_why(change: dict[str, Any], reason: str) -> None:
    ok, why = citation_is_correct({**cite("b", "30-day ceasefire"), **change}, {"b"}, TEXTS)
    assert not ok
    assert reason in why


def test_verbatim_citation_to_unexpected_document_is_wrong() -> None:
    ok, why = citation_is_correct(cite("a", "another form of delay"), {"b"}, TEXTS)
    assert (ok, why) == (False, "cited document a not expected")


def test_citation_precision_is_correct_over_total() -> None:
    citations = [
        cite("a", "another form of delay", 1),  # correct
        cite("b", "regroup forces", 2),  # correct
        {**cite("b", "Miroshnik", 3), "quote": "Peskov"},  # fabricated
    ]
    assert citation_precision(citations, {"a", "b"}, TEXTS) == pytest.approx(2 / 3)
    assert citation_precision([], {"a"}, TEXTS) is None


def test_citation_recall_needs_a_correct_citation_per_expected_document() -> None:
    citations = [cite("a", "not a ceasefire"), {**cite("b", "Miroshnik"), "quote": "Peskov"}]
    assert citation_recall(citations, {"a", "b"}, TEXTS) == 0.5  # b's only citation is fake
    assert citation_recall([], {"a"}, TEXTS) == 0.0
    assert citation_recall(citations, [], TEXTS) is None


# --- answer content and abstention ---------------------------------------------------------


def test_key_fact_coverage_normalises_case_quotes_and_whitespace() -> None:
    answer = "Peskov:  a CEASEFIRE is another\nform of delay; Russia\u2019s view [1]."
    facts = ["another form of delay", "Russia's view", "30-day"]
    assert key_fact_coverage(answer, facts) == pytest.approx(2 / 3)
    assert key_fact_coverage(answer, []) is None
    assert key_fact_coverage("", ["x"]) == 0.0


def test_abstention_outcome_covers_all_four_cells() -> None:
    assert abstention_outcome(answerable=True, abstained=False) == "correct_answer_attempt"
    assert abstention_outcome(answerable=True, abstained=True) == "false_abstain"
    assert abstention_outcome(answerable=False, abstained=True) == "correct_abstain"
    assert abstention_outcome(answerable=False, abstained=False) == "missed_trap"


def test_percentile_matches_hand_computed_linear_interpolation() -> None:
    values = [50.0, 15.0, 40.0, 20.0, 35.0]  # sorted: 15 20 35 40 50; position = 4 * q / 100
    assert percentile(values, 0) == 15.0
    assert percentile(values, 25) == 20.0  # position 1
    assert percentile(values, 40) == pytest.approx(29.0)  # 20 + 0.6 * (35 - 20)
    assert percentile(values, 50) == 35.0
    assert percentile(values, 95) == pytest.approx(48.0)  # 40 + 0.8 * (50 - 40)
    assert percentile(values, 100) == 50.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([1.0, 2.0, 3.0, 4.0], 95) == pytest.approx(3.85)  # 3 + 0.85 * 1
    assert percentile([7.0], 95) == 7.0
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1.0], 101)


# --- per-question scoring and the summary --------------------------------------------------


def rows() -> list[QuestionResult]:
    fake = {**cite("a", "another form of delay", 2), "quote": "a form of delay"}
    return [
        # recall 1, rr 1/2, 1 of 2 citations correct, cit. recall 1, key facts 2/2
        QuestionResult(
            "q1",
            "?",
            "single",
            True,
            ["a"],
            ["peace", "delay"],
            ["b", "a", "a"],
            "Peace, not a delay [1][2].",
            False,
            [cite("a", "peace", 1), fake],
            100.0,
            1000,
            100,
        ),
        # recall 1/2, rr 1, 1 of 1 correct, cit. recall 1/2, key facts 1/2
        QuestionResult(
            "q2",
            "?",
            "multi",
            True,
            ["b", "a"],
            ["30-day", "delay"],
            ["b"],
            "A 30-day ceasefire [1].",
            False,
            [cite("b", "30-day ceasefire")],
            300.0,
            2000,
            300,
        ),
        # abstained answerable: recall 0, rr 0, no cit. recall, key facts 0
        QuestionResult(
            "q3",
            "?",
            "multi",
            True,
            ["a", "b"],
            ["peace"],
            ["c"],
            "The articles don't cover this.",
            True,
            [],
            200.0,
            1500,
            0,
        ),
        QuestionResult(
            "q4", "?", "trap-offcorpus", False, [], [], ["a"], "", True, [], 400.0, 500, 20
        ),
        QuestionResult(
            "q5",
            "?",
            "trap-unstated",
            False,
            [],
            [],
            ["a"],
            "Peace [1].",
            False,
            [cite("a", "peace")],
            500.0,
            1000,
            80,
        ),
        # errored trap: not an abstention, left out of latency and token means
        QuestionResult(
            "q6",
            "?",
            "trap-boilerplate",
            False,
            [],
            [],
            [],
            "",
            True,
            [],
            9999.0,
            0,
            0,
            error="timeout",
        ),
    ]


def test_score_question_fills_per_question_values() -> None:
    q1, q2, q3, q4, q5, q6 = (score_question(r, TEXTS) for r in rows())
    assert (q1.recall_at_5, q1.reciprocal_rank, q1.citation_recall) == (1.0, 0.5, 1.0)
    assert (q1.n_citations, q1.n_correct_citations, q1.key_fact_coverage) == (2, 1, 1.0)
    assert (q2.recall_at_5, q2.citation_recall, q2.key_fact_coverage) == (0.5, 0.5, 0.5)
    assert (q3.outcome, q3.citation_recall, q3.key_fact_coverage) == ("false_abstain", None, 0.0)
    assert (q4.outcome, q4.recall_at_5, q4.key_fact_coverage) == ("correct_abstain", None, None)
    assert (q5.outcome, q5.n_citations, q5.n_correct_citations) == ("missed_trap", 1, 0)
    assert q6.outcome == "missed_trap"
    assert (q1.answer_contains, q1.cites_expected, q1.n_verbatim_citations) == (True, True, 1)
    assert (q2.answer_contains, q2.cites_expected) == (False, True)
    assert (q3.answer_contains, q3.cites_expected) == (False, False)
    assert (q4.answer_contains, q5.n_verbatim_citations) == (None, 1)


def test_summarize_matches_hand_computed_numbers() -> None:
    summary = summarize(
        [score_question(r, TEXTS) for r in rows()],
        prompt_price_per_1k=0.5,
        completion_price_per_1k=2.0,
    )
    assert summary == pytest.approx(
        {
            "recall_at_5": (1 + 0.5 + 0) / 3,
            "mrr": (0.5 + 1 + 0) / 3,
            "citation_precision": 2 / 3,  # answerables only: (1 + 1 + 0) / (2 + 1 + 0)
            "citation_recall": (1 + 0.5) / 2,  # answered answerables q1, q2
            "key_fact_coverage": (1 + 0.5 + 0) / 3,  # abstained q3 counts as 0
            "trap_abstention_rate": 1 / 3,  # q4 only; errored q6 does not count as abstaining
            "false_abstention_rate": 1 / 3,
            "latency_p50_ms": 300.0,  # over 100 200 300 400 500 (q6 errored)
            "latency_p95_ms": 480.0,  # 400 + 0.8 * 100
            "prompt_tokens_mean": 1200.0,  # (1000 + 2000 + 1500 + 500 + 1000) / 5
            "completion_tokens_mean": 100.0,  # (100 + 300 + 0 + 20 + 80) / 5
            "est_cost_usd_per_answer": 0.8,  # (1200 * 0.5 + 100 * 2.0) / 1000
            "citations_after_as_of": 0.0,  # no question here carries an as_of
            "answer_contains_and_cites": 1 / 3,  # q1 only
            "answer_contains": 1 / 3,  # q1 has every key fact; q2 half; q3 abstained
            "answer_cites_expected": 2 / 3,  # q1, q2
            "quotes_verbatim_rate": 3 / 4,  # q1's fake quote is not at its offsets
            "answer_words_mean": 4.5,  # q1 5 words, q2 4 words
            "n_questions": 6.0,
            "n_errors": 1.0,
        }
    )


def test_summarize_refuses_unscored_rows_and_reports_undefined_as_nan() -> None:
    with pytest.raises(ValueError, match="q1"):
        summarize(rows())
    only_answerable = summarize([score_question(rows()[0], TEXTS)])
    assert math.isnan(only_answerable["trap_abstention_rate"])
    per_category = summarize_by_category([score_question(r, TEXTS) for r in rows()])
    assert per_category["multi"]["recall_at_5"] == pytest.approx(0.25)  # (0.5 + 0) / 2


def test_question_failures_explain_each_failure() -> None:
    q1, q2, q3, q4, q5, q6 = rows()
    start = TEXTS["a"].index("another form of delay")
    assert question_failures(q1, TEXTS) == [
        f"citation 2: quote not verbatim at {start}:{start + 21}"
    ]
    assert question_failures(q2, TEXTS) == [
        "expected doc a not retrieved in top 5",
        "missing key fact 'delay'",
        "expected doc a not cited",
    ]
    assert question_failures(q3, TEXTS) == [
        "expected doc a not retrieved in top 5",
        "expected doc b not retrieved in top 5",
        "answerable question abstained",
    ]
    assert question_failures(q4, TEXTS) == []
    assert question_failures(q5, TEXTS) == ["trap not abstained"]
    assert question_failures(q6, TEXTS) == ["error: timeout", "trap not abstained"]


# --- the golden file itself ----------------------------------------------------------------


def _normalised(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", text).casefold()


def test_golden_seeds_are_well_formed_and_key_facts_are_verbatim(seed_dir: Path) -> None:
    seeds = [json.loads(line) for line in GOLDEN.read_text("utf-8").splitlines() if line.strip()]
    raw = {p.stem: _normalised(p.read_text("utf-8")) for p in seed_dir.glob("*.txt")}
    assert len(seeds) >= 44 and len({s["id"] for s in seeds}) == len(seeds)
    counts = Counter(s["category"] for s in seeds)
    for category in ("single", "multi", "date", "person", "paraphrase"):
        assert counts[category] >= 4, category
    assert sum(not s["answerable"] for s in seeds) >= 14
    assert counts["trap-boilerplate"] >= 4
    for seed in seeds:
        if not seed["answerable"]:
            assert seed["category"].startswith("trap-")
            assert seed["expected_doc_ids"] == [] and seed["key_facts"] == []
            continue
        assert 1 <= len(seed["key_facts"]) <= 3 and seed["expected_doc_ids"], seed["id"]
        for fact in seed["key_facts"]:
            found = [d for d in seed["expected_doc_ids"] if _normalised(fact) in raw[d]]
            assert found, f"{seed['id']}: {fact!r} is in none of its expected documents"


def test_citations_published_after_as_of_are_counted_by_day() -> None:
    citations = [
        {"published_at": "2025-12-10T09:08:00+00:00"},
        {"published_at": "2025-12-11T23:59:00"},  # same day: allowed
        {"published_at": "2025-12-13T09:44:00"},  # later: a leak
        {"published_at": None},  # undated: allowed
    ]
    assert citations_after(citations, "2025-12-11") == 1
    assert citations_after(citations, None) == 0
    row = replace(rows()[0], citations=citations, as_of="2025-12-11")
    scored = score_question(row, TEXTS)
    assert scored.n_after_as_of == 1
    assert summarize([scored])["citations_after_as_of"] == 1.0
    assert "1 citation(s) published after as_of 2025-12-11" in question_failures(scored, TEXTS)
