"""What a reader does with the widget, in Playwright terms (shared by the browser tests)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import ANSWER_TIMEOUT_MS

TRUCE = "What is Moscow's position on a 30-day truce?"
OFF_TOPIC = "What is the capital of Australia?"
TRUCE_TITLE = "Russia criticises Ukraine’s push for ceasefire without broader peace plan"
# The truce answer leads with the Kremlin's position (issue 13), so [1] cites this article.
KREMLIN_TITLE = (
    "Kremlin rejects ceasefire linked to Ukraine referendum, says Moscow seeks “guaranteed peace”"
)


def open_widget(page: Any, url: str) -> Any:
    page.goto(url)
    widget = page.locator("section.nqa")
    expect(widget).to_be_visible()
    return widget


def ask(page: Any, question: str) -> Any:
    """Type the question and press Enter; returns the request the widget sent."""
    box = page.get_by_label("Your question")
    box.fill(question)
    with page.expect_request("**/v1/ask/stream") as request:
        box.press("Enter")
    return request.value


def answer(page: Any, index: int) -> Any:
    """The ``index``-th answer bubble (0-based; -1 for the last), once it is final."""
    bubbles = page.locator(".nqa-a")
    bubble = bubbles.last if index == -1 else bubbles.nth(index)
    expect(bubble).to_have_attribute("aria-busy", "false", timeout=ANSWER_TIMEOUT_MS)
    return bubble
