"""GET /v1/documents pages (#15 item 6): limit + cursor, stable id order, source/date filters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from qa_service.adapters.hashing_embedder import HashingEmbedder
from qa_service.api.app import create_app
from qa_service.container import build_services
from tests.integration.conftest import make_settings

WORDS = "harbour bridge council budget tram library river school market festival".split()


def _document(i: int) -> dict[str, str]:
    text = " ".join(f"{WORDS[(i * 7 + k) % 10]}{i}x{k}" for k in range(40))
    doc = {"doc_id": f"doc-{i:03d}", "title": f"Story {i}", "text": text + "."}
    doc["source"] = "North Post" if i % 3 == 0 else "South Daily"
    if i % 5:
        doc["published_at"] = f"2025-01-{i % 28 + 1:02d}"
    return doc


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient[Any]]:
    settings = make_settings(tmp_path_factory.mktemp("paging"), allow_open_writes=True)
    app = create_app(settings, services=build_services(settings, embedder=HashingEmbedder()))
    with TestClient(app) as c:
        assert c.post("/v1/documents", json={"documents": [_document(i) for i in range(25)]})
        yield c


def _all_pages(client: TestClient[Any], **params: Any) -> list[list[str]]:
    pages, cursor = [], None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        body = client.get("/v1/documents", params=query).json()
        pages.append([d["id"] for d in body["documents"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages


def test_pages_cover_everything_once_in_id_order(client: TestClient[Any]) -> None:
    pages = _all_pages(client, limit=10)
    assert [len(p) for p in pages] == [10, 10, 5]
    flat = [i for page in pages for i in page]
    assert flat == sorted(flat) == [f"doc-{i:03d}" for i in range(25)]
    assert client.get("/v1/documents").json()["next_cursor"] is None  # default page: 100


def test_a_document_added_between_pages_neither_repeats_nor_skips_others(
    client: TestClient[Any],
) -> None:
    first = client.get("/v1/documents", params={"limit": 10}).json()
    extra = {**_document(99), "doc_id": "doc-000a"}  # sorts into the first page, already read
    assert client.post("/v1/documents", json={"documents": [extra]}).status_code == 200
    rest = _all_pages(client, limit=10, cursor=first["next_cursor"])
    later = [i for page in rest for i in page]
    assert later == [f"doc-{i:03d}" for i in range(10, 25)]
    assert client.delete("/v1/documents/doc-000a").status_code == 204


def test_filters(client: TestClient[Any]) -> None:
    north = [i for page in _all_pages(client, source="North Post", limit=4) for i in page]
    assert north == [f"doc-{i:03d}" for i in range(25) if i % 3 == 0]
    dated = _all_pages(client, published_after="2025-01-05", published_before="2025-01-10")
    expected = [f"doc-{i:03d}" for i in range(25) if i % 5 and 5 <= i % 28 + 1 <= 10]
    assert dated == [expected]


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 1001}, {"published_after": "yesterday"}, {"source": ""}],
)
def test_bad_paging_input_is_a_400(client: TestClient[Any], params: dict[str, Any]) -> None:
    response = client.get("/v1/documents", params=params)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
