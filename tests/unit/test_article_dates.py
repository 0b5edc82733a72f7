"""Relative dates inside articles, resolved against the article's published_at at ingest."""

from __future__ import annotations

from qa_service.core.article_dates import mentioned_dates, with_mentioned_dates
from qa_service.core.models import Chunk

TEXT = (
    "Trump said on Tuesday that talks would go on. Yesterday Peskov answered. Talks took place "
    "in Florida on 30 November; the report came out in November, and more are due next year."
)


def test_weekdays_yesterday_and_day_month_resolve_against_published_at() -> None:
    # published Wednesday 10 December 2025: Tuesday and yesterday are both the 9th; a bare
    # month and "next year" are not day-precise, so they are not kept
    assert mentioned_dates(TEXT, "2025-12-10T09:08:00+00:00") == ("2025-11-30", "2025-12-09")


def test_an_undated_article_gets_no_resolved_dates() -> None:
    assert mentioned_dates(TEXT, None) == ()
    assert mentioned_dates(TEXT, "not a date") == ()


def test_chunks_carry_their_dates() -> None:
    chunk = Chunk("c1", "d1", 0, "Peskov spoke on Wednesday.", 0, 26, published_at="2024-11-22")
    (dated,) = with_mentioned_dates([chunk])
    assert dated.mentioned_dates == ("2024-11-20",)
    assert dated.chunk_id == chunk.chunk_id and dated.text == chunk.text
