"""POST /v1/documents and DELETE /v1/documents/{id} (#15 item 4): auth, outcomes, searchability."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from qa_service.adapters.hashing_embedder import HashingEmbedder
from qa_service.api.app import create_app
from qa_service.container import build_services
from tests.integration.conftest import make_settings

SERVICE = {"Authorization": "Bearer service-key"}
WIDGET = {"Authorization": "Bearer widget-key"}
BRIDGE = {
    "title": "Zorvath bridge opens",
    "source": "City Post",
    "url": "https://news.example/zorvath-bridge",
    "published_at": "2025-03-02",
    "text": "The Zorvath bridge opened to traffic on Sunday after three years of building work. "
    "The mayor said the crossing would cut the commute across the river by twenty minutes.",
}


def _client(tmp_path: Path, **overrides: Any) -> TestClient[Any]:
    settings = make_settings(tmp_path / "store", **overrides)
    services = build_services(settings, embedder=HashingEmbedder())
    return TestClient(create_app(settings, services=services))


@pytest.fixture()
def client(tmp_path: Path) -> Iterator[TestClient[Any]]:
    with _client(tmp_path, api_keys="service-key", widget_api_key="widget-key") as c:
        yield c


def _push(client: TestClient[Any], *documents: dict[str, str]) -> Any:
    return client.post("/v1/documents", json={"documents": list(documents)}, headers=SERVICE)


def _search(client: TestClient[Any], query: str) -> list[str]:
    response = client.post("/v1/search", json={"query": query}, headers=SERVICE)
    assert response.status_code == 200
    return [r["document_id"] for r in response.json()["results"]]


def test_writes_need_a_service_key(client: TestClient[Any]) -> None:
    body = {"documents": [BRIDGE]}
    assert client.post("/v1/documents", json=body).status_code == 401
    assert client.post("/v1/documents", json=body, headers=WIDGET).status_code == 403
    bad = {"Authorization": "Bearer nope"}
    assert client.post("/v1/documents", json=body, headers=bad).status_code == 401
    assert client.delete("/v1/documents/x", headers=WIDGET).status_code == 403
    assert client.delete("/v1/documents/x").status_code == 401
    problem = client.post("/v1/documents", json=body, headers=WIDGET)
    assert problem.headers["content-type"].startswith("application/problem+json")
    assert client.get("/v1/documents", headers=WIDGET).status_code == 200  # reading still works


def test_no_keys_configured_refuses_writes_unless_open_writes(tmp_path: Path) -> None:
    with _client(tmp_path / "closed") as closed:
        assert closed.post("/v1/documents", json={"documents": [BRIDGE]}).status_code == 403
        assert closed.delete("/v1/documents/x").status_code == 403
    with _client(tmp_path / "open", allow_open_writes=True) as open_:
        assert open_.post("/v1/documents", json={"documents": [BRIDGE]}).status_code == 200


def test_push_is_searchable_on_return_then_retract_removes_it(client: TestClient[Any]) -> None:
    response = _push(client, BRIDGE)
    assert response.status_code == 200
    [result] = response.json()["documents"]
    assert result["status"] == "created" and result["id"].startswith("url-")
    doc_id = result["id"]
    assert _search(client, "Zorvath bridge")[0] == doc_id
    assert client.get(f"/v1/documents/{doc_id}", headers=SERVICE).json()["text"] == BRIDGE["text"]

    assert _push(client, BRIDGE).json()["documents"][0]["status"] == "unchanged"
    corrected = {**BRIDGE, "text": BRIDGE["text"].replace("twenty", "twenty-five")}
    assert _push(client, corrected).json()["documents"] == [
        {"id": doc_id, "status": "updated", "duplicate_of": None, "reason": None}
    ]
    copy = {**corrected, "url": "https://syndicate.example/bridge", "source": "Wire"}
    assert _push(client, copy).json()["documents"][0]["duplicate_of"] == doc_id
    origins = client.get(f"/v1/documents/{doc_id}", headers=SERVICE).json()["origins"]
    assert len(origins) == 2

    assert client.delete(f"/v1/documents/{doc_id}", headers=SERVICE).status_code == 204
    assert client.get(f"/v1/documents/{doc_id}", headers=SERVICE).status_code == 404
    assert doc_id not in _search(client, "Zorvath bridge")
    assert client.delete(f"/v1/documents/{doc_id}", headers=SERVICE).status_code == 404
    ask = client.post(
        "/v1/ask", json={"question": "When did the Zorvath bridge open?"}, headers=SERVICE
    ).json()
    assert all(c["document_id"] != doc_id for c in ask["citations"])


def test_push_outcomes_in_one_request(client: TestClient[Any]) -> None:
    other = {"doc_id": "cms-42", "title": "Harbour", "text": "The old harbour reopened today."}
    response = _push(client, BRIDGE, other, {**BRIDGE, "url": "https://copy.example/b"})
    statuses = [(d["id"], d["status"], d["duplicate_of"]) for d in response.json()["documents"]]
    assert statuses[1] == ("cms-42", "created", None)
    # the two copies: one is kept (the richer metadata, then the smaller id), the other joins it
    kept, joined = sorted([statuses[0], statuses[2]], key=lambda s: s[1])
    assert kept[1:] == ("created", None)
    assert joined[1:] == ("duplicate", kept[0])


def test_push_limits(client: TestClient[Any]) -> None:
    long_text = "A sentence of an article that is rather long. " * 4000  # ~190 KB: over 64 KiB
    assert _push(client, {**BRIDGE, "text": long_text}).status_code == 200
    too_many = [{"text": f"Article number {i}."} for i in range(101)]
    assert _push(client, *too_many).status_code == 400
    assert (
        _push(client, {"doc_id": "a", "text": "x y"}, {"doc_id": "a", "text": "z"}).status_code
        == 422
    )
    assert _push(client, {"text": "   "}).json()["documents"][0]["status"] == "skipped"
    assert _push(client, {"text": "t", "unknown": "field"}).status_code == 400
    assert _push(client, {"doc_id": "bad/id", "text": "t"}).status_code == 400
    huge = {"text": "x" * (5 * 1024 * 1024 + 10)}
    assert _push(client, huge).status_code == 413
    # every other route keeps the 64 KiB limit
    big_query = {"query": "q" * 100, "padding": "p" * 70_000}
    assert client.post("/v1/search", json=big_query, headers=SERVICE).status_code == 413


def test_lexical_search_alone_finds_a_push_and_loses_a_retraction(tmp_path: Path) -> None:
    """Keyword-only retrieval: the tantivy commit of the push, then of the DELETE, is what the
    search sees (the hashing embedder's dense hits cannot stand in for it)."""
    overrides = {"api_keys": "service-key", "retrieval_mode": "lexical"}
    with _client(tmp_path, **overrides) as client:
        doc_id = _push(client, BRIDGE).json()["documents"][0]["id"]
        assert _search(client, "Zorvath") == [doc_id]
        assert client.delete(f"/v1/documents/{doc_id}", headers=SERVICE).status_code == 204
        assert _search(client, "Zorvath") == []
