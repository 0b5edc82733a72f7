"""RealTimeQA metrics on made-up rows (the data set itself has no licence: never copied here)."""

from __future__ import annotations

import math

from eval.naive import rrf
from eval.realtimeqa_metrics import (
    QuizRow,
    contains_answer,
    hits_at,
    normalise_answer,
    reciprocal_rank,
    summarize_quiz,
)


def row(**kw: object) -> QuizRow:
    base: dict[str, object] = dict(
        id="q", question="Which city?", gold_answer="São Paulo", gold_doc_ids=["g"],
        date="2024-01-05", answerable=True,
    )  # fmt: skip
    base.update(kw)
    return QuizRow(**base)  # type: ignore[arg-type]


def test_answer_match_ignores_case_quotes_and_punctuation_but_not_word_boundaries() -> None:
    assert normalise_answer("“Dr. No’s” island!") == "dr no s island"
    assert contains_answer("It was held in SAO paulo.", "São Paulo") is False  # accents kept
    assert contains_answer("It was held in são-paulo.", "São Paulo")
    assert contains_answer("Temperatures hit 38.7C on Tuesday", "38.7C")
    assert not contains_answer("There were 118 people", "18")


def test_hits_and_reciprocal_rank_use_the_first_gold_passage() -> None:
    ranked = ["a", "b", "c", "g", "e"]
    assert hits_at(ranked, {"g"}, 4) == 1.0
    assert hits_at(ranked, {"g"}, 3) == 0.0
    assert reciprocal_rank(ranked, {"g", "b"}) == 0.5
    assert reciprocal_rank(ranked, {"z"}) == 0.0


def test_summary_scores_answers_only_on_answerable_asked_questions() -> None:
    rows = [
        row(result_doc_ids=["g"], asked=True, answer="In São Paulo [1]", cited_doc_ids=["g"]),
        row(result_doc_ids=["x", "g"], asked=True, abstained=True),
        row(result_doc_ids=["x"], asked=True, answer="Lima [1]", cited_doc_ids=["x"]),
        row(result_doc_ids=["x"] * 10, answerable=False),
        row(error="HTTP 500"),
    ]
    s = summarize_quiz(rows)
    assert s["hits_at_4"] == 2 / 5
    assert s["n_answerable_asked"] == 3
    assert math.isclose(s["answer_contains_and_cites"], 1 / 3)
    assert math.isclose(s["false_abstention_rate"], 1 / 3)
    assert s["n_errors"] == 1


def test_rrf_prefers_documents_ranked_well_by_both_lists() -> None:
    assert rrf([["a", "b", "c"], ["b", "c", "a"]], 2) == ["b", "a"]
