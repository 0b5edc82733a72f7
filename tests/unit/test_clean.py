"""Boilerplate removal, pinned on the real seed pages and on small made-up pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qa_service.ingestion.articles import to_article
from qa_service.ingestion.clean import analyse_page, clean_document, clean_text
from qa_service.ingestion.records import RawRecord, Skipped

SEEDS = Path(__file__).resolve().parents[2] / "data" / "articles"
SEED_FILES = sorted(SEEDS.glob("*.txt"))


def seed(prefix: str) -> str:
    return next(p for p in SEED_FILES if p.name.startswith(prefix)).read_text(encoding="utf-8")


def paragraphs(text: str) -> list[str]:
    return [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n", text) if p.strip()]


BOILERPLATE_000 = [
    "• News",
    "Русский / English",
    "No Result",
    "View All Result",
    "Previous Post",
    "Next Post",
    "Germany invites U.S. to Berlin",
    "Former Pakistan spy chief",
    "Related Posts",
    "Most Popular",
    "election commission approves",
    "Star Wars without fiction",
    "All rights reserved.",
    "© 2017-2025",
    "About Us",
    "Privacy Policy",
    "Follow Realist English",
    "RussiaRussia’s Foreign PolicySpecial Military Operation in Ukraine",
    "January, 2026",
    "Realist: news and analytics",
    "Peskov says any pause framed",
    "December 13, 2025",
]


def test_raw_page_000_cleans_to_exactly_the_clean_body_001() -> None:
    cleaned = clean_text(seed("000"))
    assert cleaned == clean_text(seed("001"))
    assert paragraphs(cleaned) == paragraphs(seed("001"))
    assert cleaned.startswith("MOSCOW (Realist English). The Kremlin has rejected")
    for marker in BOILERPLATE_000:
        assert marker not in cleaned, marker
    assert "\n\nU.S.-led diplomatic track\n\n" in cleaned
    assert "\n\nContacts with Moscow\n\n" in cleaned


def test_seed_004_drops_see_also_newsletter_comment_form_caption_and_title() -> None:
    cleaned = clean_text(seed("004"))
    for marker in (
        "See also",
        "Hezbollah",
        "Discover more from",
        "Subscribe to get",
        "Leave a Reply",
        "Your email address",
        "Required fields",
        "Kremlin spokesman Dmitry Peskov\n",
        "Kremlin dismisses the possibility",
    ):
        assert marker not in cleaned, marker
    assert cleaned.startswith("Any proposals aimed at freezing the conflict in Ukraine")
    assert cleaned.endswith("address the fundamental causes of the conflict.")
    assert "The Kremlin reported that the Russian president also pointed out" in cleaned


def test_seed_002_drops_title_echoes_dateline_and_status_line() -> None:
    cleaned = clean_text(seed("002"))
    assert "Russia Striving for Lasting Peace" not in cleaned
    assert "GMT" not in cleaned and "10.12.2025" not in cleaned
    assert "Being updated" not in cleaned
    assert cleaned.startswith("Russia is working towards peace, not a ceasefire with Ukraine")
    # A line broken mid-sentence is joined back into its paragraph.
    assert "with US President Donald Trump that addressed Russia and Ukraine, Peskov said." in (
        cleaned
    )


def test_seed_003_drops_title_and_trailing_byline() -> None:
    cleaned = clean_text(seed("003"))
    assert "By Sabina Mammadli" not in cleaned
    assert not cleaned.startswith("Russia criticises")
    assert cleaned.startswith("The Russian Foreign Ministry has expressed concern")
    assert cleaned.endswith("a red line they will not cross.")


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name[:3])
def test_cleaning_is_idempotent_and_well_formed(path: Path) -> None:
    once = clean_text(path.read_text(encoding="utf-8"))
    assert once
    assert clean_text(once) == once
    assert "\n\n\n" not in once and "\r" not in once
    assert all(line == line.strip() for line in once.split("\n"))


def test_crlf_and_trailing_spaces_are_normalised() -> None:
    raw = "Title line\r\n\r\n\r\n\r\nFirst paragraph says a thing.   \r\nSecond one says more.\r\n"
    assert clean_text(raw) == "First paragraph says a thing.\n\nSecond one says more."


MENU_ONLY = """Realist: news and analytics

  • News
  • Russia
  • Opinion
