"""Marker parsing, verbatim quotes at article offsets, unknown ids dropped, streaming markers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from qa_service.core.citations import (
    build_citation,
    parse_markers,
    quote_matches,
    select_quote,
    verify_citations,
)
from qa_service.core.marker_stream import MarkerStream
from qa_service.core.models import Passage
from tests.unit.fakes import make_article, make_passage

HEADER = "Russia criticises Ukraine’s push for ceasefire\nBy a staff writer\n\n"
BODY = (
    "The Russian Foreign Ministry has expressed concern over Ukraine’s proposal. "
    "According to Miroshnik, Ukraine's proposed 30-day ceasefire could be used to regroup forces. "
    "Ukrainian officials say they are ready to back the 30-day truce."
)
ARTICLE = make_article(HEADER + BODY, doc_id="doc-003", title="Russia criticises Ukraine")
OTHER = make_article(
    "Kremlin spokesman Dmitry Peskov said Moscow wants peace, not a ceasefire. It is a delay.",
    doc_id="doc-001",
)


def numbered() -> dict[int, Passage]:
    return {1: make_passage(ARTICLE, start=len(HEADER)), 2: make_passage(OTHER)}


def test_valid_marker_quotes_verbatim_sentence_at_article_offsets() -> None:
    answer = "Miroshnik said the proposed 30-day ceasefire could let Ukraine regroup forces [1]."
    result = verify_citations(answer, numbered())
    assert result.answer == answer
    assert result.dropped == 0
    [citation] = result.citations
    assert citation.id == 1
    assert citation.quote.startswith("According to Miroshnik")
    assert citation.start > len(HEADER)  # chunk starts mid-article: offsets are article offsets
    assert ARTICLE.text[citation.start : citation.end] == citation.quote
    assert quote_matches(citation, ARTICLE.text)
    assert (citation.chunk_id, citation.document_id) == ("doc-003-0", "doc-003")
    assert (citation.title, citation.url) == (ARTICLE.title, ARTICLE.url)
    assert citation.published_at == ARTICLE.published_at


def test_unknown_marker_is_dropped_counted_and_removed_cleanly() -> None:
    answer = "Kyiv backs the 30-day truce [1] [99]. Peskov wants peace [99], not a pause [2]."
    result = verify_citations(answer, numbered())
    assert result.answer == "Kyiv backs the 30-day truce [1]. Peskov wants peace, not a pause [2]."
    assert result.dropped == 2
    assert [c.id for c in result.citations] == [1, 2]
    assert "99" not in result.answer and "  " not in result.answer


def test_only_invalid_markers_give_no_citations() -> None:
    result = verify_citations("[7] Moscow said something [99]. More [0].", numbered())
    assert result.citations == []
    assert result.dropped == 3
    assert result.answer == "Moscow said something. More."


def test_comma_form_and_partial_groups_are_renumbered_in_order_of_appearance() -> None:
    answer = "Peskov and Miroshnik commented on the ceasefire [2, 1]. Peskov spoke [2, 99]."
    result = verify_citations(answer, numbered())
    assert [c.id for c in result.citations] == [1, 2]
    assert [c.document_id for c in result.citations] == ["doc-001", "doc-003"]
    # the same quote of passage 2 backs both sentences: one citation id
    assert result.answer == (
        "Peskov and Miroshnik commented on the ceasefire [1, 2]. Peskov spoke [1]."
    )
    assert result.dropped == 1


def test_markers_are_renumbered_one_to_n_in_order_of_first_appearance() -> None:
    answer = "Peskov wants peace, not a ceasefire [2]. Miroshnik fears Ukraine would regroup [1]."
    result = verify_citations(answer, numbered())
    assert result.answer == (
        "Peskov wants peace, not a ceasefire [1]. Miroshnik fears Ukraine would regroup [2]."
    )
    assert [c.id for c in result.citations] == [1, 2]
    assert result.citations[0].document_id == "doc-001"
    assert result.citations[1].quote.startswith("According to Miroshnik")


def test_each_citing_sentence_gets_its_own_verbatim_quote() -> None:
    answer = (
        "The Foreign Ministry expressed concern over the proposal [1]. "
        "Kyiv is ready to back the 30-day truce [1]."
    )
    result = verify_citations(answer, numbered())
    assert [c.id for c in result.citations] == [1, 2]
    first, second = result.citations
    assert first.quote.startswith("The Russian Foreign Ministry has expressed concern")
    assert second.quote.startswith("Ukrainian officials say")
    for citation in result.citations:
        assert ARTICLE.text[citation.start : citation.end] == citation.quote
    assert result.answer.endswith("30-day truce [2].")


def test_claim_the_cited_passage_does_not_support_is_dropped() -> None:
    answer = "Peskov wants peace [2]. The Pope visited Lagos on Sunday [1]."
    result = verify_citations(answer, numbered())
    assert result.answer == "Peskov wants peace [1]."
    assert result.dropped == 1
    assert [c.document_id for c in result.citations] == ["doc-001"]


def test_a_sentence_quoted_verbatim_is_cited_exactly() -> None:
    sentence = "Ukrainian officials say they are ready to back the 30-day truce."
    result = verify_citations(f'Kyiv (Example, 1 Dec 2025): "{sentence}" [1]', numbered())
    assert result.citations[0].quote == sentence


def test_citation_names_the_speaker_written_in_the_article() -> None:
    result = verify_citations("Peskov said Moscow wants peace [2].", numbered())
    assert result.citations[0].speaker == "Kremlin spokesman Dmitry Peskov"
    result = verify_citations("Kyiv is ready to back the 30-day truce [1].", numbered())
    assert result.citations[0].speaker is None


def test_adjacent_and_range_markers() -> None:
    markers = parse_markers("Alpha [1][2]. Beta [3-5]. Gamma [1–2].")
    assert [m.n for m in markers] == [1, 2, 3, 4, 5, 1, 2]
    assert markers[0].end == markers[1].start  # [1][2] are two groups, back to back
    assert markers[2].start == markers[3].start  # one range group


def test_absurd_range_keeps_only_endpoints() -> None:
    assert [m.n for m in parse_markers("x [1-100000]")] == [1, 100000]


def test_marker_after_period_belongs_to_previous_sentence() -> None:
    answer = "Peskov wants peace. [2] Miroshnik fears regrouping.[1] Kyiv backs a truce [1]."
    markers = parse_markers(answer)
    carriers = [answer[m.sentence_start : m.sentence_end] for m in markers]
    assert carriers == [
        "Peskov wants peace.",
        "Miroshnik fears regrouping.",
        "Kyiv backs a truce [1].",
    ]


def test_quote_prefers_best_sentence_ties_go_earlier_and_pairs_must_add() -> None:
    text = "Alpha talks began. Beta talks began. Gamma ceasefire ended. Delta vote held."
    span = select_quote(text, "the talks began")
    assert span is not None and text[span[0] : span[1]] == "Alpha talks began."
    span = select_quote(text, "the ceasefire ended and the vote was held")
    assert span is not None and text[span[0] : span[1]] == "Gamma ceasefire ended. Delta vote held."
    assert select_quote("   ", "anything") is None


def test_chunk_with_inconsistent_offsets_is_not_cited() -> None:
    good = make_passage(ARTICLE, start=len(HEADER))
    broken = replace(good.chunk, end=5)
    result = verify_citations("Miroshnik spoke [1].", {1: Passage(broken, 1.0)})
    assert result.citations == [] and result.dropped == 1
    assert result.answer == "Miroshnik spoke."


@pytest.mark.parametrize(
    "deltas",
    [["Kyiv backs a truce [", "1", "2] and [1", "]."], ["Kyiv backs a truce [12] and [1]."]],
)
def test_marker_stream_handles_split_markers(deltas: list[str]) -> None:
    stream = MarkerStream()
    completed = [stream.feed(d) for d in deltas]
    assert [n for batch in completed for n in batch] == [12, 1]
    if len(deltas) > 1:
        assert completed == [[], [], [12], [1]]
    assert stream.seen == [12, 1]
    assert stream.text == "".join(deltas)


def test_marker_stream_reports_each_number_of_a_group() -> None:
    stream = MarkerStream()
    assert stream.feed("Alpha [1,") == []
    assert stream.feed(" 2] beta [3-4]") == [1, 2, 3, 4]


def test_marker_stream_safe_text_strips_unknown_markers() -> None:
    stream = MarkerStream(valid={1, 2})
    out = []
    for delta in ["Peskov wants peace ", "[9", "9]. Kyiv backs", " a truce [1", "]", " [2, 7]."]:
        stream.feed(delta)
        out.append(stream.pop_text())
        assert "[9" not in out[-1]
    out.append(stream.pop_text(final=True))
    assert "".join(out) == "Peskov wants peace. Kyiv backs a truce [1] [2]."


def test_build_citation_while_streaming() -> None:
    passages = numbered()
    citation = build_citation(1, "Ukrainian officials back the 30-day truce [1]", passages)
    assert citation is not None and citation.quote.startswith("Ukrainian officials say")
    assert ARTICLE.text[citation.start : citation.end] == citation.quote
    assert build_citation(99, "Something [99]", passages) is None


def test_a_claim_backed_by_one_marker_and_not_another_keeps_its_citation() -> None:
    """Regression (found by the property test): "claim [1][2]" with [2] unsupported dropped the
    whole sentence in ``finish``, leaving citation 1 with no marker in the answer."""
    from qa_service.core.citations import parse_markers

    supported = make_passage(
        make_article("The council approved the new ferry schedule on Tuesday.", doc_id="a")
    )
    unrelated = make_passage(
        make_article("Rain is expected over the northern hills this weekend.", doc_id="b")
    )
    result = verify_citations(
        "The council approved the new ferry schedule on Tuesday [1][2].",
        {1: supported, 2: unrelated},
    )
    assert [c.id for c in result.citations] == [1]
    assert [m.n for m in parse_markers(result.answer)] == [1]
    assert result.dropped == 1
