"""The widget's files: served at /, /widget.js and /widget.css, open even when API keys are on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from qa_service.api.app import create_app
from qa_service.container import Services
from tests.integration.conftest import make_settings

SERVICE_KEY = "k-service-0123456789abcdef"
WIDGET_KEY = 'k-widget-"><script>alert(1)</script>'  # must be escaped into the page


@pytest.fixture()
def secured(seeded_services: Services) -> Iterator[TestClient]:
    settings = make_settings(
        seeded_services.settings.chroma_path,
        api_keys=SERVICE_KEY,
        widget_api_key=WIDGET_KEY,
        rate_limit_per_minute=2,
        widget_rate_limit_per_minute=2,
    )
    services = Services(**{**seeded_services.__dict__, "settings": settings})
    with TestClient(create_app(settings, services=services)) as client:
        yield client


@pytest.mark.parametrize(
    ("path", "content_type", "marker"),
    [
        ("/", "text/html; charset=utf-8", 'src="widget.js"'),
        ("/widget.js", "text/javascript; charset=utf-8", "v1/ask/stream"),
        ("/widget.css", "text/css; charset=utf-8", ".nqa-cite"),
    ],
)
def test_files_are_served_with_their_content_type(
    client: TestClient, path: str, content_type: str, marker: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert response.headers["x-content-type-options"] == "nosniff"
    assert marker in response.text


def test_page_forbids_inline_script_and_foreign_connections(client: TestClient) -> None:
    csp = client.get("/").headers["content-security-policy"]
    assert "script-src 'self';" in csp
    assert "connect-src 'self';" in csp
    assert "unsafe-inline" not in csp


def test_widget_never_parses_text_as_html() -> None:
    """A cheap guard next to the browser test: no HTML-parsing sinks in the widget source."""
    from qa_service.api.controllers.widget import STATIC_DIR

    source = (STATIC_DIR / "widget.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in source


def test_files_stay_open_when_api_keys_are_required(secured: TestClient) -> None:
    assert secured.post("/v1/search", json={"query": "ceasefire"}).status_code == 401
    for path in ("/", "/widget.js", "/widget.css"):
        assert secured.get(path).status_code == 200, path


def test_page_carries_the_escaped_widget_key(secured: TestClient) -> None:
    page = secured.get("/").text
    assert 'data-api-key="k-widget-&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page
    assert "<script>alert(1)" not in page
    assert SERVICE_KEY not in page  # only the public widget key is ever put in the page


def test_page_without_a_widget_key_has_an_empty_key(client: TestClient) -> None:
    assert 'data-api-key=""' in client.get("/").text


def test_files_are_not_rate_limited(secured: TestClient) -> None:
    statuses = [secured.get(path).status_code for path in ("/", "/widget.js") * 4]
    assert statuses == [200] * 8
    # "/" is excluded exactly: the API behind it keeps its limit (2 a minute here)
    keyed = {"Authorization": f"Bearer {SERVICE_KEY}"}
    api = [secured.get("/v1/documents", headers=keyed).status_code for _ in range(3)]
    assert api == [200, 200, 429]


def test_files_are_not_in_the_openapi_schema(client: TestClient) -> None:
    paths = client.get("/schema/openapi.json").json()["paths"]
    assert "/v1/ask/stream" in paths
    assert not {"/", "/widget.js", "/widget.css"} & set(paths)
