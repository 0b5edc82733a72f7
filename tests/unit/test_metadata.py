"""Metadata from the page itself: only the article's own header counts, nothing is invented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.loaders import iter_records
from qa_service.core.models import Article
from qa_service.ingestion.articles import to_article
from qa_service.ingestion.metadata import extract_metadata, http_url, parse_date, plain_text
from qa_service.ingestion.records import RawRecord
from tests.unit.test_clean import HTML_PAGE, MARKDOWN

SEEDS = Path(__file__).resolve().parents[2] / "data" / "articles"


def seed_meta(prefix: str) -> dict[str, str | None]:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return extract_metadata(path.read_text(encoding="utf-8"), "txt", {})


def test_seed_000_header_metadata_not_teaser_dates() -> None:
    meta = seed_meta("000")
    assert meta == {
        "title": "Kremlin rejects ceasefire linked to Ukraine referendum, says Moscow seeks "
        "“guaranteed peace”",
        "source": "Realist",
        "url": None,
        "author": None,
        "published_at": "2025-12-13T09:44:00",
    }


def test_seed_001_clean_body_has_no_title_or_date_but_dateline_source() -> None:
    assert seed_meta("001") == {
        "title": None,
        "source": "Realist",
        "url": None,
        "author": None,
        "published_at": None,
    }


def test_seed_002_title_and_published_not_updated_time() -> None:
    meta = seed_meta("002")
    assert meta["title"] == "Russia Striving for Lasting Peace, Not Mere Ceasefire - Kremlin"
    assert meta["published_at"] == "2025-12-10T09:08:00+00:00"
    assert meta["author"] is None


def test_seed_003_title_source_and_trailing_byline() -> None:
    meta = seed_meta("003")
    assert meta["title"] == (
        "Russia criticises Ukraine’s push for ceasefire without broader peace plan"
    )
    assert meta["source"] == "Caliber.Az"
    assert meta["author"] == "Sabina Mammadli"
    assert meta["published_at"] is None


def test_seed_004_title_after_caption_and_source_from_newsletter_box() -> None:
    meta = seed_meta("004")
    assert meta["title"] == (
        "Kremlin dismisses the possibility of a ‘freeze’ in the Ukraine conflict"
    )
    assert meta["source"] == "Defence Talks"
    assert meta["published_at"] is None
    assert meta["author"] is None


def test_seed_articles_carry_metadata_and_origin() -> None:
    articles = [to_article(r) for r in iter_records([SEEDS]) if isinstance(r, RawRecord)]
    assert all(isinstance(a, Article) for a in articles)
    first = articles[0]
    assert isinstance(first, Article)
    assert first.doc_id == "000_2024f5da2fff1265"
    assert first.origins == ("000_2024f5da2fff1265.txt",)
    assert first.published_at is not None and first.published_at.startswith("2025-12-13")


def test_html_metadata_from_markup() -> None:
    meta = extract_metadata(HTML_PAGE, "html", {})
    assert meta == {
        "title": "Kremlin says talks will continue",
        "source": "Northern Times",
        "url": "https://northern-times.example/world/kremlin-talks",
        "author": None,
        "published_at": "2025-12-11T08:30:00+00:00",
    }


def test_html_article_end_to_end() -> None:
    article = to_article(RawRecord("page.html", "page", "html", HTML_PAGE, {}))
    assert isinstance(article, Article)
    assert article.title == "Kremlin says talks will continue"
    assert article.url == "https://northern-times.example/world/kremlin-talks"
    assert article.text.startswith("MOSCOW (Northern Times).")
    assert "Privacy Policy" not in article.text


def test_markdown_title_byline_and_date() -> None:
    meta = extract_metadata(MARKDOWN, "md", {})
    assert meta["title"] == "Ceasefire talks resume in Geneva"
    assert meta["author"] == "Anna Berg"
    assert meta["published_at"] == "2025-11-20"


def test_given_values_win_and_fill_gaps_from_text() -> None:
    given = {
        "title": "Given title",
        "source": None,
        "url": "https://x.example/a",
        "author": None,
        "published_at": "10 December 2025",
    }
    meta = extract_metadata(MARKDOWN, "jsonl", given)
    assert meta == {
        "title": "Given title",
        "source": None,
        "url": "https://x.example/a",
        "author": "Anna Berg",
        "published_at": "2025-12-10",
    }


def test_no_date_is_ever_invented() -> None:
    text = "A headline here\n\nPeskov said talks continue. They met for hours.\n\nMore said."
    assert extract_metadata(text, "txt", {})["published_at"] is None
    assert extract_metadata(text, "txt", {"published_at": "sometime soon"})["published_at"] is None


def test_url_line_in_header() -> None:
    text = "URL: https://news.example/story-1\n\nThe Kremlin said talks would go on.\n\nNo more."
    assert extract_metadata(text, "txt", {})["url"] == "https://news.example/story-1"


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("December 13, 2025, 09:44", "2025-12-13T09:44:00"),
        ("09:08 GMT 10.12.2025 (Updated: 09:22 GMT 10.12.2025)", "2025-12-10T09:08:00+00:00"),
        ("29 January, 2026", "2026-01-29"),
        ("2025-12-10T09:08:00Z", "2025-12-10T09:08:00+00:00"),
        ("2025-12-11T08:30:00+0300", "2025-12-11T08:30:00+03:00"),
        ("Wednesday, Dec. 3, 2025 at 4:15 pm", "2025-12-03T16:15:00"),
        ("25/12/2025", "2025-12-25"),
        ("February 30, 2025", None),
        ("no date here", None),
    ],
)
def test_parse_date(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


def test_xhtml_with_xml_declaration_still_yields_markup_date() -> None:
    page = '<?xml version="1.0" encoding="utf-8"?>\n' + HTML_PAGE.replace("<!DOCTYPE html>\n", "")
    assert extract_metadata(page, "html", {})["published_at"] == "2025-12-11T08:30:00+00:00"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        "java\nscript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "//evil.example/x",
        "https://",
        "https://ex ample.com/",
        "http://example.com/\x00",
        "not a url",
    ],
)
def test_only_absolute_http_urls_are_kept(url: str) -> None:
    warnings: list[str] = []
    meta = extract_metadata("Body text here.", "jsonl", {"url": url}, warnings)
    assert meta["url"] is None
    assert http_url(url) is None


def test_http_urls_pass_and_a_dropped_url_is_reported() -> None:
    for url in ("https://news.example/a?b=1#c", "HTTP://News.Example/x"):
        assert http_url(url) == url
    warnings: list[str] = []
    extract_metadata("Body.", "jsonl", {"url": "javascript:alert(1)"}, warnings)
    assert warnings == ["url dropped: scheme 'javascript' is not http(s)"]


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("Peace <img src=x onerror=alert(1)> talks", "Peace talks"),
        ("<script>alert(1)</script>Summit", "alert(1) Summit"),
        ("&lt;b&gt;Bold&lt;/b&gt; claim", "Bold claim"),
        # the inner tag goes; what is left is no tag ("<" then a space is text in HTML)
        ("<<b>img src=x onerror=alert(1)>>x", "< img src=x onerror=alert(1)>>x"),
        ("Tail <img src=x onerror=alert(1)", "Tail"),
        ("Profits < forecast, costs > plan", "Profits < forecast, costs > plan"),
        ("AT&amp;T &amp; Verizon", "AT&T & Verizon"),
        ("<b></b>", None),
    ],
)
def test_titles_are_plain_text(raw: str, plain: str | None) -> None:
    assert plain_text(raw) == plain
    assert not re.search(r"<[A-Za-z/!?]", plain or "")  # nothing a browser would parse as a tag
    meta = extract_metadata("Body text.", "jsonl", {"title": raw, "author": raw, "source": raw})
    assert meta["title"] == meta["author"] == meta["source"] == plain
