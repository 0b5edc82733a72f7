"""Sentence spans: abbreviations, decimals, quotes and newlines common in news copy."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa_service.core.sentences import sentence_texts, split_sentences

SEED_003 = Path(__file__).resolve().parents[2] / "data" / "articles" / "003_91a5866ccc87542e.txt"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "U.S. President Donald Trump spoke. Talks resume.",
            ["U.S. President Donald Trump spoke.", "Talks resume."],
        ),
        (
            "Dr. Smith met Mr. Jones on Jan. 5 in Geneva. They agreed.",
            ["Dr. Smith met Mr. Jones on Jan. 5 in Geneva.", "They agreed."],
        ),
        ("Growth was 2.5 percent. It slowed.", ["Growth was 2.5 percent.", "It slowed."]),
        (
            "Miroshnik spoke, Caliber.Az reports via TASS. He said more.",
            ["Miroshnik spoke, Caliber.Az reports via TASS.", "He said more."],
        ),
        ("J. R. Smith scored. The crowd cheered.", ["J. R. Smith scored.", "The crowd cheered."]),
        (
            "Talks were held in the U.S. The next round is in Moscow.",
            ["Talks were held in the U.S.", "The next round is in Moscow."],
        ),
        (
            "Item No. 5 passed. He said no. Then he left.",
            ["Item No. 5 passed.", "He said no.", "Then he left."],
        ),
    ],
)
def test_abbreviations_decimals_and_domains(text: str, expected: list[str]) -> None:
    assert sentence_texts(text) == expected


def test_quotes_close_the_sentence_they_belong_to() -> None:
    text = "“Stop!” he said. He called it “a breather.” Then he left. “We want peace.” Done here."
    assert sentence_texts(text) == [
        "“Stop!” he said.",
        "He called it “a breather.”",
        "Then he left.",
        "“We want peace.”",
        "Done here.",
    ]


def test_straight_quotes() -> None:
    text = 'The deal was "done." Officials disagreed. "Is it?" he asked.'
    assert sentence_texts(text) == [
        'The deal was "done."',
        "Officials disagreed.",
        '"Is it?" he asked.',
    ]


def test_newlines_are_hard_boundaries_and_whitespace_is_excluded() -> None:
    text = (
        "  Kremlin rejects ceasefire\n\nU.S.-led diplomatic track\r\n   Peskov spoke.  He left.  \n"
    )
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == [
        "Kremlin rejects ceasefire",
        "U.S.-led diplomatic track",
        "Peskov spoke.",
        "He left.",
    ]
    assert spans[0] == (2, 27)


def test_empty_and_blank() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n\t ") == []


def test_seed_article_003() -> None:
    text = SEED_003.read_text(encoding="utf-8")
    sentences = sentence_texts(text)
    assert (
        "According to Miroshnik, Ukraine's proposed 30-day ceasefire could be used as an "
        "opportunity to strengthen its military positions, build new fortifications, resupply "
        "weapons, and regroup forces — actions he believes would lead to renewed escalation."
    ) in sentences
    assert "Ukrainian officials say they are ready to back the 30-day truce." in sentences
    assert any(s.endswith("Caliber.Az reports via TASS.") for s in sentences)
    assert not any(s.startswith("Az ") for s in sentences)


@given(st.text(alphabet=st.sampled_from(list("ab .!?\n\"”“'U S2")), max_size=80))
def test_spans_are_ordered_stripped_and_cover_all_text(text: str) -> None:
    spans = split_sentences(text)
    covered: set[int] = set()
    last_end = 0
    for start, end in spans:
        assert last_end <= start < end
        piece = text[start:end]
        assert piece == piece.strip() and "\n" not in piece
        covered.update(range(start, end))
        last_end = end
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())
