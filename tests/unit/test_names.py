"""The name gate: questions about people/places the passages never mention."""

from __future__ import annotations

from qa_service.core.names import question_names, unmatched_names

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
