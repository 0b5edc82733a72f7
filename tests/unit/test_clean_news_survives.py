"""Cleaning never loses news (issue 12): short items, unpunctuated sentences, JSONL records.

Every feed here is made up for these tests. Property tests generate news-like sentences, with and
without a final full stop, and check that each one survives cleaning word for word.
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.job import load_files as load_articles
from qa_service.ingestion.articles import to_article
from qa_service.ingestion.clean import clean_document, clean_text, light_clean
from qa_service.ingestion.clean_report import CleaningReport
from qa_service.ingestion.pipeline import IngestReport
from qa_service.ingestion.records import RawRecord, Skipped

PROPS = settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
NEWS_WORDS = (
    "council minister police court election storm prices company workers union talks ceasefire "
    "hospital school bridge river government parliament vote budget market shares rose fell "
    "announced said approved rejected signed launched closed opened reported week month year "
    "spring summer officials residents scientists researchers study climate energy oil gas "
    "rates inflation bank central president mayor governor team league final match season "
    "museum festival airport flights strike protest agreement deal plan law bill tax"
).split()
NAMES = ("The", "A", "Officials", "Police", "Voters", "Scientists", "Berlin", "Nasa", "Apple")

news_sentence = st.builds(
    lambda first, words, number, end: " ".join([first, *words[:3], number, *words[3:]]) + end,
    st.sampled_from(NAMES),
    st.lists(st.sampled_from(NEWS_WORDS), min_size=5, max_size=30),
    st.sampled_from(("on Tuesday", "in 2024", "by 3.5%", "to $1.2 billion", "after 12 days")),
    st.sampled_from(("", ".", "!", "?", "…", '."')),
)

PROSE = (
    "The city council approved a plan on Tuesday to repair the old river bridge, which has been "
    "closed to lorries since March.",
    "Engineers found corrosion in two of the steel supports during an inspection last year, the "
    "council's transport officer told the meeting.",
)


@PROPS
@given(news_sentence)
def test_a_jsonl_news_sentence_is_kept_word_for_word(sentence: str) -> None:
    assert light_clean(sentence) == sentence
    record = RawRecord("feed.jsonl#L1", "item-1", "jsonl", sentence, {"title": "Weekly quiz"})
    article = to_article(record)
    assert not isinstance(article, Skipped)
    assert article.text == sentence


@PROPS
@given(news_sentence)
def test_a_last_paragraph_with_or_without_full_stop_survives_a_page(sentence: str) -> None:
    page = "Bridge repairs approved\n\n" + "\n\n".join((*PROSE, sentence)) + "\n\nShare this:\n"
    cleaned = clean_text(page)
    assert cleaned.endswith(sentence)
    assert "Share this" not in cleaned and not cleaned.startswith("Bridge repairs approved")


@PROPS
@given(st.lists(news_sentence, min_size=1, max_size=6, unique=True))
def test_a_feed_of_short_items_in_a_text_file_keeps_every_item(items: list[str]) -> None:
    record = RawRecord("feed.txt", "feed", "txt", "\n\n".join(items), {})
    article = to_article(record)
    assert not isinstance(article, Skipped)
    for item in items:  # a lone headline-like first line becomes the title: kept, not lost
        assert item in article.text or item == article.title


# The example: the second paragraph ends in an inline <script> and has no full stop.
HTML_INLINE_SCRIPT = """<!DOCTYPE html><html><head>
<title>Bridge repairs approved | Town Crier</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Bridge repairs approved</h1>
<p>The city council approved a plan on Tuesday to repair the old river bridge, which has been
closed to lorries since March.</p>
<p>The mayor said work would begin in spring<script>window.dataLayer = [];</script></p>
</article><footer>© 2025 Town Crier</footer></body></html>"""


def test_html_paragraph_ending_in_inline_script_without_full_stop_is_kept() -> None:
    cleaned = clean_document(HTML_INLINE_SCRIPT, "html")
    assert cleaned.endswith("The mayor said work would begin in spring")
    assert cleaned.startswith("The city council approved a plan on Tuesday")
    assert "dataLayer" not in cleaned and "Town Crier" not in cleaned


def test_jsonl_text_gets_only_known_footer_lines_removed() -> None:
    body = (
        "Copyright lawsuits against AI firms multiplied this year\n"
        "Advertisement\n"
        "Regulators in Brussels opened a second inquiry\n"
        "© 2025 Example News Ltd. All rights reserved.\n"
        "Subscribe to our daily newsletter"
    )
    assert light_clean(body) == (
        "Copyright lawsuits against AI firms multiplied this year\n"
        "Regulators in Brussels opened a second inquiry"
    )


def test_jsonl_record_made_only_of_footer_like_lines_is_kept_not_skipped() -> None:
    record = RawRecord("feed.jsonl#L7", "x", "jsonl", "Advertisement\nRead more", {})
    article = to_article(record)
    assert not isinstance(article, Skipped)
    assert article.text == "Advertisement\nRead more"


SHORT_FEED = [
    {"id": "q1", "title": "Weekly quiz, 2024-05-02", "text": "Voters in the state backed the plan"},
    {"id": "q2", "title": "Weekly quiz, 2024-05-02", "text": "Home"},
    {"id": "q3", "title": "Weekly quiz, 2024-05-09", "text": "Nasa delays the moon launch again"},
    {"id": "q4", "title": "Weekly quiz, 2024-05-09", "text": "Inflation fell to 2.4% in April."},
]


def test_short_item_jsonl_feed_loses_no_record(tmp_path: Path) -> None:
    feed = tmp_path / "quiz.jsonl"
    feed.write_text("\n".join(json.dumps(item) for item in SHORT_FEED), encoding="utf-8")
    report = IngestReport()
    articles = load_articles([feed], 1_000_000, report)
    assert report.skipped == []
    assert [a.text for a in articles] == [item["text"] for item in SHORT_FEED]
    assert report.cleaning.chars_in == report.cleaning.chars_out
    assert report.cleaning.kept_most_words == report.cleaning.documents == 4


def test_short_item_text_files_keep_their_single_unpunctuated_line(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Voters in the state backed the plan\n", encoding="utf-8")
    (tmp_path / "b.md").write_text("Nasa delays the moon launch again", encoding="utf-8")
    report = IngestReport()
    articles = load_articles([tmp_path], 1_000_000, report)
    assert report.skipped == []
    assert sorted(a.text for a in articles) == [
        "Nasa delays the moon launch again",
        "Voters in the state backed the plan",
    ]


def site_page(story: str, follow_up: str) -> str:
    return (
        "Town Crier\n\nTown Crier is funded by its readers. Support local news today.\n\n"
        f"{story}\n\n{follow_up}\n"
    )


STORIES = (
    "Voters approved the new library budget by a wide margin on Sunday, the clerk's office said.",
    "A storm closed the coastal road for six hours on Monday and cut power to 300 homes.",
    "The school board hired a new head teacher after a search that lasted eight months.",
)
FOLLOW_UP = "The decision can be appealed within {n} days, officials told reporters afterwards."


def write_site(folder: Path, pages: int, shared_body: bool = False) -> None:
    folder.mkdir(exist_ok=True)
    for n, story in enumerate(STORIES[:pages]):
        follow_up = PROSE[1] if shared_body else FOLLOW_UP.format(n=n + 10)
        (folder / f"{n}.txt").write_text(site_page(story, follow_up), encoding="utf-8")


def test_lines_repeated_across_pages_of_one_site_are_dropped(tmp_path: Path) -> None:
    write_site(tmp_path / "crier", 3)
    articles = sorted(load_articles([tmp_path], 1_000_000, IngestReport()), key=lambda a: a.doc_id)
    assert [a.text for a in articles] == [
        f"{story}\n\n{FOLLOW_UP.format(n=n + 10)}" for n, story in enumerate(STORIES)
    ]


def test_a_line_on_only_two_pages_of_a_site_is_not_boilerplate(tmp_path: Path) -> None:
    write_site(tmp_path / "crier", 2)
    articles = load_articles([tmp_path], 1_000_000, IngestReport())
    assert all("Support local news today." in a.text for a in articles)


def test_pages_of_other_sites_do_not_count(tmp_path: Path) -> None:
    write_site(tmp_path / "crier", 2)
    write_site(tmp_path / "other", 1)
    articles = load_articles([tmp_path], 1_000_000, IngestReport())
    assert all("Support local news today." in a.text for a in articles)


def test_site_lines_never_take_more_than_half_of_a_page(tmp_path: Path) -> None:
    # Copies of one article on three pages: every line recurs, yet it is a story, not chrome.
    write_site(tmp_path / "crier", 3, shared_body=True)
    articles = load_articles([tmp_path], 1_000_000, IngestReport())
    assert all(PROSE[1] in a.text for a in articles)


def test_cleaning_report_counts_characters_and_warns_about_heavy_losses() -> None:
    report = CleaningReport()
    report.add("a", "one two three four", "one two three four")
    report.add("b", "news " * 40, "news  \n " * 12)  # whitespace runs count as one space
    assert (report.chars_in, report.chars_out) == (18 + 199, 18 + 59)
    assert report.max_removed_origin == "b" and report.max_removed_share == 1 - 59 / 199
    assert [origin for origin, _ in report.heavy] == ["b"] and report.kept_most_words == 1


def test_ingest_summary_reports_cleaning_and_warns_per_heavy_document() -> None:
    from rich.console import Console

    from ingest.__main__ import print_report

    report = IngestReport()
    report.cleaning.add("page.html", "news " * 40, "news " * 12)
    console = Console(record=True, width=200)
    print_report(console, report)
    out = console.export_text()
    assert "199 → 59" in out and "0 of 1" in out
    assert "warning page.html: cleaning removed 70% of its text" in out
