"""AnswerService with a scripted fake LLM and a fake retriever: no model, no network, no store."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Sequence
from datetime import date

from qa_service.core.answering import (
    AnswerService,
    CitationEvent,
    DeltaEvent,
    DoneEvent,
)
from qa_service.core.context import PromptTemplates
from qa_service.core.errors import UpstreamUnavailable
from qa_service.core.extractive import ExtractiveAnswerer
from qa_service.core.followups import is_standalone, lexical_rewrite
from qa_service.core.models import Article, Passage, SearchFilters, Usage
from qa_service.prompts import load_prompt
from tests.unit.fakes import FakeEmbedder, make_passage

KREMLIN = Article(
    doc_id="realist",
    text=(
        "Kremlin spokesman Dmitry Peskov spoke to reporters on Friday. "
        "He stressed that Russia's position is a comprehensive settlement, not a short truce. "
        "Talks with Washington continue."
    ),
    title="Kremlin rejects ceasefire",
    source="Realist",
    published_at="2025-12-13T09:44:00",
)
CALIBER = Article(
    doc_id="caliber",
    text=(
        "Russian Foreign Ministry official Rodion Miroshnik spoke in Moscow. "
        "According to Miroshnik, the proposed 30-day ceasefire could be used to regroup forces. "
        "Ukrainian officials say they are ready to back the 30-day truce."
    ),
    title="Russia criticises ceasefire push",
    source="Caliber.Az",
    published_at=None,
)
GAZA = Article(
    doc_id="gaza",
    text="Aid convoys reached Gaza on Monday after a week of negotiations in Cairo.",
    title="Aid reaches Gaza",
    source="Example",
    published_at="2025-12-01",
)


class FakeRetriever:
    """Returns the passages whose article shares a word with the query; records queries."""

    def __init__(self, articles: Sequence[Article]) -> None:
        self.passages = [make_passage(a, index=i) for i, a in enumerate(articles)]
        self.queries: list[str] = []

    def search(self, query: str, top_k: int, filters: SearchFilters) -> list[Passage]:
        self.queries.append(query)
        words = {w.strip("?,.'").lower() for w in query.split() if len(w) > 3}
        hits = [p for p in self.passages if words & set(p.chunk.text.lower().split())]
        return hits[:top_k]


class ScriptedLLM:
    """Streams the scripted replies in order; records every message list it was sent."""

    model_name = "fake-model"

    def __init__(self, *replies: Sequence[str] | Exception) -> None:
        self.replies = list(replies)
        self.sent: list[list[dict[str, str]]] = []

    async def stream(self, messages: list[dict[str, str]]) -> AsyncIterator[str | Usage]:
        self.sent.append(messages)
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        for piece in reply:
            yield piece
        yield Usage(11, 7)


class CharCounter:
    def count(self, text: str) -> int:
        return len(text) // 4


def templates() -> PromptTemplates:
    return PromptTemplates(
        system=load_prompt("system", "v2"),
        answer=load_prompt("answer", "v2"),
        passage=load_prompt("passage", "v2"),
        condense=load_prompt("condense", "v2"),
    )


def service(llm: ScriptedLLM | None, retriever: FakeRetriever | None = None) -> AnswerService:
    return AnswerService(
        retriever=retriever or FakeRetriever([KREMLIN, CALIBER, GAZA]),
        extractive=ExtractiveAnswerer(FakeEmbedder(), min_relevance=0.0, subject_weight=0.5),
        counter=CharCounter(),
        templates=templates(),
        llm=llm,
    )


async def collect(svc: AnswerService, question: str, **kwargs: object) -> list[object]:
    return [e async for e in svc.ask_events(question, 5, SearchFilters(), **kwargs)]  # type: ignore[arg-type]


def test_llm_answer_is_renumbered_verified_and_streamed_consistently() -> None:
    llm = ScriptedLLM(
        [
            "Miroshnik warned the 30-day ceasefire could be used to regroup forces [",
            "2]. Peskov stressed Russia wants a comprehensive settlement [1]. ",
            "The Pope visited Lagos on Sunday [1].",
        ]
    )
    events = asyncio.run(collect(service(llm), "What is Moscow's position on a 30-day truce?"))
    done = events[-1]
    assert isinstance(done, DoneEvent)
    answer = done.answer
    assert answer.answer == (
        "Miroshnik warned the 30-day ceasefire could be used to regroup forces [1]. "
        "Peskov stressed Russia wants a comprehensive settlement [2]."
    )  # renumbered by first appearance; the unsupported claim is dropped and counted
    assert answer.dropped_citations == 1
    first, second = answer.citations
    assert (first.id, first.document_id) == (1, "caliber")
    assert first.quote.startswith("According to Miroshnik")
    assert first.speaker == "Russian Foreign Ministry official Rodion Miroshnik"
    assert "He stressed" in second.quote and second.speaker == ("Kremlin spokesman Dmitry Peskov")
    for citation, article in ((first, CALIBER), (second, KREMLIN)):
        assert article.text[citation.start : citation.end] == citation.quote
    streamed = [e.citation for e in events if isinstance(e, CitationEvent)]
    assert streamed == answer.citations
    deltas = "".join(e.text for e in events if isinstance(e, DeltaEvent))
    assert "[2]. Peskov" not in deltas and "regroup forces [1]." in deltas
    assert (answer.model, answer.usage) == ("fake-model", Usage(11, 7))


def test_prompt_carries_outlet_date_and_reference_date() -> None:
    llm = ScriptedLLM(["Peskov wants a comprehensive settlement [1]."])
    asyncio.run(collect(service(llm), "What did Peskov say?", reference_date=date(2025, 12, 11)))
    system, user = llm.sent[0]
    assert "chronological order" in system["content"]
    assert "2025-12-11" in user["content"]
    assert 'source="Realist" published="2025-12-13T09:44:00"' in user["content"]
    assert 'source="Caliber.Az" published="unknown"' in user["content"]


def test_insufficient_context_abstains() -> None:
    llm = ScriptedLLM(["INSUFFICIENT_", "CONTEXT"])
    done = asyncio.run(collect(service(llm), "What did Peskov say about Mars?"))[-1]
    assert isinstance(done, DoneEvent) and done.answer.abstained
    assert done.answer.citations == []


def test_extractive_answer_without_llm_is_attributed_and_numbered_in_order() -> None:
    done = asyncio.run(collect(service(None), "What is Moscow's position on a 30-day truce?"))[-1]
    assert isinstance(done, DoneEvent)
    answer = done.answer
    assert [c.id for c in answer.citations] == list(range(1, len(answer.citations) + 1))
    markers = [int(m) for m in re.findall(r"\[(\d+)\]", answer.answer)]
    assert markers == sorted(markers)
    assert all(c.quote in answer.answer for c in answer.citations)


HISTORY = [
    ("user", "What is Moscow's position on a 30-day truce?"),
    ("assistant", "Peskov said Russia wants a settlement [1]."),
]


def test_standalone_follow_up_is_searched_on_its_own() -> None:
    llm = ScriptedLLM(["Aid convoys reached Gaza [1]."])
    retriever = FakeRetriever([KREMLIN, CALIBER, GAZA])
    svc = service(llm, retriever)
    asyncio.run(collect(svc, "When did aid convoys reach Gaza?", history=HISTORY))
    assert retriever.queries == ["When did aid convoys reach Gaza?"]
    assert len(llm.sent) == 1  # no condense call for a question that stands alone


def test_referring_follow_up_is_condensed_by_the_llm() -> None:
    llm = ScriptedLLM(["What did Miroshnik say about the 30-day truce?"])
    query = asyncio.run(service(llm).standalone_query("And what did he say about it?", HISTORY))
    assert query == "What did Miroshnik say about the 30-day truce?"
    assert "And what did he say about it?" in llm.sent[0][0]["content"]


def test_condense_failure_falls_back_to_the_lexical_rewrite() -> None:
    llm = ScriptedLLM(UpstreamUnavailable("down"))
    question = "And what did Miroshnik say about it?"
    query = asyncio.run(service(llm).standalone_query(question, HISTORY))
    assert query == lexical_rewrite(question, HISTORY)
    assert query.startswith(question) and "truce" in query
    assert "Moscow" not in query  # the follow-up names its own subject


def test_offline_follow_up_leads_with_the_subject_it_asks_about() -> None:
    retriever = FakeRetriever([KREMLIN, CALIBER, GAZA])
    events = asyncio.run(
        collect(service(None, retriever), "And what did Miroshnik say about it?", history=HISTORY)
    )
    done = events[-1]
    assert isinstance(done, DoneEvent)
    assert done.answer.citations[0].speaker == (
        "Russian Foreign Ministry official Rodion Miroshnik"
    )
    assert "Miroshnik" in retriever.queries[0] and "truce" in retriever.queries[0]


def test_is_standalone() -> None:
    assert is_standalone("What did Trump say about Gaza this week?")
    assert is_standalone("What is Moscow's position on a 30-day truce?")
    assert not is_standalone("And what did Miroshnik say about it?")
    assert not is_standalone("What did he say next?")
    assert not is_standalone("What about that deal?")
    assert lexical_rewrite("What did he say?", []) == "What did he say?"


def test_request_as_of_is_the_prompts_reference_date() -> None:
    """The API passes as_of inside SearchFilters; the model is told that day, not today."""
    llm = ScriptedLLM(["Peskov wants a comprehensive settlement [1]."])
    svc = service(llm)
    filters = SearchFilters(as_of=date(2025, 12, 11))
    asyncio.run(_drain(svc.ask_events("What did Peskov say?", 5, filters)))
    assert "2025-12-11" in llm.sent[0][1]["content"]
    assert date.today().isoformat() not in llm.sent[0][1]["content"]


async def _drain(events: AsyncIterator[object]) -> None:
    async for _ in events:
        pass
