"""Issue 17: the API docs pages load nothing from another host (offline-first) and carry a CSP."""

from __future__ import annotations

import re

import pytest
from litestar.testing import TestClient

from qa_service.api.docs_pages import DOCS_CSP

REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)


@pytest.mark.parametrize("path", ["/schema", "/schema/swagger"])
def test_swagger_page_references_no_external_host(client: TestClient, path: str) -> None:
    page = client.get(path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"] == DOCS_CSP
    assert "script-src 'self';" in DOCS_CSP and "unsafe-eval" not in DOCS_CSP
    references = REFERENCE.findall(page.text)
    assert references, page.text
    for reference in references:
        assert reference.startswith(("/", "data:")) and not reference.startswith("//"), reference
    assert "<script>" not in page.text.replace(" ", "")  # no inline code (the CSP forbids it)
    assert "cdn" not in page.text.lower() and "http" not in page.text.lower()
    for reference in references:
        if reference.startswith("/"):
            asset = client.get(reference)
            assert asset.status_code == 200, reference
            assert asset.headers["content-type"].startswith(("text/javascript", "text/css"))


def test_init_script_points_swagger_at_the_local_document(client: TestClient) -> None:
    page = client.get("/schema/swagger").text
    assert 'data-spec-url="/schema/openapi.json"' in page
    init = client.get("/schema/assets/swagger-init.js").text
    assert "validatorUrl: null" in init and "http" not in init  # no validator badge fetch
    assert client.get("/schema/openapi.json").json()["openapi"].startswith("3.1")
    bundle = client.get("/schema/assets/swagger-ui-bundle.js")
    assert len(bundle.content) > 500_000  # the real Swagger UI 5 bundle, from the package


def test_pages_that_would_load_a_cdn_are_not_served(client: TestClient) -> None:
    for path in ("/schema/redoc", "/schema/elements", "/schema/rapidoc"):
        response = client.get(path)
        assert response.status_code == 404
        assert "cdn" not in response.text.lower()
    assert client.get("/schema/assets/../../etc/passwd").status_code == 404
    assert client.get("/schema/assets/nothing.js").status_code == 404
