"""AnswerService: retrieve -> pack context -> generate (LLM or extractive) -> verify citations.

Everything is produced as a stream of events; the non-streaming endpoint just collects them, so
both paths share one implementation.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from qa_service.core.citations import CitationLedger, VerifiedAnswer, verify_citations
from qa_service.core.context import (
    PromptTemplates,
    build_messages,
    format_history,
    neutralise,
    pack_passages,
)
from qa_service.core.errors import UpstreamBadResponse, UpstreamUnavailable
from qa_service.core.extractive import ABSTAIN_TEXT, ExtractiveAnswerer
from qa_service.core.followups import MAX_QUERY, is_standalone, lexical_rewrite
from qa_service.core.marker_stream import MarkerStream
from qa_service.core.models import Answer, Citation, Passage, SearchFilters, Usage
from qa_service.core.ports import LLM, Retriever, TokenCounter
from qa_service.core.query_text import plain_query

INSUFFICIENT = "INSUFFICIENT_CONTEXT"
EXTRACTIVE_MODEL = "extractive"


@dataclass(frozen=True, slots=True)
class RetrievalEvent:
    passages: list[Passage]


@dataclass(frozen=True, slots=True)
class DeltaEvent:
    text: str


@dataclass(frozen=True, slots=True)
class CitationEvent:
    citation: Citation


@dataclass(frozen=True, slots=True)
class DoneEvent:
    answer: Answer


AskEvent = RetrievalEvent | DeltaEvent | CitationEvent | DoneEvent


@dataclass
class _Draft:
    """Mutable state of one answer while it streams."""

    started: float
    retrieved: list[str] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    model: str = EXTRACTIVE_MODEL
    degraded: bool = False


class AnswerService:
    def __init__(
        self,
        retriever: Retriever,
        extractive: ExtractiveAnswerer,
        counter: TokenCounter,
        templates: PromptTemplates,
        llm: LLM | None = None,
        context_tokens: int = 3000,
        fallback_extractive: bool = False,
    ) -> None:
        self._retriever = retriever
        self._extractive = extractive
        self._counter = counter
        self._templates = templates
        self._llm = llm
        self._context_tokens = context_tokens
        self._fallback = fallback_extractive

    async def ask(
        self,
        question: str,
        top_k: int,
        filters: SearchFilters,
        history: Sequence[tuple[str, str]] = (),
        reference_date: date | None = None,
    ) -> Answer:
        async for event in self.ask_events(question, top_k, filters, history, reference_date):
            if isinstance(event, DoneEvent):
                return event.answer
        raise UpstreamBadResponse("answer stream ended without a result")  # pragma: no cover

    async def ask_events(
        self,
        question: str,
        top_k: int,
        filters: SearchFilters,
        history: Sequence[tuple[str, str]] = (),
        reference_date: date | None = None,
    ) -> AsyncGenerator[AskEvent, None]:
        """``reference_date`` is the day the question is asked "as of" (default: the request's
        ``as_of``, else today); the model is told it, so "latest" and "this week" mean something."""
        draft = _Draft(started=time.perf_counter())
        question = plain_query(question)
        query = await self.standalone_query(question, history)
        passages = await asyncio.to_thread(self._retriever.search, query, top_k, filters)
        draft.retrieved = [p.chunk.chunk_id for p in passages]
        yield RetrievalEvent(passages)
        numbered = pack_passages(
            passages, self._counter, self._context_tokens, self._templates.passage
        )
        if not numbered:
            yield DoneEvent(self._abstain(draft))
            return
        if self._llm is not None:
            today = reference_date or filters.as_of or date.today()
            try:
                async for event in self._generate(self._llm, question, numbered, draft, today):
                    yield event
                return
            except UpstreamUnavailable:
                if not self._fallback:
                    raise
                draft.degraded = True
        async for event in self._extract(query, numbered, draft):
            yield event

    async def standalone_query(self, question: str, history: Sequence[tuple[str, str]]) -> str:
        """The search query for ``question``: itself when it stands alone, else rewritten.

        "And what did he say next?" is condensed with the conversation (LLM prompt, or the
        offline :func:`lexical_rewrite` when there is no LLM or it fails); "What did Trump say
        about Gaza?" is searched as asked, whatever was discussed before.
        """
        if not history or is_standalone(question):
            return question
        if self._llm is not None:
            prompt = self._templates.condense.format(
                history=format_history(history[-6:]), question=neutralise(question)
            )
            try:
                parts = [
                    piece
                    async for piece in self._llm.stream([{"role": "user", "content": prompt}])
                    if isinstance(piece, str)
                ]
                rewritten = "".join(parts).strip()
                if rewritten:
                    return rewritten[:MAX_QUERY]
            except (UpstreamUnavailable, UpstreamBadResponse):
                pass  # fall through to the lexical rewrite: retrieval still works
        return lexical_rewrite(question, history)

    async def _generate(
        self,
        llm: LLM,
        question: str,
        numbered: dict[int, Passage],
        draft: _Draft,
        reference_date: date,
    ) -> AsyncIterator[AskEvent]:
        """Stream the model's reply with markers renumbered 1..n as they complete.

        One :class:`CitationLedger` numbers the deltas, the ``citation`` events and the final
        answer, so all three agree; the final answer also drops claims no passage supports.
        """
        draft.model = llm.model_name
        messages = build_messages(self._templates, question, numbered, reference_date)
        markers = MarkerStream()
        ledger = CitationLedger(numbered)
        shown = ""
        offset = 0
        async for piece in llm.stream(messages):
            if isinstance(piece, Usage):
                draft.usage = piece
                continue
            markers.feed(piece)
            raw = markers.text.lstrip()
            if len(raw) < len(INSUFFICIENT) and INSUFFICIENT.startswith(raw):
                continue
            if raw.startswith(INSUFFICIENT):
                continue
            for event in self._flush(markers, ledger, offset, shown, final=False):
                if isinstance(event, DeltaEvent):
                    shown += event.text
                yield event
            offset = markers.emitted
        final = markers.text.strip()
        if not final:
            raise UpstreamBadResponse("language model returned an empty completion")
        if final.startswith(INSUFFICIENT):
            yield DoneEvent(self._abstain(draft))
            return
        for event in self._flush(markers, ledger, offset, shown, final=True):
            if isinstance(event, DeltaEvent):
                shown += event.text
            yield event
        verified = VerifiedAnswer(ledger.finish(shown.strip()), ledger.citations, ledger.dropped)
        yield DoneEvent(self._answer(verified, draft))

    @staticmethod
    def _flush(
        markers: MarkerStream, ledger: CitationLedger, offset: int, shown: str, final: bool
    ) -> list[AskEvent]:
        """The text safe to send now, with display ids, then the citations it introduced."""
        known = len(ledger.citations)
        raw_piece = markers.pop_text(final=final)
        if not raw_piece:
            return []
        text = ledger.render(raw_piece, offset, markers.text, shown[-1:])
        events: list[AskEvent] = [DeltaEvent(text)] if text else []
        events.extend(CitationEvent(c) for c in ledger.citations[known:])
        return events

    async def _extract(
        self, question: str, numbered: dict[int, Passage], draft: _Draft
    ) -> AsyncIterator[AskEvent]:
        draft.model = EXTRACTIVE_MODEL
        result = await asyncio.to_thread(self._extractive.compose, question, numbered)
        if result.abstained:
            yield DoneEvent(self._abstain(draft))
            return
        answer = self._finish(result.text, numbered, draft)
        if answer.abstained:
            yield DoneEvent(answer)
            return
        yield DeltaEvent(answer.answer)
        for citation in answer.citations:
            yield CitationEvent(citation)
        yield DoneEvent(answer)

    def _finish(self, text: str, numbered: dict[int, Passage], draft: _Draft) -> Answer:
        return self._answer(verify_citations(text, numbered), draft)

    def _answer(self, verified: VerifiedAnswer, draft: _Draft) -> Answer:
        if not verified.citations:
            answer = self._abstain(draft)
            answer.dropped_citations = verified.dropped
            return answer
        return Answer(
            answer=verified.answer,
            abstained=False,
            citations=verified.citations,
            model=draft.model,
            usage=draft.usage,
            retrieved=draft.retrieved,
            degraded=draft.degraded,
            dropped_citations=verified.dropped,
            latency_ms=_elapsed_ms(draft),
        )

    def _abstain(self, draft: _Draft) -> Answer:
        return Answer(
            answer=ABSTAIN_TEXT,
            abstained=True,
            model=draft.model,
            usage=draft.usage,
            retrieved=draft.retrieved,
            degraded=draft.degraded,
            latency_ms=_elapsed_ms(draft),
        )


def _elapsed_ms(draft: _Draft) -> float:
    return round((time.perf_counter() - draft.started) * 1000, 1)
