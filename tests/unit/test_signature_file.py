"""The signature file round-trips ids, content hashes and packed MinHash values (empty ones too);
the table behaves as a mapping whatever was added, replaced or deleted; the archive index reads it
in place."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from qa_service.adapters.signature_file import SignatureFile
from qa_service.core.models import Article
from qa_service.core.signature_table import SignatureTable
from qa_service.ingestion.archive_dedup import NUM_PERM, ArchiveIndex, signature_of


def table(entries: dict[str, tuple[str, bytes]]) -> SignatureTable:
    signatures = SignatureTable(NUM_PERM)
    signatures.update(entries)
    return signatures


def test_round_trip_and_empty(tmp_path: Path) -> None:
    file = SignatureFile(tmp_path / "sig.npz", NUM_PERM)
    assert file.load() == {}
    signed = {
        "a": ("h1", signature_of(Article("a", "one two three four five six seven"))),
        "b": ("h2", signature_of(Article("b", "!!!"))),  # no words: nothing to sign
    }
    assert signed["b"][1] == b"" and len(signed["a"][1]) == 512
    file.save(table(signed))
    assert file.load() == signed
    file.save(SignatureTable(NUM_PERM))  # every article retracted
    assert file.load() == {}


def test_the_table_is_a_mapping_through_growth_replacement_and_deletion(tmp_path: Path) -> None:
    expected = {
        f"d{i}": (f"h{i}", signature_of(Article(f"d{i}", f"text {i} " * 9)) if i % 5 else b"")
        for i in range(40)  # past the first growth (16 rows)
    }
    signatures = table(expected)
    del signatures["d3"], expected["d3"]
    signatures["d4"] = expected["d4"] = ("h4b", signature_of(Article("x", "replaced words " * 5)))
    signatures["d5"] = expected["d5"] = ("h5b", b"")  # a signed row that lost its signature
    signatures["d10"] = expected["d10"] = ("h10b", signature_of(Article("y", "now signed " * 5)))
    assert signatures == expected and len(signatures) == 39 and "d3" not in signatures
    assert signatures.hash_of("d4") == "h4b" and signatures.hash_of("d3") is None
    file = SignatureFile(tmp_path / "sig.npz", NUM_PERM)
    file.save(signatures)
    loaded = file.load()
    assert loaded == expected and list(loaded) == list(signatures)
    # a loaded table takes the next run's changes in place (its matrix is the file's values)
    loaded["d1"] = expected["d1"] = ("h1b", signature_of(Article("z", "another text " * 5)))
    del loaded["d2"], expected["d2"]
    loaded["new"] = expected["new"] = ("hn", signature_of(Article("n", "a new article " * 5)))
    file.save(loaded)
    assert file.load() == expected


def test_a_row_of_another_length_loads_as_unsigned(tmp_path: Path) -> None:
    """Whatever wrote the file, a row the index cannot compare is kept, never misread."""
    path = tmp_path / "sig.npz"
    good = signature_of(Article("a", "one two three four five six seven"))
    row = np.frombuffer(good, np.uint32)
    np.savez(
        path,
        ids=np.asarray(["a", "odd", "b"]),
        hashes=np.asarray(["h1", "h2", "h3"]),
        lengths=np.asarray([NUM_PERM, 3, NUM_PERM], dtype=np.int64),
        values=np.concatenate([row, np.arange(3, dtype=np.uint32), row]),
    )
    loaded = SignatureFile(path, NUM_PERM).load()
    assert loaded == {"a": ("h1", good), "odd": ("h2", b""), "b": ("h3", good)}


@pytest.mark.parametrize("banded", [False, True])
def test_archive_index_finds_the_near_copy_only(banded: bool) -> None:
    base = " ".join(f"word{i}" for i in range(200))
    stored = {
        "orig": signature_of(Article("orig", base)),
        "other": signature_of(Article("other", " ".join(f"else{i}" for i in range(200)))),
    }
    signed = table({k: ("h", v) for k, v in stored.items()})
    index = ArchiveIndex(signed, threshold=0.6, banded=banded)
    copy = Article("copy", base.replace("word7 ", "changed "))
    assert index.original_of(copy, exclude=()) == "orig"
    assert index.original_of(copy, exclude={"orig"}) is None
    assert index.original_of(Article("new", "fresh words " * 30), exclude=()) is None
    signatures = table({k: ("h", v) for k, v in stored.items()})
    del signatures["orig"]  # a retracted original is never matched
    assert ArchiveIndex(signatures, 0.6, banded=banded).original_of(copy, exclude=()) is None


def test_a_file_written_before_the_band_index_loads_and_is_indexed(tmp_path: Path) -> None:
    """The file format did not change: the bands are built from the loaded matrix, so a file
    as the code before them wrote it (ids, hashes, lengths, values; one row unsigned) serves."""
    path = tmp_path / "sig.npz"
    base = " ".join(f"word{i}" for i in range(200))
    rows = [signature_of(Article(i, f"{base} {i}")) for i in ("a", "c")]
    np.savez(
        path,
        ids=np.asarray(["a", "b", "c"]),
        hashes=np.asarray(["h1", "h2", "h3"]),
        lengths=np.asarray([NUM_PERM, 0, NUM_PERM], dtype=np.int64),
        values=np.frombuffer(b"".join(rows), dtype=np.uint32),
    )
    loaded = SignatureFile(path, NUM_PERM).load()
    assert loaded["b"] == ("h2", b"") and loaded["c"] == ("h3", rows[1])
    index = ArchiveIndex(loaded, threshold=0.6, banded=True)
    assert index.bands is not None
    copy = Article("copy", base.replace("word9 ", "nine "))
    assert index.original_of(copy, exclude=()) == "a"
    assert index.original_of(copy, exclude={"a"}) == "c"


class _NoStore:
    def get_articles(self, ids: list[str]) -> list[Article]:
        assert not ids
        return []


class _Sink:
    def __init__(self) -> None:
        self.saved: dict[str, tuple[str, bytes]] = {}

    def save(self, signatures: SignatureTable) -> None:
        self.saved = dict(signatures)


def test_fold_and_save_reuse_the_signatures_the_stages_computed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The stages sign every cleaned article; the driver must not sign it again (serial work)."""
    import qa_service.ingestion.archive_dedup as archive

    stored = Article("orig", " ".join(f"else{i}" for i in range(200)))
    new = [Article(f"n{i}", " ".join(f"w{i}x{j}" for j in range(120))) for i in range(3)]
    known = {a.text: signature_of(a) for a in new}
    signatures = table({"orig": ("h", signature_of(stored))})

    def no_signing(*_: object) -> None:
        raise AssertionError("signed again")

    monkeypatch.setattr(archive, "minhash", no_signing)
    sink = _Sink()
    dedup = archive.ArchiveDedup(sink, _NoStore(), threshold=0.6)  # type: ignore[arg-type]
    kept, pairs = dedup.fold(list(new), signatures, known)
    assert pairs == [] and kept == new
    dedup.save(signatures, [(a, "d") for a in new], (), False, known)
    assert {i: sink.saved[i][1] for i in ("n0", "n1", "n2")} == {
        a.doc_id: known[a.text] for a in new
    }
    with pytest.raises(AssertionError, match="signed again"):
        dedup.save(signatures, [(Article("x", "some other words here"), "d")], (), False, known)
