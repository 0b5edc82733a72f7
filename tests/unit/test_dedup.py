"""Near-duplicate collapsing, with the threshold justified by Jaccard measured on the seeds."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from ingest.loaders import iter_records
from qa_service.core.models import Article
from qa_service.ingestion.articles import to_article
from qa_service.ingestion.clean import clean_text
from qa_service.ingestion.dedup import (
    DEFAULT_THRESHOLD,
    collapse_near_duplicates,
    estimated_jaccard,
    shingles,
)
from qa_service.ingestion.records import RawRecord

SEEDS = Path(__file__).resolve().parents[2] / "data" / "articles"
MARGIN = 0.2  # both measured sides must sit at least this far from the threshold


def seed_articles() -> list[Article]:
    articles = [to_article(r) for r in iter_records([SEEDS]) if isinstance(r, RawRecord)]
    assert all(isinstance(a, Article) for a in articles)
    return [a for a in articles if isinstance(a, Article)]


def test_measured_jaccard_leaves_margin_around_default_threshold(
    capsys: pytest.CaptureFixture[str],
) -> None:
    texts = {a.doc_id[:3]: a.text for a in seed_articles()}
    same = estimated_jaccard(texts["000"], texts["001"])
    distinct = {
        f"{a}-{b}": estimated_jaccard(texts[a], texts[b])
        for a, b in itertools.combinations(sorted(texts), 2)
        if {a, b} != {"000", "001"}
    }
    raw_vs_clean = estimated_jaccard((SEEDS / "000_2024f5da2fff1265.txt").read_text(), texts["001"])
    with capsys.disabled():
        print(f"\njaccard 000~001 (cleaned) = {same:.3f}; raw 000 vs 001 = {raw_vs_clean:.3f}")
        print("jaccard distinct seeds: " + ", ".join(f"{k}={v:.3f}" for k, v in distinct.items()))
    assert same >= DEFAULT_THRESHOLD + MARGIN
    assert max(distinct.values()) <= DEFAULT_THRESHOLD - MARGIN


def test_lightly_edited_copies_still_score_above_threshold() -> None:
    body = clean_text((SEEDS / "001_6b07ba3dde2957da.txt").read_text(encoding="utf-8"))
    paragraphs = body.split("\n\n")
    truncated = "\n\n".join(paragraphs[:-2])
    reworded = "\n\n".join(p.replace(" the ", " a ", 1) for p in paragraphs)
    assert estimated_jaccard(body, truncated) > DEFAULT_THRESHOLD
    assert estimated_jaccard(body, reworded) > DEFAULT_THRESHOLD


def test_seed_000_and_001_collapse_into_000_with_its_metadata() -> None:
    kept, dropped = collapse_near_duplicates(seed_articles())
    assert [a.doc_id for a in kept] == [
        "000_2024f5da2fff1265",
        "002_bdbef122728239ac",
        "003_91a5866ccc87542e",
        "004_e3e65fdab3122716",
    ]
    assert dropped == [("001_6b07ba3dde2957da", "000_2024f5da2fff1265")]
    merged = kept[0]
    assert merged.published_at is not None and merged.published_at.startswith("2025-12-13")
    assert merged.title is not None and merged.title.startswith("Kremlin rejects ceasefire")
    assert merged.source == "Realist"
    assert merged.origins == ("000_2024f5da2fff1265.txt", "001_6b07ba3dde2957da.txt")


def test_collapse_is_order_independent_for_representative() -> None:
    articles = list(reversed(seed_articles()))
    kept, dropped = collapse_near_duplicates(articles)
    assert [a.doc_id for a in kept] == [
        "004_e3e65fdab3122716",
        "003_91a5866ccc87542e",
        "002_bdbef122728239ac",
        "000_2024f5da2fff1265",
    ]
    assert dropped == [("001_6b07ba3dde2957da", "000_2024f5da2fff1265")]
    assert set(kept[-1].origins) == {"000_2024f5da2fff1265.txt", "001_6b07ba3dde2957da.txt"}


TEXT = " ".join(f"Sentence number {i} says the talks went on for a while." for i in range(30))


def test_missing_metadata_is_filled_from_other_members() -> None:
    rich = Article("b", TEXT, title="T", source="S", published_at="2025-12-01", origins=("b.txt",))
    other = Article("a", TEXT, url="https://u.example", author="Ann", origins=("a.txt",))
    kept, dropped = collapse_near_duplicates([other, rich])
    assert len(kept) == 1
    merged = kept[0]
    assert merged.doc_id == "b"  # three metadata fields beat two, whatever the input order
    assert (merged.title, merged.source, merged.url, merged.author, merged.published_at) == (
        "T",
        "S",
        "https://u.example",
        "Ann",
        "2025-12-01",
    )
    assert merged.origins == ("a.txt", "b.txt")
    assert dropped == [("a", "b")]


def test_ties_go_to_longer_text_then_smaller_doc_id() -> None:
    longer = Article("z", TEXT + " Extra words at the end.", origins=("z",))
    shorter = Article("y", TEXT, origins=("y",))
    twin = Article("x", TEXT, origins=("x",))
    kept, _ = collapse_near_duplicates([shorter, twin, longer])
    assert [a.doc_id for a in kept] == ["z"]
    kept, _ = collapse_near_duplicates([shorter, twin])
    assert [a.doc_id for a in kept] == ["x"]


def test_collapse_is_deterministic_and_handles_edge_inputs() -> None:
    assert collapse_near_duplicates([]) == ([], [])
    tiny = [Article("a", "Hi."), Article("b", "Hi."), Article("c", "Something else entirely.")]
    kept, dropped = collapse_near_duplicates(tiny)
    assert [a.doc_id for a in kept] == ["a", "c"]
    assert dropped == [("b", "a")]
    assert shingles("One two three four five six") == {
        "one two three four five",
        "two three four five six",
    }
    first = estimated_jaccard(TEXT, TEXT + " more")
    assert first == estimated_jaccard(TEXT, TEXT + " more")
