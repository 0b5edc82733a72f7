"""The signature file as base + append-only log: a save appends only what changed, whatever
sequence of additions, replacements and deletions, across processes (fresh ``SignatureFile``
instances); a torn last frame is ignored; the base is rewritten at the threshold; a base from
before the log loads as it did and its first save keeps everything."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa_service.adapters import signature_log
from qa_service.adapters.signature_file import SignatureFile
from qa_service.core.models import Article
from qa_service.core.signature_table import SignatureTable
from qa_service.ingestion.archive_dedup import NUM_PERM, ArchiveDedup, signature_of

Entry = tuple[str, bytes]


def packed(seed: int) -> bytes:
    return np.random.default_rng(seed).integers(0, 2**32, NUM_PERM, dtype=np.uint32).tobytes()


def base_id(path: Path) -> str | None:
    with np.load(path) as data:
        return str(data["base_id"]) if "base_id" in data.files else None


def log_size(path: Path) -> int:
    return path.with_suffix(".log").stat().st_size


# an op: (id, None) deletes, (id, (hash, seed or None: nothing to sign)) sets
ops = st.lists(
    st.tuples(
        st.sampled_from([f"d{i}" for i in range(12)]),
        st.none() | st.tuples(st.sampled_from(["h1", "h2", "ü"]), st.none() | st.integers(0, 9)),
    ),
    max_size=8,
)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    cycles=st.lists(st.tuples(ops, st.booleans()), min_size=1, max_size=6),
    floor=st.sampled_from([0, 3, 1000]),
)
def test_save_load_cycles_equal_the_table_kept_in_memory(
    tmp_path_factory: object, cycles: list[tuple[list[tuple[str, object]], bool]], floor: int
) -> None:
    path = tmp_path_factory.mktemp("sig") / "sig.npz"  # type: ignore[attr-defined]
    expected: dict[str, Entry] = {}
    file = SignatureFile(path, NUM_PERM, compact_floor=floor)
    for changes, new_process in cycles:
        if new_process:  # another run: a fresh instance loads what the last one saved
            file = SignatureFile(path, NUM_PERM, compact_floor=floor)
        signatures = file.load()
        assert signatures == expected
        for doc_id, value in changes:
            if value is None:
                signatures.pop(doc_id, None)
                expected.pop(doc_id, None)
            else:
                digest, seed = value  # type: ignore[misc]
                entry = (digest, b"" if seed is None else packed(seed))
                signatures[doc_id] = expected[doc_id] = entry
        file.save(signatures)
        file.save(signatures)  # nothing changed since: appends nothing
        assert SignatureFile(path, NUM_PERM).load() == expected
        assert file.load() == expected


def test_a_save_appends_only_the_changes_until_the_threshold(tmp_path: Path) -> None:
    path = tmp_path / "sig.npz"
    file = SignatureFile(path, NUM_PERM, compact_fraction=0.25, compact_floor=0)
    expected = {f"d{i}": ("h", packed(i)) for i in range(16)}
    signatures = SignatureTable(NUM_PERM)
    signatures.update(expected)
    file.save(signatures)  # no base yet: written whole
    first, header = base_id(path), log_size(path)
    assert first is not None and header == signature_log.HEADER_SIZE
    signatures = file.load()
    signatures["new"] = expected["new"] = ("h", packed(99))
    del signatures["d0"], expected["d0"]
    signatures["d1"] = expected["d1"] = ("h1b", b"")
    file.save(signatures)  # 3 changes, 4 allowed (25 % of 16 rows)
    assert base_id(path) == first and log_size(path) > header
    frame_size = log_size(path) - header
    assert frame_size < 2 * NUM_PERM * 4 + 400  # the two rows set, not the archive
    assert SignatureFile(path, NUM_PERM).load() == expected
    signatures["d2"] = expected["d2"] = ("h2b", packed(7))
    file.save(signatures)  # the 4th: still appended
    assert base_id(path) == first
    signatures["d3"] = expected["d3"] = ("h3b", packed(8))
    file.save(signatures)  # the 5th would pass the threshold: compaction
    assert base_id(path) != first and log_size(path) == header
    assert SignatureFile(path, NUM_PERM).load() == expected
    reloaded = SignatureFile(path, NUM_PERM)
    table = reloaded.load()
    table["after"] = expected["after"] = ("h", packed(5))
    reloaded.save(table)  # the compacted base takes appends again
    assert log_size(path) > header and SignatureFile(path, NUM_PERM).load() == expected


def test_a_torn_last_frame_is_ignored_and_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "sig.npz"
    file = SignatureFile(path, NUM_PERM)
    signatures = SignatureTable(NUM_PERM)
    signatures.update({"a": ("h", packed(1)), "b": ("h", packed(2))})
    file.save(signatures)
    signatures = file.load()
    signatures["c"] = ("h", packed(3))
    file.save(signatures)
    kept = dict(signatures)
    before = log_size(path)
    signatures["d"] = ("h", packed(4))
    del signatures["a"]
    file.save(signatures)  # a run killed while appending this frame:
    log = path.with_suffix(".log")
    whole = log.read_bytes()
    for end in (len(whole) - 1, len(whole) - 5, before + 30, before + 3):
        log.write_bytes(whole[:end])
        assert SignatureFile(path, NUM_PERM).load() == kept
    damaged = bytearray(whole)
    damaged[-3] ^= 0xFF  # same length, wrong checksum
    log.write_bytes(bytes(damaged))
    assert SignatureFile(path, NUM_PERM).load() == kept
    log.write_bytes(whole[:-5])
    # the next run appends where the whole frames end, over the torn one
    next_run = SignatureFile(path, NUM_PERM)
    signatures = next_run.load()
    signatures["e"] = kept["e"] = ("h", packed(5))
    next_run.save(signatures)
    assert SignatureFile(path, NUM_PERM).load() == kept
    assert base_id(path) is not None and log.stat().st_size < len(whole) + 700


def test_a_log_of_another_base_is_ignored(tmp_path: Path) -> None:
    """Killed after a compaction replaced the base and before it reset the log, or the base
    lost: the log's frames belong to another base and are not replayed."""
    path = tmp_path / "sig.npz"
    file = SignatureFile(path, NUM_PERM, compact_floor=1)
    signatures = SignatureTable(NUM_PERM)
    signatures.update({f"d{i}": ("h", packed(i)) for i in range(8)})
    file.save(signatures)
    signatures = file.load()
    signatures["x"] = ("h", packed(20))
    file.save(signatures)  # appended
    old_log = path.with_suffix(".log").read_bytes()
    signatures.update({"y": ("h", packed(21)), "z": ("h", packed(22))})
    file.save(signatures)  # compacted: a new base
    path.with_suffix(".log").write_bytes(old_log)
    assert SignatureFile(path, NUM_PERM).load() == signatures
    path.unlink()
    lost = SignatureFile(path, NUM_PERM)
    assert lost.load() == {}


