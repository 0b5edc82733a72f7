"""Text shows up while the answer streams; ``done`` then replaces it; Stop ends a stream."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.slow_stream import FINAL_ANSWER, FIRST_DELTA, SlowStream
from tests.e2e.widget_page import answer, ask, open_widget

pytestmark = pytest.mark.e2e


def test_answer_renders_as_it_streams_then_done_wins(
    page: Any, slow_stream: SlowStream, artifacts: Path
) -> None:
    slow_stream.release.clear()
    open_widget(page, slow_stream.url + "/")
    ask(page, "Anything new?")
    bubble = page.locator(".nqa-a").first
    text = bubble.locator(".nqa-text")
    expect(text).to_contain_text(FIRST_DELTA.split(" [")[0])  # before the stream has ended
    expect(bubble).to_have_attribute("aria-busy", "true")
    expect(bubble.locator(".nqa-cite--pending")).to_have_text("1")  # not clickable yet
    expect(page.locator(".nqa-log")).to_have_attribute("aria-live", "polite")
    expect(page.get_by_role("button", name="Stop the answer")).to_be_visible()
    page.screenshot(path=str(artifacts / "streaming.png"))

    slow_stream.release.set()
    final = answer(page, 0)
    expect(final.locator(".nqa-text")).to_have_text(FINAL_ANSWER.replace(" [1]", "") + "1")
    expect(final.locator(".nqa-text .nqa-cite")).to_have_count(1)  # [9] had no citation
    expect(final.locator(".nqa-note")).to_contain_text("quotes the articles directly")  # degraded
    final.locator(".nqa-text .nqa-cite").click()
    expect(final.locator(".nqa-card-meta")).to_have_text("Wire · Mar 2, 2025")
    expect(final.locator("a.nqa-card-title")).to_have_attribute(
        "href", "https://news.invalid/streamed"
    )
    expect(page.get_by_role("button", name="Ask", exact=True)).to_be_visible()


def test_stop_ends_the_stream_and_offers_to_ask_again(page: Any, slow_stream: SlowStream) -> None:
    slow_stream.release.clear()
    open_widget(page, slow_stream.url + "/")
    ask(page, "Anything new?")
    expect(page.locator(".nqa-text")).to_contain_text("Streaming first part")
    page.get_by_role("button", name="Stop the answer").click()
    bubble = answer(page, 0)
    expect(bubble.locator(".nqa-error-title")).to_have_text("Stopped")

    slow_stream.release.set()  # the retried stream runs to the end
    bubble.get_by_role("button", name="Ask again").click()
    expect(answer(page, 0).locator(".nqa-text")).to_contain_text("Authoritative final answer")
