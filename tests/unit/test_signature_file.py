"""The signature file round-trips ids, content hashes and packed MinHash values (empty ones too)."""

from __future__ import annotations

from pathlib import Path

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
