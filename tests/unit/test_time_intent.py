"""Time intent in questions, resolved against as_of (2025-12-11 is a Thursday)."""

from __future__ import annotations

from datetime import date

import pytest

from qa_service.core.time_intent import detect_time_intent, period_range

AS_OF = date(2025, 12, 11)


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("What did the Kremlin say this week?", date(2025, 12, 8), AS_OF),
        ("What did Peskov say last week?", date(2025, 12, 1), date(2025, 12, 7)),
        ("What did Peskov say last month?", date(2025, 11, 1), date(2025, 11, 30)),
        ("What did Trump say on Tuesday?", date(2025, 12, 9), date(2025, 12, 9)),
        ("What happened yesterday in Kyiv?", date(2025, 12, 10), date(2025, 12, 10)),
        ("What happened on 30 November?", date(2025, 11, 30), date(2025, 11, 30)),
        ("What happened on November 30th?", date(2025, 11, 30), date(2025, 11, 30)),
        ("What happened in December 2025?", date(2025, 12, 1), AS_OF),
        ("Who met in June?", date(2025, 6, 1), date(2025, 6, 30)),
        ("What happened since 3 December?", date(2025, 12, 3), AS_OF),
        ("What was agreed in 2024?", date(2024, 1, 1), date(2024, 12, 31)),
        ("What happened two weeks ago?", date(2025, 11, 24), date(2025, 11, 30)),
    ],
)
def test_explicit_expressions_become_ranges_ending_at_as_of(
    question: str, start: date, end: date
) -> None:
    intent = detect_time_intent(question, AS_OF)
    assert intent is not None and intent.kind == "range"
    assert (intent.start, intent.end) == (start, end)


@pytest.mark.parametrize(
    "question",
    [
        "What is the latest on the truce?",
        "Who is currently leading the talks?",
        "What happened recently in Gaza?",
        "What does Moscow want now?",
        "What has changed since the Istanbul talks?",  # an event, not a date: vague recency
        "What did a new study find about Arctic ice?",
        "Who is the newly appointed envoy?",
        "Where will the upcoming round of talks be held?",
        "Which storms are forecast this summer?",
    ],
)
def test_vague_recency(question: str) -> None:
    intent = detect_time_intent(question, AS_OF)
    assert intent is not None and intent.kind == "recent"


@pytest.mark.parametrize(
    "question",
    [
        "What is Moscow's position on a 30-day truce?",
        "Under the failed 2022 draft agreement, what would Ukraine have accepted?",
        "In which month did Washington put forward its 28-point plan?",
        "When did Putin present his prerequisites for negotiations with Kiev?",
        "What does the new law in New York require?",  # "new" alone is not about time
    ],
)
def test_no_time_intent(question: str) -> None:
    assert detect_time_intent(question, AS_OF) is None


def test_relative_expressions_follow_as_of() -> None:
    intent = detect_time_intent("What did Peskov say this week?", date(2025, 12, 14))
    assert intent is not None and (intent.start, intent.end) == (
        date(2025, 12, 8),
        date(2025, 12, 14),
    )


def test_periods_are_calendar_units() -> None:
    assert period_range(date(2024, 2, 10), "month") == (date(2024, 2, 1), date(2024, 2, 29))
    assert period_range(date(2025, 12, 11), "week") == (date(2025, 12, 8), date(2025, 12, 14))


def test_every_moment_named_counts_and_after_runs_to_as_of() -> None:
    intent = detect_time_intent(
        "Between the report on November 7, 2025 and the article on December 1, 2025, what changed?",
        AS_OF,
    )
    assert intent is not None and intent.absolute
    assert intent.spans == (
        (date(2025, 11, 7), date(2025, 11, 7)),
        (date(2025, 12, 1), date(2025, 12, 1)),
    )
    after = detect_time_intent("Did the report after September 26, 2025 agree?", AS_OF)
    assert after is not None and (after.start, after.end) == (date(2025, 9, 26), AS_OF)
    since = detect_time_intent("What happened since 3 December?", AS_OF)
    assert since is not None and len(since.spans) == 1  # "3 December" inside it counts once
