"""Regressions for what schemathesis found (tests/reliability/test_schemathesis.py).

Each test failed before its fix: the SSE branch of /v1/ask was labelled application/json; a bad
date range broke an already-started stream; coerced JSON types ("stream": 0) were accepted although
the document forbids them; unknown fields and error bodies were missing from the document.
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

INVERTED = {"published_after": "2025-12-31", "published_before": "2025-01-01"}


def test_ask_with_stream_true_is_labelled_as_an_event_stream(client: TestClient) -> None:
    response = client.post("/v1/ask", json={"question": "ceasefire?", "stream": True})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert "event: done" in response.text


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/ask/stream", {"question": "ceasefire?", "filters": INVERTED}),
        ("/v1/ask", {"question": "ceasefire?", "filters": INVERTED, "stream": True}),
    ],
)
def test_bad_filters_on_a_stream_are_a_422_before_the_stream_starts(
    client: TestClient, path: str, body: dict[str, Any]
) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith("/invalid-query")


@pytest.mark.parametrize(
    ("path", "body", "key"),
    [
        ("/v1/ask", {"question": "ceasefire?", "stream": 0}, "stream"),
        ("/v1/search", {"query": "ceasefire", "top_k": "5"}, "top_k"),
        ("/v1/ask/stream", {"question": "ceasefire?", "top_k": True}, "top_k"),
        ("/v1/search", {"query": "ceasefire", "filters": {"source": 7}}, "filters.source"),
    ],
)
def test_coerced_json_types_are_rejected(
    client: TestClient, path: str, body: dict[str, Any], key: str
) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["key"] == key


def test_integral_floats_still_count_as_integers(client: TestClient) -> None:
    """JSON Schema (and JavaScript) call 3.0 an integer; the strict check must agree."""
    response = client.post("/v1/search", json={"query": "ceasefire", "top_k": 3.0})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 3
    assert client.post("/v1/search", json={"query": "x", "top_k": 3.5}).status_code == 400


def test_document_declares_closed_bodies_problems_and_events(client: TestClient) -> None:
    doc = client.get("/schema/openapi.json").json()
    schemas = doc["components"]["schemas"]
    for name in ("SearchRequest", "AskRequest", "Filters", "HistoryTurn"):
        assert schemas[name]["additionalProperties"] is False, name
    assert set(schemas["Problem"]["required"]) == {"type", "title", "status", "detail"}
    ask = doc["paths"]["/v1/ask"]["post"]["responses"]
    stream = doc["paths"]["/v1/ask/stream"]["post"]["responses"]
    search = doc["paths"]["/v1/search"]["post"]["responses"]
    for responses, codes in ((ask, {400, 413, 422, 429, 502, 503}), (search, {400, 413, 422, 429})):
        for code in codes:
            assert list(responses[str(code)]["content"]) == ["application/problem+json"], code
    assert set(ask["200"]["content"]) == {"application/json", "text/event-stream"}
    assert set(stream["200"]["content"]) == {"text/event-stream"}
    events = stream["200"]["content"]["text/event-stream"]["schema"]["oneOf"]
    names = [e["properties"]["event"]["const"] for e in events]
    assert names == ["retrieval", "delta", "citation", "done", "error"]
    readyz = doc["paths"]["/readyz"]["get"]["responses"]
    assert "503" in readyz
