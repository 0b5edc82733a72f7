"""Issue 17: one budget per key across every /v1 route, anonymous use unlimited by default,
failed authentications limited per address, and logs/metrics that show the status sent."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from httpx import Response
from litestar.testing import TestClient

from qa_service.api.app import create_app
from qa_service.container import Services
from tests.integration.conftest import make_settings

KEY = "k-service-0123456789abcdef"
WIDGET_KEY = "k-widget-abcdef0123456789"
SEARCH = {"query": "ceasefire"}
ASK = {"question": "What did Peskov say about a ceasefire?"}

AppFactory = Callable[..., TestClient]


@pytest.fixture()
def make_client(seeded_services: Services) -> Iterator[AppFactory]:
    clients: list[TestClient] = []

    def make(**overrides: object) -> TestClient:
        settings = make_settings(seeded_services.settings.chroma_path, **overrides)
        services = Services(**{**seeded_services.__dict__, "settings": settings})
        client = TestClient(create_app(settings, services=services))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def every_v1_route(client: TestClient, headers: dict[str, str]) -> list[Callable[[], Response]]:
    doc_id = client.get("/v1/documents", headers=headers).json()["documents"][0]["id"]
    return [
        lambda: client.post("/v1/search", json=SEARCH, headers=headers),
        lambda: client.get("/v1/documents", headers=headers),
        lambda: client.get(f"/v1/documents/{doc_id}", headers=headers),
        lambda: client.post("/v1/ask", json=ASK, headers=headers),
        lambda: client.post("/v1/ask/stream", json=ASK, headers=headers),
    ]


def test_default_settings_without_keys_never_limit(make_client: AppFactory) -> None:
    client = make_client()  # the issue: 300 searches from one machine got 429 after 120
    statuses = {client.post("/v1/search", json=SEARCH).status_code for _ in range(300)}
    assert statuses == {200}


def test_a_key_has_one_budget_across_all_v1_routes(make_client: AppFactory) -> None:
    client = make_client(api_keys=KEY, rate_limit_per_minute=5, answer_rate_cost=1)
    calls = every_v1_route(client, bearer(KEY))  # spends 1 unit (the document list)
    statuses = [call().status_code for _ in range(3) for call in calls]
    assert statuses.count(200) == 4 and statuses[:4] == [200] * 4
    assert set(statuses[4:]) == {429}  # every route, the answer routes included


def test_answers_cost_more_units(make_client: AppFactory) -> None:
    client = make_client(api_keys=KEY, rate_limit_per_minute=5)  # default answer cost: 2
    statuses = [client.post("/v1/ask", json=ASK, headers=bearer(KEY)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    limited = client.post("/v1/search", json=SEARCH, headers=bearer(KEY))
    assert limited.status_code == 200  # the fifth unit
    assert limited.headers["ratelimit-remaining"] == "0"


def test_widget_key_has_its_own_budget(make_client: AppFactory) -> None:
    client = make_client(api_keys=KEY, widget_api_key=WIDGET_KEY, widget_rate_limit_per_minute=2)
    widget = [client.get("/v1/documents", headers=bearer(WIDGET_KEY)).status_code for _ in range(3)]
    assert widget == [200, 200, 429]
    assert client.get("/v1/documents", headers=bearer(KEY)).status_code == 200


def test_made_up_tokens_do_not_escape_the_anonymous_limit(make_client: AppFactory) -> None:
    client = make_client(anon_rate_limit_per_minute=5)
    statuses = [
        client.post("/v1/search", json=SEARCH, headers=bearer(f"made-up-{i}")).status_code
        for i in range(20)
    ]
    assert statuses == [200] * 5 + [429] * 15


def test_failed_authentications_are_limited_per_address(make_client: AppFactory) -> None:
    client = make_client(api_keys=KEY)
    statuses = [
        client.get("/v1/documents", headers=bearer(f"wrong-{i}")).status_code for i in range(30)
    ]
    assert statuses == [401] * 10 + [429] * 20
    locked = client.get("/v1/documents", headers=bearer(KEY))
    assert locked.status_code == 429  # a right guess would otherwise show itself as a 200
    assert int(locked.headers["retry-after"]) >= 1
    assert client.get("/healthz").status_code == 200  # only /v1 is locked


def test_limits_cover_every_v1_path_anchored(make_client: AppFactory) -> None:
    """The old exclusions matched anywhere: /v1/documents/widgetX was never limited."""
    client = make_client(api_keys=KEY, rate_limit_per_minute=2)
    for path in ("/v1/documents/widgetX", "/v1/documents/schema-probe"):
        assert client.get(path, headers=bearer(KEY)).status_code == 404
    assert client.get("/v1/documents", headers=bearer(KEY)).status_code == 429
    assert [client.get(p).status_code for p in ("/", "/widget.js", "/healthz")] == [200] * 3


def log_lines(text: str) -> list[dict[str, object]]:
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("event") == "request"]


def test_a_429_has_a_request_id_and_is_logged_and_counted_as_429(
    make_client: AppFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    client = make_client(api_keys=KEY, rate_limit_per_minute=1)
    assert client.post("/v1/search", json=SEARCH, headers=bearer(KEY)).status_code == 200
    capsys.readouterr()
    limited = client.post(
        "/v1/search", json=SEARCH, headers={**bearer(KEY), "X-Request-ID": "trace-429"}
    )
    assert limited.status_code == 429
    assert limited.headers["x-request-id"] == "trace-429"
    assert limited.headers["content-type"].startswith("application/problem+json")
    [line] = log_lines(capsys.readouterr().out)
    assert line["status"] == 429 and line["request_id"] == "trace-429"
    metrics = client.get("/metrics").text
    assert 'qa_request_seconds_count{method="POST",route="/v1/search",status="429"} 1.0' in metrics
    assert 'status="500"' not in metrics


def test_404_405_and_415_are_logged_and_counted_under_bounded_labels(
    make_client: AppFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    client = make_client()
    capsys.readouterr()
    responses = [
        client.get("/no/such/path-1"),
        client.get("/no/such/path-2"),
        client.get("/v1/search"),  # POST only
        client.post(
            "/v1/search", content=json.dumps(SEARCH), headers={"content-type": "text/plain"}
        ),
    ]
    assert [r.status_code for r in responses] == [404, 404, 405, 415]
    assert all(len(r.headers["x-request-id"]) == 32 for r in responses)
    assert [line["status"] for line in log_lines(capsys.readouterr().out)] == [404, 404, 405, 415]
    metrics = client.get("/metrics").text
    assert 'qa_request_seconds_count{method="GET",route="unmatched",status="404"} 2.0' in metrics
    assert "path-1" not in metrics  # raw paths never become labels
    assert 'status="405"} 1.0' in metrics and 'status="415"} 1.0' in metrics
