"""The band index over the signature matrix: its miss probability is counted right, it finds
near-copies at and above the threshold, and the archive index gives the exhaustive compare's
answers through it (deleted and unsigned rows, exclusions, ties, best match)."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa_service.core.models import Article
from qa_service.core.signature_bands import (
    MAX_MISS,
    agreeing_at,
    banding_pays,
    bands_for,
    miss_probability,
)
from qa_service.core.signature_table import SignatureTable
from qa_service.ingestion.archive_dedup import NUM_PERM, ArchiveIndex

THRESHOLD = 0.6  # the service's default (settings.dedup_threshold)


def random_rows(rng: np.random.Generator, count: int) -> np.ndarray:
    return rng.integers(0, 2**32, (count, NUM_PERM), dtype=np.uint32)


def mutated(row: np.ndarray, changed: int, rng: np.random.Generator) -> np.ndarray:
    """``row`` with ``changed`` of its values replaced by values it does not have there."""
    copy = row.copy()
    positions = rng.choice(NUM_PERM, changed, replace=False)
    copy[positions] = row[positions] ^ rng.integers(1, 2**32, changed, dtype=np.uint32)
    return copy


def table_of(matrix: np.ndarray, ids: list[str] | None = None) -> SignatureTable:
    ids = ids or [f"doc{i:05d}" for i in range(len(matrix))]
    signed = np.ones(len(ids), dtype=bool)
    return SignatureTable(NUM_PERM, ids, ["h"] * len(ids), matrix, signed)


def lookup(index: ArchiveIndex, values: np.ndarray, exclude: tuple[str, ...] = ()) -> str | None:
    return index.original_of(Article("new", "unused"), exclude, packed=values.tobytes())


def test_miss_probability_counts_every_placement() -> None:
    """Against brute force: every k-subset of 10 positions, bands (0,1), (2,3), (4,5)."""
    width, bands = 10, 3
    for agreeing in range(width + 1):
        missed = sum(
            not any({2 * b, 2 * b + 1} <= set(chosen) for b in range(bands))
            for chosen in combinations(range(width), agreeing)
        )
        total = len(list(combinations(range(width), agreeing)))
        assert miss_probability(agreeing, width, bands) == pytest.approx(missed / total)


def test_the_bands_miss_an_at_threshold_pair_less_than_once_in_a_million() -> None:
    agreeing = agreeing_at(THRESHOLD, NUM_PERM)
    bands = bands_for(THRESHOLD, NUM_PERM)
    assert agreeing == 77 and bands == 25  # as the module docstring states
    assert miss_probability(agreeing, NUM_PERM, bands) <= MAX_MISS
    assert miss_probability(agreeing, NUM_PERM, bands - 1) > MAX_MISS
    # above the threshold a pair is missed even less often
    rates = [miss_probability(k, NUM_PERM, bands) for k in range(agreeing, NUM_PERM + 1)]
    assert rates == sorted(rates, reverse=True)
    assert bands_for(0.3, NUM_PERM) is None  # too low for pairs of values: compare all rows


def test_banding_pays_for_batches_not_for_one_article_or_a_tiny_archive() -> None:
    assert not banding_pays(1_000_000, 1, 25)
    assert banding_pays(1_000_000, 100, 25) and banding_pays(150_000, 10, 25)
    assert not banding_pays(300, 100, 25)


def test_the_index_finds_copies_at_and_above_the_threshold_only() -> None:
    rng = np.random.default_rng(3)
    matrix = random_rows(rng, 3000)
    index = ArchiveIndex(table_of(matrix), THRESHOLD, banded=True)
    assert index.bands is not None
    for changed in (0, 10, 40, 51):  # 51 changed: 77 of 128 equal, exactly the threshold
        copy = mutated(matrix[1234], changed, rng)
        assert 1234 in index.bands.candidates(copy)
        assert lookup(index, copy) == "doc01234"
    assert lookup(index, mutated(matrix[1234], 52, rng)) is None  # 76 equal: below
    assert lookup(index, random_rows(rng, 1)[0]) is None


def test_deleted_and_unsigned_rows_never_match_exclusions_hold_ties_go_to_the_smaller_id() -> None:
    rng = np.random.default_rng(4)
    matrix = random_rows(rng, 200)
    matrix[20] = matrix[10]  # doc00010 and doc00020: the same signature
    matrix[30] = mutated(matrix[10], 5, rng)  # a little less similar
    table = table_of(matrix)
    table["unsigned"] = ("h", b"")  # nothing to sign: a row of zeros
    del table["doc00050"]
    for banded in (True, False):
        index = ArchiveIndex(table, THRESHOLD, banded=banded)
        assert lookup(index, matrix[10]) == "doc00010"  # tie with doc00020: the smaller id
        assert lookup(index, matrix[10], exclude=("doc00010",)) == "doc00020"
        assert lookup(index, matrix[10], exclude=("doc00010", "doc00020")) == "doc00030"
        assert lookup(index, matrix[50]) is None  # deleted
        assert lookup(index, np.zeros(NUM_PERM, dtype=np.uint32)) is None  # the unsigned row
        own = index.original_of(Article("doc00030", "x"), (), packed=matrix[30].tobytes())
        assert own == "doc00010"  # never itself: the next best


def test_the_archive_index_chooses_the_bands_for_a_batch_only() -> None:
    table = table_of(random_rows(np.random.default_rng(5), 20_000))
    assert ArchiveIndex(table, THRESHOLD, queries=1).bands is None
    assert ArchiveIndex(table, THRESHOLD, queries=100).bands is not None
    with pytest.raises(ValueError):
        ArchiveIndex(table, 0.3, banded=True)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), threshold=st.sampled_from([0.6, 0.7, 0.8, 0.9]))
def test_the_bands_answer_as_the_exhaustive_compare(seed: int, threshold: float) -> None:
    """Random archives with planted near-copies (stored ones too, so that several rows match),
    deleted and unsigned rows, exclusions: every answer is the exhaustive one."""
    rng = np.random.default_rng(seed)
    matrix = random_rows(rng, int(rng.integers(1, 400)))
    for row in rng.choice(len(matrix), len(matrix) // 4):
        matrix[row] = mutated(matrix[rng.integers(len(matrix))], int(rng.integers(0, 60)), rng)
    table = table_of(matrix, [f"d{i}" for i in rng.permutation(len(matrix))])
    for doc_id in rng.choice(list(table), len(table) // 10, replace=False):
        if rng.random() < 0.5:
            del table[str(doc_id)]
        else:
            table[str(doc_id)] = ("h", b"")
    banded = ArchiveIndex(table, threshold, banded=True)
    exhaustive = ArchiveIndex(table, threshold, banded=False)
    assert banded.bands is not None and exhaustive.bands is None
    for _ in range(30):
        query = mutated(matrix[rng.integers(len(matrix))], int(rng.integers(0, 70)), rng)
        exclude = tuple(str(i) for i in rng.choice(list(table), min(3, len(table))))
        expected = lookup(exhaustive, query, exclude)
        assert lookup(banded, query, exclude) == expected
    # not only the misses agree: a copy of a stored signature is found (random queries above
    # may all fall below a 0.9 threshold)
    signed = [doc_id for doc_id in table if table[doc_id][1]]
    if signed:
        values = np.frombuffer(table[signed[0]][1], dtype=np.uint32)
        copy = mutated(values, int(NUM_PERM * (1 - threshold)) // 2, rng)
        expected = lookup(exhaustive, copy)
        assert expected is not None and lookup(banded, copy) == expected