def test_a_base_from_before_the_log_loads_and_its_first_save_keeps_everything(
    tmp_path: Path,
) -> None:
    path = tmp_path / "sig.npz"
    rows = [packed(1), packed(2)]
    np.savez(  # as the code before the log wrote it: no base id, no log
        path,
        ids=np.asarray(["a", "b", "c"]),
        hashes=np.asarray(["h1", "h2", "h3"]),
        lengths=np.asarray([NUM_PERM, 0, NUM_PERM], dtype=np.int64),
        values=np.frombuffer(b"".join(rows), dtype=np.uint32),
    )
    expected = {"a": ("h1", rows[0]), "b": ("h2", b""), "c": ("h3", rows[1])}
    file = SignatureFile(path, NUM_PERM)
    signatures = file.load()
    assert signatures == expected
    signatures["d"] = expected["d"] = ("h4", packed(3))
    file.save(signatures)  # rewritten in the new layout
    assert base_id(path) is not None and log_size(path) == signature_log.HEADER_SIZE
    assert SignatureFile(path, NUM_PERM).load() == expected
    signatures["e"] = expected["e"] = ("h5", packed(4))
    file.save(signatures)
    assert log_size(path) > signature_log.HEADER_SIZE
    assert SignatureFile(path, NUM_PERM).load() == expected


