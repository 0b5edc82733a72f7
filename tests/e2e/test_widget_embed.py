"""The one-line embed snippet on another site's page: cross-origin, with the widget key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Site
from tests.e2e.servers import WIDGET_KEY
from tests.e2e.widget_page import KREMLIN_TITLE, TRUCE, answer, ask, open_widget

pytestmark = pytest.mark.e2e


def test_snippet_mounts_into_target_and_answers(page: Any, site: Site, artifacts: Path) -> None:
    assert site.host_origin != site.base_url  # really another origin
    open_widget(page, site.host_origin + "/embed.html")
    expect(page.locator("#qa > section.nqa")).to_have_count(1)  # mounted into data-target
    expect(page.locator(f'link[href="{site.base_url}/widget.css"]')).to_have_count(1)
    expect(page.locator(".nqa-launcher")).to_have_count(0)

    request = ask(page, TRUCE)
    assert request.url == f"{site.base_url}/v1/ask/stream"  # base URL taken from the script src
    headers = request.all_headers()
    assert headers["authorization"] == f"Bearer {WIDGET_KEY}"
    assert headers["origin"] == site.host_origin
    bubble = answer(page, 0)
    expect(bubble.locator(".nqa-error")).to_have_count(0)  # CORS preflight with Authorization ok
    bubble.locator(".nqa-text .nqa-cite").first.click()
    expect(bubble.locator(".nqa-card-title")).to_have_text(KREMLIN_TITLE)
    page.screenshot(path=str(artifacts / "embed-inline.png"))


def test_snippet_without_target_opens_a_floating_panel(
    page: Any, site: Site, artifacts: Path
) -> None:
    page.goto(site.host_origin + "/floating.html")
    launcher = page.locator(".nqa-launcher")
    expect(launcher).to_be_visible()
    expect(page.locator(".nqa-panel")).to_be_hidden()
    launcher.click()
    expect(page.locator(".nqa-panel")).to_be_visible()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_label("Your question")).to_be_focused()

    ask(page, TRUCE)
    bubble = answer(page, 0)
    expect(bubble.locator(".nqa-text .nqa-cite").first).to_be_visible()
    page.screenshot(path=str(artifacts / "embed-floating.png"))

    page.get_by_label("Your question").press("Escape")
    expect(page.locator(".nqa-panel")).to_be_hidden()
    expect(launcher).to_be_focused()


def test_origin_outside_the_cors_allow_list_is_refused(page: Any, site: Site) -> None:
    other_origin = site.host_origin.replace("127.0.0.1", "localhost")  # same page, other origin
    page.goto(other_origin + "/embed.html")
    expect(page.locator("section.nqa")).to_be_visible()
    ask(page, TRUCE)
    bubble = answer(page, 0)
    expect(bubble.locator(".nqa-error-title")).to_have_text("Couldn't reach the news service")
    expect(bubble.locator(".nqa-retry")).to_be_visible()
