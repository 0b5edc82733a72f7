"""The name gate: questions about people/places the passages never mention."""

from __future__ import annotations

from qa_service.core.names import (
    canonical,
    mentions,
    off_corpus,
    question_names,
    question_subjects,
    unmatched_names,
)

PASSAGE = (
    "Russian Foreign Ministry official Rodion Miroshnik said Ukrainian officials in Kyiv "
    "reject neutrality; German Chancellor Olaf Scholz spoke with Putin."
)


def test_function_words_and_possessives_are_not_names() -> None:
    assert question_names("What did Rodion Miroshnik say about Kyiv's plan?") == [
        "Rodion",
        "Miroshnik",
        "Kyiv",
    ]
    assert question_names("How does the Kremlin's stance differ?") == ["Kremlin"]


def test_names_present_in_passages_pass_with_inflection() -> None:
    assert unmatched_names("What do Ukrainians in Kyiv think, per Miroshnik?", [PASSAGE]) == []


def test_names_absent_from_passages_are_reported() -> None:
    assert unmatched_names("What did Lavrov say about Greenland?", [PASSAGE]) == [
        "Lavrov",
        "Greenland",
    ]
    assert unmatched_names("Who is the Pakistani spy chief?", [PASSAGE]) == ["Pakistani"]
    assert unmatched_names("What is the capital of Australia?", [PASSAGE]) == ["Australia"]


def test_a_first_name_before_a_surname_the_passages_give_is_that_person() -> None:
    """Surname ≈ full name: "Alex Murdaugh" is the "Murdaugh" a passage names; a first name
    alone, or one before a surname the passages lack, is still missing."""
    passage = ["A jury in South Carolina found Murdaugh guilty."]
    assert unmatched_names("Which state is Alex Murdaugh from?", passage) == []
    assert unmatched_names("Which state is Alex from?", passage) == ["Alex"]
    assert unmatched_names("Did Alex Jones meet Murdaugh?", passage) == ["Alex", "Jones"]
    # the names must be adjacent: "Alex, Murdaugh" are two people
    assert unmatched_names("Did Alex, Murdaugh and Ray meet?", passage) == ["Alex", "Ray"]
    assert unmatched_names("Did Alex's Murdaugh win?", passage) == ["Alex"]  # a possessive


def test_sentence_initial_words_months_and_days_are_not_names() -> None:
    """RealTimeQA questions open with "Nearly …", "Temperatures in …": those were 'names'."""
    assert question_names("Nearly two years on, what did Peskov say on Monday in May?") == [
        "Peskov"
    ]
    assert question_names("Temperatures in Britain soar. Approximately how hot?") == ["Britain"]


def test_aliases_match_names_and_subjects() -> None:
    assert unmatched_names("What is Moscow's position?", ["The Kremlin said no."]) == []
    assert unmatched_names("How hot did Britain get?", ["The UK recorded 40C."]) == []
    [russia] = question_subjects("What is Moscow's position on a truce?")
    assert mentions(russia, "Kremlin spokesman Dmitry Peskov") and not mentions(russia, "Kyiv")
    assert canonical("kremlin") == canonical("moscow") != canonical("kyiv")


def test_off_corpus_tolerates_one_missing_name_among_many() -> None:
    assert off_corpus("What did Lavrov say about a multipolar world?", [PASSAGE])
    assert not off_corpus("Did Miroshnik, Scholz and Putin discuss Kyiv with Lavrov?", [PASSAGE])
    assert off_corpus(
        "Did Miroshnik, Scholz and Putin discuss Kyiv with Lavrov?", [PASSAGE], 0.0
    )  # share 0: any missing name abstains (the old rule)
