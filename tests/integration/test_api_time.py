"""as_of on /v1/search and /v1/ask over real HTTP + real Chroma (seed articles: 000 is from
2025-12-13, 002 from 2025-12-10, 003 and 004 are undated)."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

SEED_000, SEED_002 = "000_2024f5da2fff1265", "002_bdbef122728239ac"
UNDATED = {"003_91a5866ccc87542e", "004_e3e65fdab3122716"}
CEASEFIRE = "What did the Kremlin say about a ceasefire?"


def test_search_never_returns_articles_published_after_as_of(client: TestClient) -> None:
    body = {"query": "Kremlin ceasefire referendum Peskov", "top_k": 50}
    everything = client.post("/v1/search", json=body).json()
    assert SEED_000 in {r["document_id"] for r in everything["results"]}

    response = client.post("/v1/search", json={**body, "as_of": "2025-12-11"})
    assert response.status_code == 200
    found = response.json()
    documents = {r["document_id"] for r in found["results"]}
    assert SEED_000 not in documents
    assert SEED_002 in documents and documents & UNDATED  # undated articles stay eligible
    assert found["as_of"] == "2025-12-11"
    assert found["evidence_dates"] == {
        "oldest": "2025-12-10T09:08:00+00:00",
        "newest": "2025-12-10T09:08:00+00:00",
    }


def test_a_datetime_counts_its_own_calendar_day(client: TestClient) -> None:
    body = {"query": "Kremlin referendum ceasefire", "top_k": 50}
    found = client.post("/v1/search", json={**body, "as_of": "2025-12-13T01:00:00+03:00"}).json()
    assert found["as_of"] == "2025-12-13"
    assert SEED_000 in {r["document_id"] for r in found["results"]}


def test_ask_as_of_cites_nothing_published_later(client: TestClient) -> None:
    response = client.post("/v1/ask", json={"question": CEASEFIRE, "as_of": "2025-12-11"})
    assert response.status_code == 200
    answer = response.json()
    assert not answer["abstained"] and answer["citations"]
    assert all((c["published_at"] or "")[:10] <= "2025-12-11" for c in answer["citations"])
    assert answer["as_of"] == "2025-12-11"
    dated = sorted(c["published_at"] for c in answer["citations"] if c["published_at"])
    assert answer["evidence_dates"] == {
        "oldest": dated[0] if dated else None,
        "newest": dated[-1] if dated else None,
    }


def test_without_as_of_the_day_is_today_and_nothing_is_filtered(client: TestClient) -> None:
    found = client.post("/v1/search", json={"query": "referendum pretext", "top_k": 50}).json()
    assert len(found["as_of"]) == 10 and found["as_of"] >= "2025-12-13"
    assert found["evidence_dates"]["newest"].startswith("2025-12-13")


@pytest.mark.parametrize(
    "as_of", ["2025-13-01", "yesterday", "2025-12-11T25:00", "11/12/2025", "2025-W50-1", ""]
)
@pytest.mark.parametrize("path", ["/v1/search", "/v1/ask", "/v1/ask/stream"])
def test_a_malformed_as_of_is_a_400_problem(client: TestClient, path: str, as_of: str) -> None:
    field = "query" if path == "/v1/search" else "question"
    response = client.post(path, json={field: CEASEFIRE, "as_of": as_of})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["key"] == "as_of"


def test_published_after_later_than_as_of_is_unanswerable(client: TestClient) -> None:
    body = {
        "query": "ceasefire",
        "as_of": "2025-12-01",
        "filters": {"published_after": "2025-12-05"},
    }
    assert client.post("/v1/search", json=body).status_code == 422


def test_a_day_the_calendar_lacks_is_unanswerable(client: TestClient) -> None:
    response = client.post("/v1/search", json={"query": "ceasefire", "as_of": "2025-02-30"})
    assert response.status_code == 422
    assert "as_of" in response.json()["detail"]
