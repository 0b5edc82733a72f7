"""Bad requests get 4xx problem+json, never a 500 or a stack trace."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

PROBLEM = "application/problem+json"


def assert_problem(response, status: int) -> dict:  # type: ignore[no-untyped-def,type-arg]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    assert "Traceback" not in response.text
    return body  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "payload",
    [
        {"query": ""},
        {"query": "   \n\t "},
        {"query": "ceasefire", "top_k": 0},
        {"query": "ceasefire", "top_k": 1000},
        {"query": 42},
        {"query": "ceasefire", "top_k": "five"},
        {"query": "ceasefire", "filters": {"published_after": "last tuesday"}},
        {"query": "ceasefire", "filters": {"colour": "red"}},
        {"query": "x" * 2001},
        {},
        [],
    ],
)
def test_invalid_search_payloads_are_400(client: TestClient, payload: object) -> None:
    body = assert_problem(client.post("/v1/search", json=payload), 400)
    assert "errors" in body


def test_inverted_date_range_is_422(client: TestClient) -> None:
    payload = {
        "query": "ceasefire",
        "filters": {"published_after": "2025-12-31", "published_before": "2025-01-01"},
    }
    assert_problem(client.post("/v1/search", json=payload), 422)


def test_non_json_body_is_400(client: TestClient) -> None:
    response = client.post(
        "/v1/search", content=b"query=ceasefire", headers={"content-type": "application/json"}
    )
    assert_problem(response, 400)


def test_body_over_64_kib_is_413(client: TestClient) -> None:
    big = '{"query": "' + "a" * (70 * 1024) + '"}'
    response = client.post(
        "/v1/search", content=big.encode(), headers={"content-type": "application/json"}
    )
    assert_problem(response, 413)


def test_unknown_document_is_404(client: TestClient) -> None:
    assert_problem(client.get("/v1/documents/does-not-exist"), 404)


def test_unknown_route_is_404_problem(client: TestClient) -> None:
    assert_problem(client.get("/v1/nope"), 404)


def test_wrong_method_is_405_problem(client: TestClient) -> None:
    assert_problem(client.get("/v1/search"), 405)
