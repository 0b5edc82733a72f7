"""The signature file round-trips ids, content hashes and packed MinHash values (empty ones too)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa_service.adapters.signature_file import SignatureFile
from qa_service.core.models import Article
from qa_service.ingestion.archive_dedup import ArchiveIndex, signature_of


def test_round_trip_and_empty(tmp_path: Path) -> None:
    file = SignatureFile(tmp_path / "sig.npz")
    assert file.load() == {}
    signed = {
        "a": ("h1", signature_of(Article("a", "one two three four five six seven"))),
        "b": ("h2", signature_of(Article("b", "!!!"))),  # no words: nothing to sign
    }
    assert signed["b"][1] == b"" and len(signed["a"][1]) == 512
    file.save(signed)
    assert file.load() == signed
    file.save({})  # every article retracted
    assert file.load() == {}


def test_archive_index_finds_the_near_copy_only() -> None:
    base = " ".join(f"word{i}" for i in range(200))
    stored = {
        "orig": signature_of(Article("orig", base)),
        "other": signature_of(Article("other", " ".join(f"else{i}" for i in range(200)))),
    }
    index = ArchiveIndex(stored, threshold=0.6)
    copy = Article("copy", base.replace("word7 ", "changed "))
    assert index.original_of(copy, exclude=()) == "orig"
    assert index.original_of(copy, exclude={"orig"}) is None
    assert index.original_of(Article("new", "fresh words " * 30), exclude=()) is None


class _NoStore:
    def get_articles(self, ids: list[str]) -> list[Article]:
        assert not ids
        return []


class _Sink:
    def __init__(self) -> None:
        self.saved: dict[str, tuple[str, bytes]] = {}

    def save(self, signatures: dict[str, tuple[str, bytes]]) -> None:
        self.saved = dict(signatures)


def test_fold_and_save_reuse_the_signatures_the_stages_computed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The stages sign every cleaned article; the driver must not sign it again (serial work)."""
    import qa_service.ingestion.archive_dedup as archive

    stored = Article("orig", " ".join(f"else{i}" for i in range(200)))
    new = [Article(f"n{i}", " ".join(f"w{i}x{j}" for j in range(120))) for i in range(3)]
    known = {a.text: signature_of(a) for a in new}
    signatures = {"orig": ("h", signature_of(stored))}

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
