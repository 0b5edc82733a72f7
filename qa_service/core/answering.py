"""AnswerService: retrieve -> pack context -> generate (LLM or extractive) -> verify citations.

Everything is produced as a stream of events; the non-streaming endpoint just collects them, so
both paths share one implementation.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from dataclasses import dataclass, field

from qa_service.core.citations import MarkerStream, build_citation, verify_citations
from qa_service.core.context import (
    PromptTemplates,
    build_messages,
    format_history,
    pack_passages,
)
from qa_service.core.errors import UpstreamBadResponse, UpstreamUnavailable
from qa_service.core.extractive import ABSTAIN_TEXT, ExtractiveAnswerer
from qa_service.core.models import Answer, Citation, Passage, SearchFilters, Usage
from qa_service.core.ports import LLM, Retriever, TokenCounter

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
    ) -> Answer:
        async for event in self.ask_events(question, top_k, filters, history):
            if isinstance(event, DoneEvent):
                return event.answer
        raise UpstreamBadResponse("answer stream ended without a result")  # pragma: no cover

    async def ask_events(
        self,
        question: str,
        top_k: int,
        filters: SearchFilters,
        history: Sequence[tuple[str, str]] = (),
    ) -> AsyncGenerator[AskEvent, None]:
        draft = _Draft(started=time.perf_counter())
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
            try:
                async for event in self._generate(self._llm, question, numbered, draft):
                    yield event
                return
            except UpstreamUnavailable:
                if not self._fallback:
                    raise
                draft.degraded = True
        async for event in self._extract(query, numbered, draft):
            yield event

    async def standalone_query(self, question: str, history: Sequence[tuple[str, str]]) -> str:
        """Turn a follow-up ("and what did he say next?") into a self-contained search query."""
        if not history:
            return question
        if self._llm is not None:
            prompt = self._templates.condense.format(
                history=format_history(history[-6:]), question=question
            )
            try:
                parts = [
                    piece
                    async for piece in self._llm.stream([{"role": "user", "content": prompt}])
                    if isinstance(piece, str)
                ]
                rewritten = "".join(parts).strip()
                if rewritten:
                    return rewritten[:2000]
            except (UpstreamUnavailable, UpstreamBadResponse):
                pass  # fall through to the lexical rewrite: retrieval still works
        last_user = next((text for role, text in reversed(history) if role == "user"), "")
        return f"{last_user} {question}".strip()[:2000]

    async def _generate(
        self, llm: LLM, question: str, numbered: dict[int, Passage], draft: _Draft
    ) -> AsyncIterator[AskEvent]:
        draft.model = llm.model_name
        messages = build_messages(self._templates, question, numbered)
        markers = MarkerStream(valid=numbered.keys())
        emitted: set[int] = set()
        held = ""  # until we know the reply is not INSUFFICIENT_CONTEXT
        async for piece in llm.stream(messages):
            if isinstance(piece, Usage):
                draft.usage = piece
                continue
            completed = markers.feed(piece)
            raw = markers.text.lstrip()
            if len(raw) < len(INSUFFICIENT) and INSUFFICIENT.startswith(raw):
                continue
            if raw.startswith(INSUFFICIENT):
                continue
            held = markers.pop_text()
            if held:
                yield DeltaEvent(held)
            for n in completed:
                if n in numbered and n not in emitted:
                    citation = build_citation(n, markers.text, numbered)
                    if citation is not None:
                        emitted.add(n)
                        yield CitationEvent(citation)
        final = markers.text.strip()
        if not final:
            raise UpstreamBadResponse("language model returned an empty completion")
        if final.startswith(INSUFFICIENT):
            yield DoneEvent(self._abstain(draft))
            return
        tail = markers.pop_text(final=True)
        if tail:
            yield DeltaEvent(tail)
        yield DoneEvent(self._finish(final, numbered, draft))

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
        verified = verify_citations(text, numbered)
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
