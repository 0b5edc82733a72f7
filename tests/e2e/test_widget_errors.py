"""Error, retry and hostile-content states: the browser's network is intercepted at its boundary.

``page.route`` answers the widget's request in place of the server (429, 5xx, a dropped connection,
a crafted stream); everything else — the page, the widget, the retry — is real.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Site
from tests.e2e.widget_page import TRUCE, answer, ask, open_widget

pytestmark = pytest.mark.e2e
STREAM = "**/v1/ask/stream"


def problem(status: int, title: str, detail: str) -> str:
    return json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail})


def sse(*events: tuple[str, Any]) -> str:
    return "".join(f"event: {name}\r\ndata: {json.dumps(data)}\r\n\r\n" for name, data in events)


def test_rate_limit_shows_retry_after_countdown_then_retries(
    page: Any, site: Site, artifacts: Path
) -> None:
    open_widget(page, site.base_url + "/")
    page.route(
        STREAM,
        lambda route: route.fulfill(
            status=429,
            headers={"Retry-After": "3", "Content-Type": "application/problem+json"},
            body=problem(429, "Too Many Requests", "Too many requests"),
        ),
    )
    ask(page, TRUCE)
    bubble = answer(page, 0)
    expect(bubble.locator(".nqa-error-title")).to_have_text("Too many questions right now")
    expect(bubble.locator(".nqa-error-detail")).to_contain_text("You can ask again in")
    retry = bubble.get_by_role("button", name="Try again")
    expect(retry).to_be_disabled()
    page.screenshot(path=str(artifacts / "rate-limited.png"))
    expect(retry).to_be_enabled(timeout=10_000)
    expect(bubble.locator(".nqa-error-detail")).to_have_text("You can ask again now.")

    page.unroute(STREAM)
    retry.click()
    bubble = answer(page, 0)
    expect(bubble.locator(".nqa-text .nqa-cite").first).to_be_visible()
    expect(page.get_by_label("Your question")).to_be_focused()


def test_network_failure_then_retry_succeeds(page: Any, site: Site) -> None:
    open_widget(page, site.base_url + "/")
    page.route(STREAM, lambda route: route.abort("internetdisconnected"))
    ask(page, TRUCE)
    bubble = answer(page, 0)
    expect(bubble.locator(".nqa-error-title")).to_have_text("Couldn't reach the news service")
    page.unroute(STREAM)
    bubble.get_by_role("button", name="Try again").click()
    expect(answer(page, 0).locator(".nqa-text")).to_contain_text("30-day")


@pytest.mark.parametrize(
    ("status", "title", "detail", "retry"),
    [
        (503, "The service is having trouble", "The article store is unavailable (error 503)", 1),
        (400, "That question couldn't be answered", "Validation failed (error 400)", 0),
        (401, "This site's access key was not accepted", "A valid API key is required", 0),
    ],
)
def test_problem_json_errors_are_explained(
    page: Any, site: Site, status: int, title: str, detail: str, retry: int
) -> None:
    open_widget(page, site.base_url + "/")
    page.route(
        STREAM,
        lambda route: route.fulfill(
            status=status,
            headers={"Content-Type": "application/problem+json"},
            body=problem(status, "Error", detail.split(" (")[0]),
        ),
    )
    ask(page, TRUCE)
    bubble = answer(page, 0)
    expect(bubble.locator(".nqa-error")).to_have_attribute("role", "alert")
    expect(bubble.locator(".nqa-error-title")).to_have_text(title)
    expect(bubble.locator(".nqa-error-detail")).to_contain_text(detail)
    expect(bubble.locator(".nqa-retry")).to_have_count(retry)


def test_error_event_and_cut_off_stream(page: Any, site: Site) -> None:
    open_widget(page, site.base_url + "/")
    bodies = [
        sse(
            ("retrieval", {"passages": []}),
            ("error", {"status": 503, "title": "LLM", "detail": "The language model is down"}),
        ),
        sse(("retrieval", {"passages": []}), ("delta", {"text": "Half an answer"})),
    ]
    page.route(
        STREAM,
        lambda route: route.fulfill(
            status=200, headers={"Content-Type": "text/event-stream"}, body=bodies.pop(0)
        ),
    )
    ask(page, TRUCE)
    expect(answer(page, 0).locator(".nqa-error-detail")).to_contain_text("language model is down")
    ask(page, TRUCE)
    expect(answer(page, 1).locator(".nqa-error-title")).to_have_text("The answer was cut off")
    expect(page.locator(".nqa-retry")).to_have_count(1)  # only the last turn offers a retry


def test_article_text_is_never_interpreted_as_html(page: Any, site: Site) -> None:
    evil = '<img src=x onerror="window.__pwned=1">Evil <script>window.__pwned=2</script>'
    citations = [
        {
            "id": 1,
            "chunk_id": "c1",
            "document_id": "d1",
            "title": "<script>window.__pwned=3</script>Title",
            "source": "<b>Bold Source</b>",
            "url": "javascript:window.__pwned=4",
            "published_at": "2025-05-01",
            "quote": '<img src=x onerror="window.__pwned=5">quoted',
            "start": 0,
            "end": 7,
        },
        {
            "id": 2,
            "chunk_id": "c2",
            "document_id": "d2",
            "title": "Safe link",
            "source": "S",
            "url": "https://news.invalid/a",
            "published_at": None,
            "quote": "q",
            "start": 0,
            "end": 1,
        },
    ]
    done = {
        "answer": f"{evil} [1] and [2]",
        "abstained": False,
        "degraded": False,
        "citations": citations,
    }
    body = sse(("delta", {"text": evil}), ("done", done))
    page.route(
        STREAM,
        lambda route: route.fulfill(
            status=200, headers={"Content-Type": "text/event-stream"}, body=body
        ),
    )
    open_widget(page, site.base_url + "/")
    ask(page, TRUCE)
    bubble = answer(page, 0)
    bubble.locator(".nqa-text .nqa-cite").first.click()
    expect(bubble.locator(".nqa-card")).to_be_visible()
    expect(bubble.locator(".nqa-text")).to_contain_text('<img src=x onerror="window.__pwned=1">')
    expect(bubble.locator(".nqa-card-title")).to_have_text("<script>window.__pwned=3</script>Title")
    expect(bubble.locator(".nqa-card-meta")).to_contain_text("<b>Bold Source</b>")
    assert bubble.locator("img, script, b").count() == 0
    expect(bubble.locator("a")).to_have_count(0)  # a javascript: url never becomes a link
    assert page.evaluate("window.__pwned") is None

    bubble.locator(".nqa-text .nqa-cite").nth(1).click()
    link = bubble.locator("a.nqa-card-title")
    expect(link).to_have_attribute("href", "https://news.invalid/a")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
