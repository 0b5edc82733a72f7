"""Issue 17: bodies under the size limit never give a 500 (deep nesting), JSON routes take only
JSON content types (415), and ``role`` is exactly "user" or "assistant"."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from qa_service.api.app import create_app
from qa_service.api.strict_body import MAX_DEPTH, nesting_depth
from qa_service.container import Services

ROUTES = ("/v1/search", "/v1/ask", "/v1/ask/stream")


@pytest.fixture(scope="module")
def client(seeded_services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(seeded_services.settings, services=seeded_services)) as test_client:
        yield test_client


def nested(depth: int, kind: str) -> str:
    if kind == "array":
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


def body(route: str, field: str, value: str) -> bytes:
    first = '"query":"x"' if route == "/v1/search" else '"question":"x"'
    return f"{{{first},{json.dumps(field)}:{value}}}".encode()


@pytest.mark.parametrize("depth", [487, 488, 600, 5000, 30000])
@pytest.mark.parametrize("route", ROUTES)
def test_the_issue_bodies_are_a_400(client: TestClient, route: str, depth: int) -> None:
    """The issue: 488 levels of ``[`` under "filters" raised RecursionError (500)."""
    data = body(route, "filters", nested(depth, "array"))
    assert len(data) < 64 * 1024
    response = client.post(route, content=data, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    route=st.sampled_from(ROUTES),
    field=st.sampled_from(["filters", "top_k", "history", "query", "question", "unknown"]),
    depth=st.integers(min_value=1, max_value=20_000),
    kind=st.sampled_from(["array", "object"]),
    truncate=st.booleans(),
)
def test_any_nesting_is_never_a_5xx(
    client: TestClient, route: str, field: str, depth: int, kind: str, truncate: bool
) -> None:
    value = nested(depth, kind)
    data = body(route, field, value[: len(value) // 2] if truncate else value)
    response = client.post(route, content=data, headers={"content-type": "application/json"})
    assert response.status_code in (400, 413)


def test_nesting_depth_is_iterative() -> None:
    assert nesting_depth(1) == 0 and nesting_depth([]) == 1 and nesting_depth({"a": [1]}) == 2
    deep: list[object] = []
    for _ in range(100_000):  # far past the recursion limit
        deep = [deep]
    assert nesting_depth(deep) == 100_001 > MAX_DEPTH


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""],
)
@pytest.mark.parametrize("route", ROUTES)
def test_json_routes_refuse_other_content_types(
    client: TestClient, route: str, content_type: str
) -> None:
    """A cross-site "simple request" (form or text/plain) must not be parsed as JSON."""
    data = body(route, "top_k", "3")
    headers = {"content-type": content_type} if content_type else {}
    response = client.post(route, content=data, headers=headers)
    assert response.status_code == 415
    assert response.json()["type"].endswith("/unsupported-media-type")


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "application/x+json"])
def test_json_content_types_are_accepted(client: TestClient, content_type: str) -> None:
    data = body("/v1/search", "top_k", "3")
    response = client.post("/v1/search", content=data, headers={"content-type": content_type})
    assert response.status_code == 200


@pytest.mark.parametrize("role", ["user\n", "assistant\n", " user", "USER", "system", "user\r"])
def test_role_is_exactly_user_or_assistant(client: TestClient, role: str) -> None:
    history = [{"role": role, "content": "hello"}]
    response = client.post("/v1/ask", json={"question": "ceasefire?", "history": history})
    assert response.status_code == 400
    ok = client.post(
        "/v1/ask", json={"question": "ceasefire?", "history": [{"role": "user", "content": "hi"}]}
    )
    assert ok.status_code == 200
