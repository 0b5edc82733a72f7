"""Questions asking for a name, and sentences that give one (core/entity_questions.py)."""

from __future__ import annotations

from qa_service.core.entity_questions import (
    asked_places,
    asks_for_name,
    name_answers_possible,
    names_beyond,
    names_new_place,
)
from qa_service.core.places import COUNTRIES, US_STATES


def test_which_who_whose_where_ask_for_a_name_and_what_did_x_say_does_not() -> None:
    for question in (
        "Which state was hit by attacks on power substations this week?",
        "Who led the senators who rejected the budget?",
        "Whose letter was made public?",
        "Where is the world's largest outdoor ice rink?",
        "What is the name of the charity Prince Harry stood down from?",
        "What are the names of the turkeys pardoned this week?",
        "What's the name of the deadly blaze near the New York-New Jersey border?",
        "Meta introduced a new social media app. What is it called?",
    ):
        assert asks_for_name(question), question
    for question in (
        "What did Lavrov say about the multipolar world order?",
        "Why did a Kremlin envoy criticise the UK and EU over Greenland?",
        "Has the election commission approved digital voting?",
        "Witches and whomever else",  # words that merely start like one
        "What was the policy called in 2020 meant to do?",  # "called" must end the question
        "What is the name change expected to cost?",  # "name" but not "the name of"
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


def test_which_country_or_state_questions_pick_from_countries_or_us_states() -> None:
    assert asked_places("Which country has acted as a mediator?") == COUNTRIES
    assert asked_places("What European nation voted to legalise same-sex marriage?") == COUNTRIES
    assert asked_places("Which US state raises the most turkeys?") == US_STATES
    assert (
        "North Carolina" in US_STATES
        and "Qatar" in COUNTRIES
        and "Central African Republic" in COUNTRIES
    )
    for question in ("Which company was fined?", "Who won the state election?", "Where is Doha?"):
        assert asked_places(question) == frozenset(), question


def test_a_new_place_is_one_of_the_asked_kind_the_question_does_not_name() -> None:
    question = "Which country has acted as a mediator between Israel and Hamas?"
    # a sentence-initial country counts: names_beyond skips it as a capitalised first word
    assert names_new_place("Qatar played a key role.", question, COUNTRIES)
    assert not names_new_place("Israel thanked the mediators.", question, COUNTRIES)
    assert not names_new_place("The talks resumed in Doha.", question, COUNTRIES)
    # written as a name: "turkey" the bird is not Turkey, "us" is not the US
    assert not names_new_place("Let us roast a turkey.", question, COUNTRIES)
    assert names_new_place("Talks moved to Amman, Jordan.", question, COUNTRIES)
    assert not names_new_place("Qatar played a key role.", question, frozenset())