No Result
View All Result
Русский / English / العربية

All rights reserved.

© 2017-2025

  • About Us
  • Privacy Policy

Follow Realist English
"""


def test_boilerplate_only_page_cleans_to_empty_and_is_skipped() -> None:
    assert clean_text(MENU_ONLY) == ""
    result = to_article(RawRecord("menu.txt", "menu", "txt", MENU_ONLY, {}))
    assert result == Skipped("menu.txt", "no article text after cleaning")


MARKDOWN = """# Ceasefire talks resume in Geneva

*By Anna Berg*

Published: 2025-11-20

Diplomats from both countries met in Geneva on Thursday to resume talks
on a possible ceasefire, according to officials familiar with the
[negotiations](https://example.org/x).

## What comes next

The next round is expected in early December, the officials said, and
both delegations will report back to their capitals.

![map](map.png)

Share this:

* [Facebook](https://facebook.example)
"""


def test_markdown_heading_links_and_wrapped_lines() -> None:
    cleaned = clean_text(MARKDOWN)
    assert cleaned == (
        "Diplomats from both countries met in Geneva on Thursday to resume talks on a possible "
        "ceasefire, according to officials familiar with the negotiations.\n\n"
        "What comes next\n\n"
        "The next round is expected in early December, the officials said, and both delegations "
        "will report back to their capitals."
    )
    assert clean_text(cleaned) == cleaned


HTML_PAGE = """<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Kremlin says talks will continue | Northern Times</title>
<meta property="og:site_name" content="Northern Times">
<meta property="article:published_time" content="2025-12-11T08:30:00+00:00">
<link rel="canonical" href="https://northern-times.example/world/kremlin-talks">
</head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/sport">Sport</a></li></ul></nav></header>
<main><article>
<h1>Kremlin says talks will continue</h1>
<p>MOSCOW (Northern Times). The Kremlin said on Thursday that talks with Washington on a
settlement in Ukraine would continue next week despite disagreements over territory.</p>
<p>Spokesman Dmitry Peskov told reporters that both sides had agreed to keep channels open and
that a new round of consultations was being prepared by the foreign ministries.</p>
<p>“We remain committed to a lasting peace rather than a temporary pause,” Peskov said, adding
that no date had yet been fixed for the meeting.</p>
</article></main>
<aside><h3>Most Popular</h3><ul><li><a href="/a">Storm hits the coast</a></li>
<li><a href="/b">Markets rally</a></li></ul></aside>
<footer><p>© 2025 Northern Times. All rights reserved.</p><a href="/privacy">Privacy Policy</a>
<a href="/about">About Us</a></footer>
</body></html>
"""


def test_html_page_keeps_article_paragraphs_only() -> None:
    cleaned = clean_document(HTML_PAGE, "html")
    assert cleaned.startswith("MOSCOW (Northern Times). The Kremlin said on Thursday")
    assert "no date had yet been fixed for the meeting." in cleaned
    assert len(paragraphs(cleaned.replace("\n\n", "\n"))) == 3
    for marker in (
        "Home",
        "Sport",
        "Most Popular",
        "Storm hits",
        "All rights reserved",
        "Privacy Policy",
        "About Us",
        "<p>",
        "Kremlin says talks will continue",
    ):
        assert marker not in cleaned, marker


def test_layout_marks_header_body_and_footer_of_000() -> None:
    layout = analyse_page(seed("000"))
    header = [layout.lines[i] for i in range(layout.body_start)]
    footer = layout.lines[layout.tail_start :]
    assert "December 13, 2025, 09:44" in header
    assert footer[0] == "Previous Post"
    assert "29 January, 2026" in footer