@pytest.mark.parametrize("unsigned", [False, True])
def test_a_loaded_table_adds_articles_without_copying_the_archive(
    tmp_path: Path, unsigned: bool
) -> None:
    file = SignatureFile(tmp_path / "sig.npz", NUM_PERM, compact_floor=1000)
    signatures = SignatureTable(NUM_PERM)
    signatures.update({f"d{i}": ("h", packed(i)) for i in range(40)})
    if unsigned:  # an article with nothing to sign: the base is not one plain matrix
        signatures["d0"] = ("h", b"")
    file.save(signatures)
    loaded = file.load()
    _, before, _ = loaded.rows()
    loaded["new"] = ("h", packed(50))
    _, after, signed = loaded.rows()
    assert np.shares_memory(before, after) and len(after) == 41
    assert signed.sum() == 41 - unsigned
    assert loaded == {**signatures, "new": ("h", packed(50))}
    loaded.update({f"n{i}": ("h", packed(100 + i)) for i in range(30)})
    file.save(loaded)  # 31 rows in the log, more than the 1/16 spare of 40 rows
    replayed = file.load()
    _, rows, _ = replayed.rows()  # the log's rows read into room made for them: no doubling
    assert len(rows) == 71 and rows.base is not None and len(rows.base) < 2 * 56
    assert replayed == loaded


class _Store:
    """The article records a run wrote (step 4), whatever became of its signature save."""

    def __init__(self, articles: list[Article]) -> None:
        self.articles = {a.doc_id: a for a in articles}

    def count_articles(self) -> int:
        return len(self.articles)

    def article_hashes(self) -> dict[str, str]:
        return {doc_id: f"h-{doc_id}" for doc_id in self.articles}

    def get_articles(self, ids: list[str]) -> list[Article]:
        return [self.articles[i] for i in ids if i in self.articles]


def test_a_run_killed_while_appending_is_healed_by_the_next_run(tmp_path: Path) -> None:
    """Signatures are saved last: the articles are stored, their frame torn. The next run
    finds fewer signatures than articles and signs the missing ones from the stored text."""
    path = tmp_path / "sig.npz"
    articles = [Article(f"d{i}", f"article {i} says " + "words " * (5 + i)) for i in range(4)]
    store = _Store(articles[:3])
    dedup = ArchiveDedup(SignatureFile(path, NUM_PERM), store, threshold=0.6)  # type: ignore[arg-type]
    signatures, _ = dedup.load_for({})
    dedup.save(signatures, [(a, f"h-{a.doc_id}") for a in articles[:3]], (), False)
    before = log_size(path)
    store.articles["d3"] = articles[3]  # the killed run wrote its article record, then:
    signatures, _ = dedup.load_for({})
    dedup.save(signatures, [(articles[3], "h-d3")], (), False)
    log = path.with_suffix(".log")
    log.write_bytes(log.read_bytes()[: before + 40])  # its signature frame torn
    next_run = ArchiveDedup(SignatureFile(path, NUM_PERM), store, threshold=0.6)  # type: ignore[arg-type]
    signatures, repaired = next_run.load_for({})
    assert repaired and dict(signatures) == {
        a.doc_id: (f"h-{a.doc_id}", signature_of(a)) for a in articles
    }
    next_run.save(signatures, [], (), repaired)
    assert SignatureFile(path, NUM_PERM).load() == signatures
