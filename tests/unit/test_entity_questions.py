"""Questions asking for a name, and sentences that give one (core/entity_questions.py)."""

from __future__ import annotations

from qa_service.core.entity_questions import asks_for_name, name_answers_possible, names_beyond


def test_which_who_whose_where_ask_for_a_name_and_what_did_x_say_does_not() -> None:
    for question in (
        "Which state was hit by attacks on power substations this week?",
        "Who led the senators who rejected the budget?",
        "Whose letter was made public?",
        "Where is the world's largest outdoor ice rink?",
    ):
        assert asks_for_name(question), question
    for question in (
        "What did Lavrov say about the multipolar world order?",
        "Why did a Kremlin envoy criticise the UK and EU over Greenland?",
        "Has the election commission approved digital voting?",
        "Witches and whomever else",  # words that merely start like one
    ):
        assert not asks_for_name(question), question


def test_names_beyond_are_the_sentence_names_the_question_does_not_use() -> None:
    question = "Which state was hit by gun attacks on power substations in the US?"
    sentence = "Two substations in Moore County, North Carolina, were damaged, US officials said."
    assert names_beyond(sentence, question) == ["Moore", "County", "North", "Carolina"]
    # the sentence-initial word is capitalised anyway: not counted as a name
    assert names_beyond("Substations were damaged by gunfire.", question) == []


def test_a_name_question_about_someone_the_passages_never_mention_stays_closed() -> None:
    texts = ["Two substations in Moore County, North Carolina, were damaged by gunfire."]
    assert name_answers_possible("Which county did the attacks hit?", texts)
    assert not name_answers_possible("Which county did Duke Energy say was hit?", texts)
    assert not name_answers_possible("How many people lost power?", texts)
