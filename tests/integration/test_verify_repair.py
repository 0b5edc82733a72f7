"""``python -m ingest --verify`` finds, and ``--repair`` fixes, a deliberately desynced store."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ingest.__main__ import EXIT_DISAGREEMENT, EXIT_OK, main
from ingest.job import build_pipeline
from qa_service.adapters.hashing_embedder import HashingEmbedder
from qa_service.container import build_ingestion, build_lexical, build_services
from qa_service.core.models import Chunk, SearchFilters
from qa_service.ingestion.pipeline import lexical_record
from tests.conftest import SEED_DIR
from tests.integration.conftest import make_settings

VICTIM = "003_91a5866ccc87542e"


def test_verify_finds_and_repair_fixes_a_desynchronised_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QA_EMBEDDER", "hashing")
    store_dir = tmp_path / "store"
    assert main([str(SEED_DIR), "--store", str(store_dir), "--quiet"]) == EXIT_OK
    assert main(["--verify", "--store", str(store_dir)]) == EXIT_OK
    assert "consistent" in capsys.readouterr().out

    settings = make_settings(store_dir)
    services = build_services(settings, embedder=HashingEmbedder())
    store = services.store
    lexical = build_lexical(settings, store)
    chunks = store.all_chunks()
    # 1. the lexical snapshot misses three chunks of other articles (a rebuild that never ran)
    kept = [c for c in chunks if c.doc_id != VICTIM][3:]
    victim_chunks = [c for c in chunks if c.doc_id == VICTIM]
    lexical.rebuild([lexical_record(c) for c in kept + victim_chunks])
    # 2. one article loses every chunk in Chroma (the snapshot still lists them)
    store.delete_chunks([c.chunk_id for c in victim_chunks])
    # 3. a chunk of a document that has no article record
    ghost = Chunk("ghost-chunk", "ghost-doc", 0, "A ghost paragraph.", 0, 18)
    store.upsert_chunks([ghost], services.embedder.embed([ghost.text]))
    # 4. the signature file is gone
    (settings.lexical_dir / "news-minhash.npz").unlink()

    assert main(["--verify", "--store", str(store_dir)]) == EXIT_DISAGREEMENT
    found = build_ingestion(settings, store, services.embedder).verify()
    assert len(found.lexical_missing) == 4  # three dropped + the ghost
    assert sorted(found.lexical_extra) == sorted(c.chunk_id for c in victim_chunks)
    assert found.orphan_chunks == ["ghost-chunk"]
    assert found.unindexed_articles == [VICTIM]
    assert found.signatures_stale
    assert "disagreement found" in capsys.readouterr().out

    assert main(["--repair", "--store", str(store_dir)]) == EXIT_OK
    assert main(["--verify", "--store", str(store_dir)]) == EXIT_OK
    assert {c.chunk_id for c in store.all_chunks()} == {c.chunk_id for c in chunks}
    # the unindexed article is searchable again, by keyword and densely
    hits = services.lexical.search("Miroshnik", 1, SearchFilters())  # named in seed 003 only
    assert store.get_chunks([hits[0][0]])[0].doc_id == VICTIM
    assert len(store.query(services.embedder.embed(["x"])[0], 50, SearchFilters())) == len(chunks)


def test_verify_and_paths_do_not_mix(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--verify", str(SEED_DIR)])
    with pytest.raises(SystemExit):
        main([])


def test_a_store_indexed_by_bm25s_gets_its_tantivy_index_on_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Migration: the old bm25s snapshots (``CURRENT`` + ``v*/``) and no tantivy index. The
    next ingest run sees the index hold fewer chunks than the store and builds it from Chroma;
    the old snapshots go."""
    monkeypatch.setenv("QA_EMBEDDER", "hashing")
    store_dir = tmp_path / "store"
    assert main([str(SEED_DIR), "--store", str(store_dir), "--quiet"]) == EXIT_OK
    settings = make_settings(store_dir)
    services = build_services(settings, embedder=HashingEmbedder())
    lexical = build_lexical(settings, services.store)
    legacy = lexical.directory.parent
    shutil.rmtree(lexical.directory)
    (legacy / "v000003").mkdir()
    (legacy / "CURRENT").write_text("v000003", encoding="utf-8")
    assert main(["--verify", "--store", str(store_dir)]) == EXIT_DISAGREEMENT
    assert lexical.search("Miroshnik", 1, SearchFilters()) == []

    assert main([str(SEED_DIR), "--store", str(store_dir), "--quiet"]) == EXIT_OK  # no change
    assert main(["--verify", "--store", str(store_dir)]) == EXIT_OK
    assert lexical.chunk_ids() == {c.chunk_id for c in services.store.all_chunks()}
    assert lexical.search("Miroshnik", 1, SearchFilters())
    assert not (legacy / "CURRENT").exists() and not (legacy / "v000003").exists()


def test_an_ingest_run_reconciles_an_index_that_lost_chunks(tmp_path: Path) -> None:
    """A lexical index that fell behind (here: entries deleted behind the pipeline's back) is
    caught by the per-run count check and brought in line, without --repair."""
    settings = make_settings(tmp_path / "store")
    services = build_services(settings, embedder=HashingEmbedder())
    pipeline = build_pipeline(settings, services.store, services.embedder)
    pipeline.run([SEED_DIR])
    services.lexical.update([], deleted_documents=[VICTIM])
    assert not services.lexical.search("Miroshnik", 1, SearchFilters())
    report = pipeline.run([SEED_DIR])  # nothing changed in the files
    assert report.lexical_reconciled
    assert services.lexical.chunk_ids() == {c.chunk_id for c in services.store.all_chunks()}
    assert services.lexical.search("Miroshnik", 1, SearchFilters())
