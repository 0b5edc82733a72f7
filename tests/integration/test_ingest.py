"""The ingest job against a real embedded Chroma: idempotence, edits, bad files, CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ingest.__main__ import EXIT_NOTHING_INGESTED, EXIT_OK, main
from ingest.job import build_pipeline
from qa_service.adapters.hashing_embedder import HashingEmbedder
from qa_service.container import Services, build_services
from qa_service.core.models import SearchFilters
from tests.conftest import SEED_DIR
from tests.integration.conftest import make_settings


class CountingEmbedder(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.embedded = 0

    def embed(self, texts):  # type: ignore[no-untyped-def]
        self.embedded += len(texts)
        return super().embed(texts)


def services_for(tmp_path: Path, embedder: HashingEmbedder) -> Services:
    return build_services(make_settings(tmp_path / "store"), embedder=embedder)


def run(services: Services, *paths: Path):  # type: ignore[no-untyped-def]
    return build_pipeline(services.settings, services.store, services.embedder).run(list(paths))


def test_rerun_on_unchanged_input_embeds_and_writes_nothing(tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    services = services_for(tmp_path, embedder)
    first = run(services, SEED_DIR)
    assert first.chunks_new > 0 and first.documents == 4
    assert first.duplicates == [("001_6b07ba3dde2957da", "000_2024f5da2fff1265")]
    embedded_after_first = embedder.embedded
    second = run(services, SEED_DIR)
    assert second.chunks_new == 0
    assert second.chunks_deleted == 0
    assert second.articles_written == 0
    assert second.chunks_unchanged == first.chunks_new
    assert not second.lexical_updated  # not even for 001, the copy collapsed again
    assert embedder.embedded == embedded_after_first
    assert services.store.count_chunks() == first.chunks_new


def test_editing_one_article_replaces_only_its_chunks(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEED_DIR, corpus)
    services = services_for(tmp_path, CountingEmbedder())
    run(services, corpus)
    before = services.store.chunk_ids_by_document()
    target = corpus / "004_e3e65fdab3122716.txt"
    target.write_text(
        target.read_text(encoding="utf-8").replace("Olaf Scholz", "Olaf Scholz (then chancellor)"),
        encoding="utf-8",
    )
    report = run(services, corpus)
    after = services.store.chunk_ids_by_document()
    assert report.chunks_new >= 1 and report.chunks_deleted >= 1
    assert report.articles_written == 1
    for doc_id, ids in before.items():
        if doc_id != "004_e3e65fdab3122716":
            assert after[doc_id] == ids
    assert after["004_e3e65fdab3122716"] != before["004_e3e65fdab3122716"]
    article = services.store.get_article("004_e3e65fdab3122716")
    assert article is not None and "(then chancellor)" in article.text
    assert sum(len(v) for v in after.values()) == services.store.count_chunks()


def test_bad_files_are_skipped_and_the_rest_ingested(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEED_DIR, corpus)
    (corpus / "empty.txt").write_text("")
    (corpus / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (corpus / "latin1.txt").write_bytes(
        "Café owners in Kyiv said the ceasefire talks continued on Tuesday with delegates.\n\n"
        "The délégation met again in the evening to discuss the truce and prisoner swaps.".encode(
            "latin-1"
        )
    )
    (corpus / "huge.txt").write_text("word " * 2_200_000)
    (corpus / "boilerplate.txt").write_text(
        "  • News\n  • Russia\nNo Result\nView All Result\nAll rights reserved.\n© 2017-2025\n"
    )
    services = services_for(tmp_path, CountingEmbedder())
    report = run(services, corpus)
    reasons = {Path(s.origin).name: s.reason for s in report.skipped}
    assert set(reasons) == {"empty.txt", "binary.txt", "huge.txt", "boilerplate.txt"}
    assert report.documents == 5
    latin = services.store.get_article("latin1")
    assert latin is not None and "Café owners" in latin.text


def test_cli_exit_codes_and_help(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QA_EMBEDDER", "hashing")
    with pytest.raises(SystemExit) as help_exit:
        main(["--help"])
    assert help_exit.value.code == 0
    assert "--reset" in capsys.readouterr().out
    empty = tmp_path / "nothing"
    empty.mkdir()
    (empty / "blank.md").write_text("   \n")
    store = str(tmp_path / "store")
    assert main([str(empty), "--store", store, "--quiet"]) == EXIT_NOTHING_INGESTED
    assert main([str(SEED_DIR), "--store", store, "--quiet"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "chunks new" in out
    assert main([str(SEED_DIR), "--store", store, "--quiet", "--reset"]) == EXIT_OK


def test_correcting_an_outlet_rewrites_the_chunks_in_both_indexes(tmp_path: Path) -> None:
    """Same text, new source: filters and BM25 (which indexes the outlet) must both follow."""
    corpus = tmp_path / "corpus" / "articles.jsonl"
    corpus.parent.mkdir()
    body = (SEED_DIR / "001_6b07ba3dde2957da.txt").read_text(encoding="utf-8")

    def write(source: str) -> None:
        record = {"doc_id": "kremlin", "title": "Kremlin on the truce", "source": source}
        corpus.write_text(json.dumps({**record, "text": body}) + "\n", encoding="utf-8")

    services = services_for(tmp_path, CountingEmbedder())
    write("Old Outlet")
    first = run(services, corpus.parent)
    write("Fresh Wire")
    second = run(services, corpus.parent)
    assert second.chunks_new == first.chunks_new == second.chunks_deleted
    assert second.lexical_updated
    old, new = SearchFilters(source="Old Outlet"), SearchFilters(source="Fresh Wire")
    assert services.lexical.search("truce", 5, old) == []
    assert services.lexical.search("truce", 5, new)
    assert services.store.query(services.queries.embed_query("truce"), 5, old) == []
    assert services.store.query(services.queries.embed_query("truce"), 5, new)
    (by_outlet, _), *_ = services.lexical.search("what does fresh wire report", 5, SearchFilters())
    assert by_outlet in services.store.chunk_ids_by_document()["kremlin"]
