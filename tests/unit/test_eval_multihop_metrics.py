"""MultiHop-RAG metrics on hand-made passages whose values are worked out in the comments."""

from __future__ import annotations

import math

import pytest

from eval.multihop_metrics import (
    MultiHopRow,
    answer_matches,
    average_precision_at,
    doc_hits,
    evidence_hits,
    reciprocal_rank_at,
    summarize_multihop,
)

FACTS = ["Sam Bankman-Fried didn’t ask.", "The trial began in October."]
PASSAGES = [
    "Nothing relevant here.",
    "Intro line.\nThe  trial began in\nOctober.",  # fact 2, re-spaced and wrapped
    "sam bankman-fried didn't ask.",  # fact 1, casefolded, straight apostrophe
    "The trial began in October.",  # fact 2 again: not a new relevant passage
]


def test_facts_match_across_whitespace_case_and_quote_style() -> None:
    assert evidence_hits(PASSAGES, FACTS, 2) == 0.5  # only fact 2 is in the top 2
    assert evidence_hits(PASSAGES, FACTS, 3) == 1.0
    assert evidence_hits(PASSAGES, FACTS, 1) == 0.0


def test_partial_fact_is_not_found() -> None:
    assert evidence_hits(["The trial began"], FACTS, 10) == 0.0


def test_reciprocal_rank_is_first_passage_with_any_fact() -> None:
    assert reciprocal_rank_at(PASSAGES, FACTS, 10) == 0.5
    assert reciprocal_rank_at(PASSAGES, FACTS, 1) == 0.0


def test_average_precision_counts_each_fact_once() -> None:
    # relevant ranks 2 (fact 2) and 3 (fact 1); rank 4 repeats fact 2 -> not relevant.
    # AP = (1/2 + 2/3) / min(2, 10)
    assert average_precision_at(PASSAGES, FACTS, 10) == pytest.approx((1 / 2 + 2 / 3) / 2)
    # a perfect ranking scores 1
    assert average_precision_at(PASSAGES[2:], FACTS, 10) == 1.0


def test_null_queries_have_no_retrieval_scores() -> None:
    assert evidence_hits(PASSAGES, [], 4) is None
    assert reciprocal_rank_at(PASSAGES, []) is None
    assert average_precision_at(PASSAGES, []) is None
    assert doc_hits(["a"], [], 4) is None


def test_doc_hits_counts_gold_articles_among_top_k_passages() -> None:
    assert doc_hits(["a", "a", "b", "c"], ["b", "c"], 2) == 0.0
    assert doc_hits(["a", "a", "b", "c"], ["b", "c"], 3) == 0.5
    assert doc_hits(["a", "a", "b", "c"], ["b", "c"], 10) == 1.0


@pytest.mark.parametrize(
    ("answer", "gold", "expected"),
    [
        ("It was Sam Bankman-Fried [1].", "Sam Bankman-Fried", True),
        ("it was sam bankman-fried", "Sam Bankman-Fried", True),
        ("No, it did not [2].", "no", True),
        ("They did not know [1].", "No", False),  # "no" inside "not"/"know" is not an answer
        ("Yes.", "Yes", True),
        ("Googled it", "Google", False),
        ("anything", "", False),
    ],
)
def test_answer_match_is_case_insensitive_on_word_boundaries(
    answer: str, gold: str, expected: bool
) -> None:
    assert answer_matches(answer, gold) is expected


def row(**kwargs: object) -> MultiHopRow:
    values: dict[str, object] = {
        "id": "q",
        "question_type": "inference_query",
        "query": "?",
        "gold_answer": "Google",
        "facts": ["fact one."],
        "gold_doc_ids": ["d1"],
    }
    values.update(kwargs)
    return MultiHopRow(**values)  # type: ignore[arg-type]


def test_summary_splits_null_and_answerable_queries() -> None:
    rows = [
        row(id="a", passages=["fact one."], passage_doc_ids=["d1"], answer="Google [1]"),
        row(id="b", passages=["other"], passage_doc_ids=["d2"], answer="x", abstained=True),
        row(id="c", gold_answer="Yes", passages=["x", "fact one."], passage_doc_ids=["d9", "d1"]),
        row(id="n1", question_type="null_query", facts=[], gold_doc_ids=[], abstained=True),
        row(id="n2", question_type="null_query", facts=[], gold_doc_ids=[], answer="guess"),
        row(id="e", error="HTTP 500", abstained=True),
    ]
    s = summarize_multihop(rows)
    # answerable: a, b, c, e -> hits@4 = (1 + 0 + 1 + 0) / 4 ; MRR = (1 + 0 + 1/2 + 0) / 4
    assert s["hits_at_4"] == 0.5
    assert s["mrr_at_10"] == pytest.approx(1.5 / 4)
    assert s["doc_hits_at_10"] == 0.5
    assert s["answer_accuracy"] == 0.25  # only a; b abstained, c said nothing, e errored
    assert s["answer_accuracy_entity"] == pytest.approx(1 / 3)
    assert s["answer_accuracy_yes_no"] == 0.0
    assert s["null_abstention_rate"] == 0.5
    assert s["false_abstention_rate"] == 0.25  # b only: an errored row never counts as abstained
    assert s["n_errors"] == 1.0


def test_summary_of_nulls_only_leaves_retrieval_undefined() -> None:
    s = summarize_multihop([row(question_type="null_query", facts=[], gold_doc_ids=[])])
    assert math.isnan(s["hits_at_10"])
    assert math.isnan(s["answer_accuracy"])
    assert s["null_abstention_rate"] == 0.0
