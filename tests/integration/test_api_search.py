"""/v1/search, /v1/documents and health over real HTTP + real Chroma."""

from __future__ import annotations

from litestar.testing import TestClient

SEED_000 = "000_2024f5da2fff1265"
SEED_003 = "003_91a5866ccc87542e"


def test_truce_query_ranks_caliber_article_first_with_real_model(minilm_client: TestClient) -> None:
    response = minilm_client.post("/v1/search", json={"query": "30-day ceasefire"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 5
    assert results[0]["document_id"] == SEED_003
    assert results[0]["source"] == "Caliber.Az"
    assert results[0]["score"] >= results[-1]["score"]


def test_search_result_text_is_the_document_slice(client: TestClient) -> None:
    results = client.post("/v1/search", json={"query": "Peskov peace", "top_k": 8}).json()[
        "results"
    ]
    assert results
    for result in results:
        document = client.get(f"/v1/documents/{result['document_id']}").json()
        assert document["text"][result["start"] : result["end"]] == result["text"]


def test_documents_lists_four_collapsed_articles_with_metadata(client: TestClient) -> None:
    documents = {d["id"]: d for d in client.get("/v1/documents").json()["documents"]}
    assert len(documents) == 4
    assert documents[SEED_000]["published_at"].startswith("2025-12-13")
    assert len(documents[SEED_000]["origins"]) == 2
    assert documents["002_bdbef122728239ac"]["published_at"].startswith("2025-12-10")
    assert documents[SEED_003]["author"] == "Sabina Mammadli"
    assert documents[SEED_003]["published_at"] is None
    assert all(d["n_chunks"] > 0 for d in documents.values())


def test_no_boilerplate_in_stored_chunks_of_seed_000(client: TestClient) -> None:
    results = client.post(
        "/v1/search", json={"query": "Related Posts Most Popular View All Result", "top_k": 50}
    ).json()["results"]
    texts = [r["text"] for r in results if r["document_id"] == SEED_000]
    assert texts
    for text in texts:
        for marker in ("Related Posts", "Most Popular", "View All Result", "Previous Post"):
            assert marker not in text


def test_filters_by_date_and_source(client: TestClient) -> None:
    dated = client.post(
        "/v1/search",
        json={"query": "ceasefire", "top_k": 50, "filters": {"published_after": "2025-12-11"}},
    ).json()["results"]
    assert dated and {r["document_id"] for r in dated} == {SEED_000}
    before = client.post(
        "/v1/search",
        json={"query": "ceasefire", "top_k": 50, "filters": {"published_before": "2025-12-10"}},
    ).json()["results"]
    assert {r["document_id"] for r in before} == {"002_bdbef122728239ac"}
    by_source = client.post(
        "/v1/search", json={"query": "ceasefire", "filters": {"source": "Caliber.Az"}}
    ).json()["results"]
    assert by_source and {r["document_id"] for r in by_source} == {SEED_003}


def test_get_document_returns_clean_text(client: TestClient) -> None:
    document = client.get(f"/v1/documents/{SEED_000}").json()
    assert document["text"].startswith("MOSCOW (Realist English).")
    assert "Most Popular" not in document["text"]


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["chunks"] > 0


def test_readiness_fails_on_empty_corpus(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from qa_service.api.app import create_app
    from tests.integration.conftest import make_settings

    with TestClient(create_app(make_settings(tmp_path))) as empty:
        response = empty.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "corpus empty"


def test_openapi_schema_is_served(client: TestClient) -> None:
    schema = client.get("/schema/openapi.json").json()
    assert "/v1/search" in schema["paths"]
    assert "/v1/documents/{doc_id}" in schema["paths"]


def test_top_k_defaults_to_the_configured_value(seeded_services) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from qa_service.api.app import create_app

    settings = seeded_services.settings.model_copy(update={"top_k": 2})
    with TestClient(
        create_app(settings, services=replace(seeded_services, settings=settings))
    ) as c:
        assert len(c.post("/v1/search", json={"query": "ceasefire"}).json()["results"]) == 2
        assert (
            len(c.post("/v1/search", json={"query": "ceasefire", "top_k": 3}).json()["results"])
            == 3
        )


def test_question_pasted_with_link_markup_searches_its_words(client: TestClient) -> None:
    plain = client.post("/v1/search", json={"query": "Peskov on the truce"}).json()["results"]
    pasted = client.post(
        "/v1/search",
        json={"query": 'Peskov on the <a href="https://example.com/x?utm=peskov">truce</a>'},
    ).json()["results"]
    assert [r["chunk_id"] for r in pasted] == [r["chunk_id"] for r in plain]


def test_markup_only_question_is_a_422_problem_before_any_stream(client: TestClient) -> None:
    for path, body in (
        ("/v1/search", {"query": "<p></p>"}),
        ("/v1/ask", {"question": "<p></p>"}),
        ("/v1/ask", {"question": "<p></p>", "stream": True}),
        ("/v1/ask/stream", {"question": "<br/>"}),
    ):
        response = client.post(path, json=body)
        assert response.status_code == 422, path
        assert response.headers["content-type"].startswith("application/problem+json")
