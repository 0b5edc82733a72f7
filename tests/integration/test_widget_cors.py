"""CORS for the embedded widget: the QA_CORS_ORIGINS allow-list, checked like a browser does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from qa_service.api.app import create_app
from qa_service.container import Services
from tests.integration.conftest import make_settings

ALLOWED = "https://news.example"
OTHER = "https://evil.example"
WIDGET_KEY = "k-widget-cors-0123456789"


@pytest.fixture()
def cors_client(seeded_services: Services) -> Iterator[TestClient]:
    settings = make_settings(
        seeded_services.settings.chroma_path,
        cors_origins=f"{ALLOWED}, https://other-allowed.example",
        widget_api_key=WIDGET_KEY,
    )
    services = Services(**{**seeded_services.__dict__, "settings": settings})
    with TestClient(create_app(settings, services=services)) as client:
        yield client


def preflight(client: TestClient, origin: str) -> dict[str, str]:
    response = client.options(
        "/v1/ask/stream",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    return {"status": str(response.status_code), **dict(response.headers)}


def cors_headers(headers: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k.lower().startswith("access-control-")}


def test_preflight_from_an_allowed_origin_permits_the_widget_request(
    cors_client: TestClient,
) -> None:
    headers = preflight(cors_client, ALLOWED)
    assert headers["status"] == "204"
    assert headers["access-control-allow-origin"] == ALLOWED
    allowed_headers = headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed_headers and "content-type" in allowed_headers
    assert "POST" in headers["access-control-allow-methods"]


def test_preflight_from_another_origin_gets_no_cors_headers(cors_client: TestClient) -> None:
    headers = preflight(cors_client, OTHER)
    assert headers["status"] == "400"
    assert cors_headers(headers) == {}


def test_stream_from_an_allowed_origin_exposes_retry_after(cors_client: TestClient) -> None:
    response = cors_client.post(
        "/v1/ask/stream",
        json={"question": "ceasefire talks"},
        headers={"Origin": ALLOWED, "Authorization": f"Bearer {WIDGET_KEY}"},
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "retry-after" in response.headers["access-control-expose-headers"].lower()
    assert "event: done" in response.text


def test_response_to_another_origin_is_not_readable(cors_client: TestClient) -> None:
    response = cors_client.post(
        "/v1/search", json={"query": "ceasefire"}, headers={"Origin": OTHER}
    )
    assert "access-control-allow-origin" not in response.headers


def test_no_allow_list_means_no_cors(client: TestClient) -> None:
    assert cors_headers(preflight(client, ALLOWED)) == {}
