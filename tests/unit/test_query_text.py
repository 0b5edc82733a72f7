"""Questions pasted with their web page's markup are searched on their words."""

from __future__ import annotations

import pytest

from qa_service.core.errors import InvalidQuery
from qa_service.core.query_text import plain_query


def test_link_markup_leaves_its_text() -> None:
    pasted = (
        'Months after <a href="https://example.com/2023/04/07/politics/thomas/index.html">'
        "Justice Clarence Thomas</a>, who else?"
    )
    assert plain_query(pasted) == "Months after Justice Clarence Thomas, who else?"


def test_entities_are_decoded_and_spaces_collapsed() -> None:
    assert plain_query("Who won <b>Best&nbsp;Picture</b>  &amp; why?") == (
        "Who won Best Picture & why?"
    )


@pytest.mark.parametrize("text", ["Is inflation < 3% or > 2%?", "a <b", "x<3 and y>2", "plain"])
def test_comparisons_are_not_tags(text: str) -> None:
    assert plain_query(text) == text


def test_markup_only_question_is_invalid() -> None:
    with pytest.raises(InvalidQuery):
        plain_query("<p></p><br/>")
