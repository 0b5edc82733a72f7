"""/v1/ask with the real AsyncOpenAI client; the wire is mocked with respx."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import respx
from litestar.testing import TestClient

from qa_service.adapters.hashing_embedder import HashingEmbedder
from qa_service.adapters.openai_llm import OpenAIChatLLM
from qa_service.api.app import create_app
from qa_service.container import Services, build_services
from tests.integration.conftest import make_settings
from tests.integration.llm_wire import BASE_URL, COMPLETIONS, CutStream, stream_response

QUESTION = {"question": "What is Moscow's position on a 30-day truce?"}


def llm_client(
    seeded_services: Services, tmp_path: Path, **overrides: object
) -> Iterator[TestClient]:
    settings = make_settings(
        seeded_services.settings.chroma_path,
        llm_api_key="sk-test",
        llm_base_url=BASE_URL,
        llm_model="test-model",
        **overrides,
    )
    llm = OpenAIChatLLM("test-model", "sk-test", BASE_URL, timeout_s=2.0, max_retries=2)
    services = build_services(settings, embedder=HashingEmbedder(), llm=llm)
    with TestClient(create_app(settings, services=services)) as client:
        yield client


@pytest.fixture()
def client_llm(seeded_services: Services, tmp_path: Path) -> Iterator[TestClient]:
    yield from llm_client(seeded_services, tmp_path)


@pytest.fixture()
def client_llm_fallback(seeded_services: Services, tmp_path: Path) -> Iterator[TestClient]:
    yield from llm_client(seeded_services, tmp_path, fallback_extractive=True)


def passage_sentence(request: httpx.Request, n: int) -> str:
    """A sentence copied from passage ``n`` of the prompt, as a faithful model would."""
    user = json.loads(request.content)["messages"][1]["content"]
    passage = user.split(f'<passage id="{n}"', 1)[1].split(">", 1)[1].split("</passage>", 1)[0]
    return passage.strip().split(". ")[0].rstrip(".")


def first_passage_sentence(request: httpx.Request) -> str:
    return passage_sentence(request, 1)


@respx.mock
def test_answer_cites_real_passages_verbatim(client_llm: TestClient) -> None:
    def reply(request: httpx.Request) -> httpx.Response:
        sentence = first_passage_sentence(request)
        return stream_response([sentence[:20], sentence[20:] + " [1", "]. Also [99]."])

    respx.post(COMPLETIONS).mock(side_effect=reply)
    body = client_llm.post("/v1/ask", json=QUESTION).json()
    assert body["abstained"] is False
    assert body["model"] == "test-model"
    assert body["usage"] == {"prompt_tokens": 120, "completion_tokens": 30}
    assert "[99]" not in body["answer"] and "[1]" in body["answer"]
    assert body["dropped_citations"] == 1
    assert [c["id"] for c in body["citations"]] == [1]
    citation = body["citations"][0]
    text = client_llm.get(f"/v1/documents/{citation['document_id']}").json()["text"]
    assert text[citation["start"] : citation["end"]] == citation["quote"]
    assert citation["chunk_id"] == body["retrieved"][0]


@respx.mock
def test_429_then_200_succeeds_through_sdk_retries(client_llm: TestClient) -> None:
    route = respx.post(COMPLETIONS).mock(
        side_effect=[
            httpx.Response(
                429, json={"error": {"message": "slow down"}}, headers={"retry-after-ms": "10"}
            ),
            stream_response(["Peskov wants peace [1]."]),
        ]
    )
    response = client_llm.post("/v1/ask", json=QUESTION)
    assert response.status_code == 200, response.text
    assert route.call_count == 2


@respx.mock
def test_persistent_5xx_is_503_problem(client_llm: TestClient) -> None:
    route = respx.post(COMPLETIONS).mock(
        return_value=httpx.Response(
            500, json={"error": {"message": "boom"}}, headers={"retry-after-ms": "10"}
        )
    )
    response = client_llm.post("/v1/ask", json=QUESTION)
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "boom" not in response.text
    assert route.call_count == 3  # 1 try + the SDK's 2 retries, no extra layer of ours


@respx.mock
def test_timeout_is_503_problem(client_llm: TestClient) -> None:
    respx.post(COMPLETIONS).mock(side_effect=httpx.ReadTimeout("read timed out"))
    response = client_llm.post("/v1/ask", json=QUESTION)
    assert response.status_code == 503
    assert response.json()["title"] == "The language model is unavailable"


@respx.mock
def test_5xx_with_fallback_gives_degraded_extractive_answer(
    client_llm_fallback: TestClient,
) -> None:
    respx.post(COMPLETIONS).mock(return_value=httpx.Response(503, headers={"retry-after-ms": "10"}))
    body = client_llm_fallback.post("/v1/ask", json=QUESTION).json()
    assert body["degraded"] is True
    assert body["model"] == "extractive"


@respx.mock
def test_empty_completion_is_502(client_llm: TestClient) -> None:
    respx.post(COMPLETIONS).mock(return_value=stream_response([]))
    response = client_llm.post("/v1/ask", json=QUESTION)
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("application/problem+json")


@respx.mock
def test_malformed_completion_is_502(client_llm: TestClient) -> None:
    respx.post(COMPLETIONS).mock(
        return_value=httpx.Response(
            200,
            content=b"data: {not json at all\n\n",
            headers={"content-type": "text/event-stream"},
        )
    )
    assert client_llm.post("/v1/ask", json=QUESTION).status_code == 502


@respx.mock
def test_model_saying_insufficient_context_abstains(client_llm: TestClient) -> None:
    respx.post(COMPLETIONS).mock(return_value=stream_response(["INSUFFICIENT", "_CONTEXT"]))
    body = client_llm.post("/v1/ask", json={"question": "Who won the 2030 World Cup?"}).json()
    assert body["abstained"] is True and body["citations"] == []


@respx.mock
def test_answer_with_only_invented_citations_abstains(client_llm: TestClient) -> None:
    respx.post(COMPLETIONS).mock(return_value=stream_response(["Canberra is the capital [42]."]))
    body = client_llm.post("/v1/ask", json=QUESTION).json()
    assert body["abstained"] is True
    assert body["citations"] == [] and body["dropped_citations"] == 1


def parse_sse(raw: str) -> list[tuple[str, dict]]:  # type: ignore[type-arg]
    events = []
    for block in raw.replace("\r\n", "\n").strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in fields:
            events.append((fields["event"], json.loads(fields["data"])))
    return events


@respx.mock
def test_sse_event_order(client_llm: TestClient) -> None:
    respx.post(COMPLETIONS).mock(
        side_effect=lambda request: stream_response(
            [
                first_passage_sentence(request),
                " [",
                "1]",
                ". ",
                passage_sentence(request, 2),
                " [2].",
            ]
        )
    )
    response = client_llm.post("/v1/ask/stream", json=QUESTION)
    assert response.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(response.text)
    names = [name for name, _ in events]
    assert names[0] == "retrieval" and names[-1] == "done"
    assert "delta" in names and names.count("citation") == 2
    first_citation = names.index("citation")
    assert names.index("delta") < first_citation
    done = events[-1][1]
    assert [c["id"] for c in done["citations"]] == [1, 2]
    streamed = "".join(data["text"] for name, data in events if name == "delta")
    assert streamed.strip() == done["answer"].strip()
    assert [data for name, data in events if name == "citation"] == done["citations"]
    same_via_flag = client_llm.post("/v1/ask", json={**QUESTION, "stream": True})
    assert next(n for n, _ in parse_sse(same_via_flag.text)) == "retrieval"


@respx.mock
def test_stream_cut_midway_gives_error_event_and_closes(client_llm: TestClient) -> None:
    respx.post(COMPLETIONS).mock(
        return_value=httpx.Response(
            200,
            stream=CutStream(["Peskov said ", "Russia wants"]),
            headers={"content-type": "text/event-stream"},
        )
    )
    events = parse_sse(client_llm.post("/v1/ask/stream", json=QUESTION).text)
    assert events[-1][0] == "error"
    assert events[-1][1]["status"] == 502
    assert "done" not in [name for name, _ in events]
