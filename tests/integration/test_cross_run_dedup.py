"""Issue #15 item 3: near-duplicates collapse across runs, not only within one."""

from __future__ import annotations

import shutil
from pathlib import Path

from ingest.job import build_pipeline
from qa_service.adapters.hashing_embedder import HashingEmbedder
from qa_service.adapters.signature_file import SignatureFile
from qa_service.container import Services, build_services
from qa_service.ingestion.archive_dedup import NUM_PERM
from tests.conftest import SEED_DIR
from tests.integration.conftest import make_settings

ORIGINAL = "000_2024f5da2fff1265.txt"
COPY = "001_6b07ba3dde2957da.txt"


def _services(store: Path) -> Services:
    return build_services(make_settings(store), embedder=HashingEmbedder())


def _ingest(services: Services, path: Path) -> None:
    build_pipeline(services.settings, services.store, services.embedder).run([path])


def test_syndicated_copy_in_a_later_run_joins_the_original(tmp_path: Path) -> None:
    services = _services(tmp_path / "store")
    _ingest(services, SEED_DIR / ORIGINAL)
    first = services.store.list_documents()
    chunks_before = services.store.count_chunks()

    pipeline = build_pipeline(services.settings, services.store, services.embedder)
    report = pipeline.run([SEED_DIR / COPY])

    documents = services.store.list_documents()
    assert [d.doc_id for d in documents] == [d.doc_id for d in first] == [ORIGINAL[:-4]]
    assert documents[0].origins == (ORIGINAL, COPY)  # files given by name: their names
    assert report.archive_duplicates == [(COPY[:-4], ORIGINAL[:-4])]
    assert services.store.count_chunks() == chunks_before  # the copy embedded nothing new
    # a third run with the copy again changes nothing
    again = pipeline.run([SEED_DIR / COPY])
    assert again.articles_written == 0 and again.chunks_new == 0


def test_original_kept_when_both_arrive_together_after_it(tmp_path: Path) -> None:
    services = _services(tmp_path / "store")
    _ingest(services, SEED_DIR / ORIGINAL)
    both = tmp_path / "both"
    both.mkdir()
    for name in (ORIGINAL, COPY):
        shutil.copy(SEED_DIR / name, both / name)
    _ingest(services, both)
    assert [d.doc_id for d in services.store.list_documents()] == [ORIGINAL[:-4]]


def test_lost_signature_file_is_rebuilt_from_the_store(tmp_path: Path) -> None:
    services = _services(tmp_path / "store")
    _ingest(services, SEED_DIR / ORIGINAL)
    path = services.settings.lexical_dir / "news-minhash.npz"
    assert set(SignatureFile(path, NUM_PERM).load()) == {ORIGINAL[:-4]}
    path.unlink()  # e.g. a run killed before it saved, or a store older than the file
    _ingest(services, SEED_DIR / COPY)
    assert [d.doc_id for d in services.store.list_documents()] == [ORIGINAL[:-4]]
    assert set(SignatureFile(path, NUM_PERM).load()) == {ORIGINAL[:-4]}
