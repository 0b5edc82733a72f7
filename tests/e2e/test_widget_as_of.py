"""The "as of" date behind the widget's Options: sent as ``as_of``, and it changes the evidence."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Site
from tests.e2e.widget_page import answer, ask, open_widget

pytestmark = pytest.mark.e2e

CEASEFIRE = "What did the Kremlin say about a ceasefire?"


def test_as_of_is_folded_away_and_sent_when_set(page: Any, site: Site) -> None:
    open_widget(page, site.base_url + "/")
    date_input = page.get_by_label("Answer as of")
    expect(date_input).to_be_hidden()  # behind "Options" until asked for

    request = ask(page, CEASEFIRE)
    assert "as_of" not in request.post_data_json  # default: now
    answer(page, 0)

    page.get_by_text("Options").click()
    expect(date_input).to_be_visible()
    date_input.fill("2025-12-11")
    request = ask(page, CEASEFIRE)
    assert request.post_data_json["as_of"] == "2025-12-11"
    bubble = answer(page, 1)
    expect(bubble.locator(".nqa-abstain")).to_have_count(0)
    sources = bubble.locator(".nqa-sources")
    expect(sources).to_be_visible()
    # the Realist piece is from 13 December: never evidence on the 11th
    expect(sources).not_to_contain_text("Realist")
