"""Issue 17: the API docs page renders with no network beyond the API itself, under its CSP."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Site

pytestmark = pytest.mark.e2e


def test_swagger_ui_renders_offline_from_local_files(
    page: Any, site: Site, artifacts: Path
) -> None:
    api_origin = urlsplit(site.base_url).netloc
    elsewhere: list[str] = []

    def only_the_api(route: Any) -> None:
        if urlsplit(route.request.url).netloc == api_origin:
            route.continue_()
        else:  # a CDN, a validator badge, a font: none may be needed
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_api)
    page.goto(site.base_url + "/schema/swagger")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("News QA API")
    expect(page.locator(".opblock-summary-path", has_text="/v1/ask/stream")).to_have_count(1)
    assert page.locator(".swagger-ui .opblock").count() >= 6
    assert elsewhere == []
    page.screenshot(path=str(artifacts / "docs-swagger.png"))
