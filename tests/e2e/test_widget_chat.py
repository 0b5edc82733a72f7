"""The chat page at ``/`` in a real Chromium against the real API (MiniLM, extractive answers)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Site, launch, watched_page
from tests.e2e.servers import SERVICE_KEY, WIDGET_KEY
from tests.e2e.widget_page import (
    KREMLIN_TITLE,
    OFF_TOPIC,
    TRUCE,
    TRUCE_TITLE,
    answer,
    ask,
    open_widget,
)

pytestmark = pytest.mark.e2e


def article_text(site: Site, document_id: str) -> str:
    response = httpx.get(
        f"{site.base_url}/v1/documents/{document_id}",
        headers={"Authorization": f"Bearer {SERVICE_KEY}"},
        trust_env=False,
        timeout=30,
    )
    response.raise_for_status()
    return str(response.json()["text"])


def test_truce_answer_streams_with_footnotes(page: Any, site: Site, artifacts: Path) -> None:
    open_widget(page, site.base_url + "/")
    expect(page.get_by_label("Your question")).to_be_focused()  # data-autofocus on the page

    request = ask(page, TRUCE)
    assert request.headers["authorization"] == f"Bearer {WIDGET_KEY}"  # key injected into "/"
    assert request.headers["accept"] == "text/event-stream"
    assert request.post_data_json == {"question": TRUCE, "history": []}

    bubble = answer(page, 0)
    expect(bubble.locator(".nqa-text")).to_contain_text("30-day")
    markers = bubble.locator(".nqa-text .nqa-cite")
    assert markers.count() >= 1
    expect(bubble.locator(".nqa-abstain")).to_have_count(0)
    expect(bubble.locator(".nqa-sources")).to_contain_text("Caliber.Az")
    assert "[" not in bubble.locator(".nqa-text").inner_text()  # markers became footnotes

    # [1] is the Kremlin's position (issue 13): Peskov, named as the quote's speaker
    markers.first.click()
    card = bubble.locator(".nqa-card")
    expect(card).to_be_visible()
    expect(card.locator(".nqa-card-title")).to_have_text(KREMLIN_TITLE)
    expect(card.locator(".nqa-card-meta")).to_contain_text("Realist")
    expect(card.locator(".nqa-card-speaker")).to_have_text("Kremlin spokesman Dmitry Peskov")
    expect(markers.first).to_have_attribute("aria-expanded", "true")
    quote = card.locator(".nqa-quote").inner_text()
    assert len(quote) > 20
    assert quote in article_text(site, "000_2024f5da2fff1265")  # verbatim from the article
    expect(bubble.locator(".nqa-source-title").filter(has_text=TRUCE_TITLE)).to_have_count(1)
    page.screenshot(path=str(artifacts / "truce-answer.png"))

    page.keyboard.press("Escape")
    expect(card).to_be_hidden()
    expect(markers.first).to_be_focused()
    expect(markers).to_have_count(3)
    assert [m.inner_text() for m in markers.all()] == ["1", "2", "3"]  # numbered in order
    expect(markers.first).to_have_attribute("aria-expanded", "false")


def test_footnotes_are_reachable_by_keyboard(page: Any, site: Site) -> None:
    open_widget(page, site.base_url + "/")
    ask(page, TRUCE)
    bubble = answer(page, 0)
    markers = bubble.locator(".nqa-text .nqa-cite")

    page.locator(".nqa-reset").focus()  # the control right before the conversation
    page.keyboard.press("Tab")
    expect(markers.first).to_be_focused()
    page.keyboard.press("Tab")
    second = markers.nth(1) if markers.count() > 1 else bubble.locator(".nqa-source-num").first
    expect(second).to_be_focused()
    page.keyboard.press("Enter")
    card = bubble.locator(".nqa-card")
    expect(card).to_be_visible()
    expect(card).to_be_focused()  # focus moves into the opened footnote
    page.keyboard.press("Tab")
    expect(card.locator(".nqa-card-close")).to_be_focused()
    page.keyboard.press("Escape")
    expect(card).to_be_hidden()
    expect(second).to_be_focused()


def test_off_topic_question_abstains(page: Any, site: Site, artifacts: Path) -> None:
    open_widget(page, site.base_url + "/")
    ask(page, OFF_TOPIC)
    bubble = answer(page, 0)
    expect(bubble.locator(".nqa-abstain-title")).to_have_text("The articles don't cover this")
    expect(bubble).to_have_class("nqa-a nqa-a--abstained")
    expect(bubble.locator(".nqa-cite")).to_have_count(0)
    page.screenshot(path=str(artifacts / "abstained.png"))


def test_follow_ups_send_the_last_six_history_entries(page: Any, site: Site) -> None:
    open_widget(page, site.base_url + "/")
    questions = [
        TRUCE,
        "What do Ukrainian officials say about it?",
        "What did the Kremlin say about a referendum?",
        "Who met Putin in Moscow?",
    ]
    sent = []
    for index, question in enumerate(questions):
        sent.append(ask(page, question).post_data_json)
        answer(page, index)

    first_answer = sent[1]["history"][1]
    assert sent[1]["history"][0] == {"role": "user", "content": TRUCE}
    assert first_answer["role"] == "assistant" and "30-day" in first_answer["content"]
    assert len(sent[2]["history"]) == 4
    fourth = sent[3]["history"]
    assert len(fourth) == 6  # 3 earlier turns, capped at 6 entries
    assert [turn["role"] for turn in fourth] == ["user", "assistant"] * 3
    assert [turn["content"] for turn in fourth[::2]] == questions[:3]
    expect(page.locator(".nqa-turn")).to_have_count(4)
    expect(page.locator(".nqa-error")).to_have_count(0)

    page.get_by_role("button", name="Start a new conversation").click()
    expect(page.locator(".nqa-turn")).to_have_count(0)
    assert ask(page, OFF_TOPIC).post_data_json["history"] == []
    answer(page, 0)


def test_phone_viewport_fits_375px(
    playwright_driver: Any, site: Site, tmp_path: Path, artifacts: Path
) -> None:
    phone = launch(
        playwright_driver,
        tmp_path / "phone-profile",
        viewport={"width": 375, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="en-US",
    )
    try:
        page, watch = watched_page(phone)
        open_widget(page, site.base_url + "/")
        ask(page, TRUCE)
        bubble = answer(page, 0)
        bubble.locator(".nqa-text .nqa-cite").first.tap()
        card = bubble.locator(".nqa-card")
        expect(card).to_be_visible()
        box = card.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
        assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scroll
        send = page.get_by_role("button", name="Ask", exact=True).bounding_box()
        assert send is not None and send["x"] + send["width"] <= 375
        page.screenshot(path=str(artifacts / "phone-375.png"))
        assert not watch.errors, watch.errors
    finally:
        phone.close()
