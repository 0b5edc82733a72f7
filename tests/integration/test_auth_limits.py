"""API keys, rate limits, request ids, metrics and logs over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from qa_service.api.app import create_app
from qa_service.container import Services
from tests.integration.conftest import make_settings

KEY = "k-service-0123456789abcdef"
WIDGET_KEY = "k-widget-abcdef0123456789"
SEARCH = {"query": "ceasefire"}


@pytest.fixture()
def secured(seeded_services: Services) -> Iterator[TestClient]:
    settings = make_settings(
        seeded_services.settings.chroma_path,
        api_keys=f"other-key,{KEY}",
        widget_api_key=WIDGET_KEY,
        rate_limit_per_minute=5,
        widget_rate_limit_per_minute=2,
    )
    services = Services(**{**seeded_services.__dict__, "settings": settings})
    with TestClient(create_app(settings, services=services)) as client:
        yield client


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_missing_or_wrong_key_is_401_problem(secured: TestClient) -> None:
    for headers in ({}, bearer("wrong"), {"Authorization": KEY}):
        response = secured.post("/v1/search", json=SEARCH, headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.headers["www-authenticate"] == "Bearer"


def test_valid_keys_pass_and_health_stays_open(secured: TestClient) -> None:
    assert secured.post("/v1/search", json=SEARCH, headers=bearer(KEY)).status_code == 200
    assert secured.get("/v1/documents", headers=bearer(WIDGET_KEY)).status_code == 200
    assert secured.get("/healthz").status_code == 200
    assert secured.get("/readyz").status_code == 200


def test_rate_limit_is_per_key_with_retry_after(secured: TestClient) -> None:
    statuses = [
        secured.post("/v1/search", json=SEARCH, headers=bearer(KEY)).status_code for _ in range(6)
    ]
    assert statuses == [200] * 5 + [429]
    limited = secured.post("/v1/search", json=SEARCH, headers=bearer(KEY))
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    assert limited.headers["content-type"].startswith("application/problem+json")
    assert secured.post("/v1/search", json=SEARCH, headers=bearer("other-key")).status_code == 200


def test_widget_key_has_its_own_tighter_limit(secured: TestClient) -> None:
    statuses = [
        secured.get("/v1/documents", headers=bearer(WIDGET_KEY)).status_code for _ in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_request_id_is_echoed_or_generated(client: TestClient) -> None:
    echoed = client.get("/healthz", headers={"X-Request-ID": "trace-123"})
    assert echoed.headers["x-request-id"] == "trace-123"
    generated = client.get("/healthz").headers["x-request-id"]
    assert len(generated) == 32


def test_metrics_exposes_latency_and_answers(client: TestClient) -> None:
    client.post("/v1/search", json=SEARCH)
    client.post("/v1/ask", json={"question": "What is the capital of Australia?"})
    text = client.get("/metrics").text
    assert 'qa_request_seconds_count{method="POST",route="/v1/search",status="200"}' in text
    assert 'qa_answers_total{abstained="True"' in text


def test_keys_never_appear_in_logs(secured: TestClient, capsys: pytest.CaptureFixture[str]) -> None:
    secured.post("/v1/search", json=SEARCH, headers=bearer(KEY))
    secured.post("/v1/search", json=SEARCH, headers=bearer("wrong-secret-attempt"))
    captured = capsys.readouterr()
    logs = captured.out + captured.err
    assert '"event": "request"' in logs
    assert KEY not in logs and "wrong-secret-attempt" not in logs
