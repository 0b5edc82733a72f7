"""Ask every golden question over HTTP and turn the answers into scored ``QuestionResult`` rows.

Per question: ``POST /v1/ask`` (the answer, its citations and the ranked ``retrieved`` chunk ids)
and ``POST /v1/search`` with the same question and ``top_k`` (which chunk belongs to which
document). Then every cited or expected document is read once with ``GET /v1/documents/{id}`` so
citation offsets can be checked against the exact stored text.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from eval.http import EvalHTTPError, request_json
from eval.metrics import QuestionResult, score_question

GOLDEN_FIELDS = ("id", "question", "expected_doc_ids", "key_facts", "answerable", "category")
ProgressFn = Callable[[], None]


@dataclass(frozen=True, slots=True)
class GoldenQuestion:
    id: str
    question: str
    reference_answer: str
    expected_doc_ids: list[str]
    key_facts: list[str]
    answerable: bool
    category: str
    as_of: str | None = None  # the day the question is asked ("date"/"as_of"; None: today)

    def time_fields(self) -> dict[str, str]:
        """Sent with both /v1/ask and /v1/search, so both see the same moment."""
        return {"as_of": self.as_of} if self.as_of else {}


@dataclass
class Collected:
    """What one run fetched: rows (not yet scored), article texts, and per-question extras."""

    rows: list[QuestionResult]
    doc_texts: dict[str, str]
    extras: dict[str, dict[str, Any]] = field(default_factory=dict)


def load_golden(path: Path) -> list[GoldenQuestion]:
    """Parse a golden JSONL file; a malformed line is an error (a silent skip would shrink the
    denominator of every metric)."""
    questions: list[GoldenQuestion] = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        obj = json.loads(line)
        missing = [name for name in GOLDEN_FIELDS if name not in obj]
        if missing:
            raise ValueError(f"{path}:{line_no}: missing fields {missing}")
        questions.append(
            GoldenQuestion(
                id=str(obj["id"]),
                question=str(obj["question"]),
                reference_answer=str(obj.get("reference_answer", "")),
                expected_doc_ids=[str(d) for d in obj["expected_doc_ids"]],
                key_facts=[str(f) for f in obj["key_facts"]],
                answerable=bool(obj["answerable"]),
                category=str(obj["category"]),
                as_of=_as_of(obj),
            )
        )
    ids = [q.id for q in questions]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{path}: duplicate question ids")
    return questions


def _as_of(obj: dict[str, Any]) -> str | None:
    value = obj.get("as_of", obj.get("date"))
    return str(value) if value else None


def retrieved_documents(
    retrieved_chunks: Sequence[str],
    search_results: Sequence[Mapping[str, Any]],
    citations: Sequence[Mapping[str, Any]],
) -> tuple[list[str], int]:
    """Document id per retrieved chunk, in the answer's own retrieval order.

    The chunk -> document map comes from the search results and the citations. Returns the ids
    and how many chunks could not be mapped (then the search order is appended as a fallback, so
    a service whose ``/v1/search`` disagrees with ``/v1/ask`` still gets a ranking, and the
    mismatch is visible in the report).
    """
    owner = {str(r["chunk_id"]): str(r["document_id"]) for r in search_results}
    owner.update({str(c["chunk_id"]): str(c["document_id"]) for c in citations})
    mapped = [owner[c] for c in retrieved_chunks if c in owner]
    unmapped = len(retrieved_chunks) - len(mapped)
    if unmapped:
        mapped += [str(r["document_id"]) for r in search_results]
    return mapped, unmapped


async def ask_question(
    client: httpx.AsyncClient, question: GoldenQuestion, top_k: int, ask_top_k: int | None = None
) -> tuple[QuestionResult, dict[str, Any]]:
    """One golden question through the API; an HTTP failure becomes ``error`` on the row.
    ``/v1/search`` gets ``top_k``; ``/v1/ask`` gets ``ask_top_k``, or the service's own default
    (``QA_ASK_TOP_K``) when None, so the gate measures the answers the product gives."""
    base = QuestionResult(
        id=question.id,
        question=question.question,
        category=question.category,
        answerable=question.answerable,
        expected_doc_ids=question.expected_doc_ids,
        key_facts=question.key_facts,
        as_of=question.as_of,
    )
    extras: dict[str, Any] = {"reference_answer": question.reference_answer}
    when = question.time_fields()
    asked = {} if ask_top_k is None else {"top_k": ask_top_k}
    try:
        body, latency_ms = await request_json(
            client, "POST", "/v1/ask", {"question": question.question, **asked, **when}
        )
        search, _ = await request_json(
            client, "POST", "/v1/search", {"query": question.question, "top_k": top_k, **when}
        )
    except EvalHTTPError as exc:
        return replace(base, error=str(exc)), extras
    citations = [dict(c) for c in body.get("citations", [])]
    results = search.get("results", [])
    doc_ids, unmapped = retrieved_documents(body.get("retrieved", []), results, citations)
    usage = body.get("usage") or {}
    extras.update(
        server_latency_ms=body.get("latency_ms"),
        model=body.get("model"),
        degraded=body.get("degraded"),
        dropped_citations=body.get("dropped_citations"),
        unmapped_chunks=unmapped,
        search_matches_ask=[r["chunk_id"] for r in results] == body.get("retrieved", [])[:top_k],
    )
    row = replace(
        base,
        retrieved_doc_ids=doc_ids,
        answer=str(body.get("answer", "")),
        abstained=bool(body.get("abstained", False)),
        citations=citations,
        latency_ms=round(latency_ms, 1),
        prompt_tokens=int(usage.get("prompt_tokens", 0)),
        completion_tokens=int(usage.get("completion_tokens", 0)),
    )
    return row, extras


async def fetch_doc_texts(client: httpx.AsyncClient, doc_ids: set[str]) -> dict[str, str]:
    """Stored article texts by id; an unknown id is simply absent (its citations then fail)."""
    texts: dict[str, str] = {}
    for doc_id in sorted(doc_ids):
        try:
            body, _ = await request_json(client, "GET", f"/v1/documents/{quote(doc_id, safe='')}")
        except EvalHTTPError:
            continue
        texts[doc_id] = str(body["text"])
    return texts


async def collect(
    client: httpx.AsyncClient,
    questions: Sequence[GoldenQuestion],
    top_k: int,
    concurrency: int,
    on_done: ProgressFn | None = None,
    ask_top_k: int | None = None,
) -> Collected:
    """Ask all questions with at most ``concurrency`` in flight, then score them."""
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(question: GoldenQuestion) -> tuple[QuestionResult, dict[str, Any]]:
        async with gate:
            result = await ask_question(client, question, top_k, ask_top_k)
        if on_done:
            on_done()
        return result

    pairs = await asyncio.gather(*(one(q) for q in questions))
    wanted = {d for row, _ in pairs for d in row.expected_doc_ids}
    wanted |= {str(c.get("document_id")) for row, _ in pairs for c in row.citations}
    texts = await fetch_doc_texts(client, wanted)
    rows = [score_question(row, texts) for row, _ in pairs]
    return Collected(rows=rows, doc_texts=texts, extras={row.id: ex for row, ex in pairs})
