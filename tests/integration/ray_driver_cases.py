"""Run by ``test_ray_ingest.py`` in a pytest process of its own: Ray must not start in the
main test process. ``ingest --executor ray`` on a local Ray cluster of 2 worker processes writes
exactly the store the single-process job writes (chunk ids, texts, metadata, article records,
document list), and the same report; a re-run writes nothing; a killed embed worker is retried;
a failed job leaves nothing a re-run does not complete."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import ray

from ingest.__main__ import EXIT_OK, main
from ingest.executors.ray import build_ray_pipeline, ray_cluster
from ingest.job import build_pipeline
from qa_service.adapters.chroma_store import ChromaStore
from qa_service.adapters.hashing_embedder import HashingEmbedder
from qa_service.container import build_embedder, build_ingestion, build_store
from qa_service.core.ports import Embedder
from qa_service.ingestion.pipeline import IngestReport
from qa_service.settings import Settings
from tests.conftest import REPO, SEED_DIR
from tests.integration.chroma_server import ChromaServer
from tests.integration.conftest import make_settings
from tests.integration.store_snapshot import StoreSnapshot, snapshot

pytestmark = pytest.mark.slow

MULTIHOP = REPO / "eval" / "data" / "multihop-rag-sample" / "corpus.jsonl"
WORKERS = 2


@pytest.fixture(scope="module")
def ray_workers() -> Iterator[int]:
    """A local Ray instance with 2 CPUs: 2 worker processes embed (one actor each)."""
    with ray_cluster(workers=WORKERS) as workers:
        assert workers == WORKERS
        yield workers


class CrashOnceEmbedder(HashingEmbedder):
    """The first embed call in the whole cluster kills its worker process, with no cleanup
    (``os._exit``, as the OOM killer would); every later call embeds."""

    def __init__(self, marker: Path) -> None:
        super().__init__()
        self._marker = marker

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        try:
            self._marker.touch(exist_ok=False)
        except FileExistsError:
            return super().embed(texts)
        os._exit(1)


class FailAfterFirstEmbedder(CrashOnceEmbedder):
    """The first embed call in the cluster succeeds, every later one raises."""

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        try:
            self._marker.touch(exist_ok=False)
        except FileExistsError:
            raise RuntimeError("embedder broke") from None
        return HashingEmbedder.embed(self, texts)


MENU = "Harbour Gazette: independent reporting from the northern coast since 1921"


def tricky_corpus(root: Path) -> Path:
    """Inputs whose handling spans documents: a menu line repeated across one site's pages
    (boilerplate only because it recurs), an id used twice, an unsafe url (a warning), an
    empty and a binary file (skipped)."""
    site = root / "gazette"
    site.mkdir(parents=True)
    stories = [
        "The harbour authority approved a new ferry terminal on Monday after a long debate.",
        "Fishermen protested the quota cut outside the town hall, blocking traffic for hours.",
        "A storm flooded the old market district and the council promised repairs by spring.",
    ]
    for n, story in enumerate(stories):
        body = f"Story {n}\n\n{story} {f'Officials said plan {n} would be reviewed. ' * 6}"
        body += f"\n\n{MENU}\n\nThe vote was close, with seven councillors against it.\n"
        (site / f"story-{n}.txt").write_text(body, encoding="utf-8")
    feed = [
        '{"id": "dup-1", "title": "First", "text": "A bridge opened in the valley at dawn."}',
        '{"id": "dup-1", "title": "Second", "text": "Another text under the same id."}',
        '{"id": "js-1", "url": "javascript:alert(1)", "text": "The mayor resigned on Friday."}',
    ]
    (root / "feed.jsonl").write_text("\n".join(feed) + "\n", encoding="utf-8")
    (root / "empty.txt").write_text("  \n", encoding="utf-8")
    (root / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    return root


def comparable(report: IngestReport) -> dict[str, Any]:
    """The report without its timings."""
    fields = dataclasses.asdict(report)
    del fields["seconds"], fields["stages"]
    return fields


def local_run(settings: Settings, embedder: Embedder, *paths: Path) -> tuple[IngestReport, Any]:
    store = build_store(settings, embedder.model_id)
    report = build_pipeline(settings, store, embedder).run(list(paths))
    return report, snapshot(settings, store)


def ray_run(
    settings: Settings, workers: int, *paths: Path, make_embedder: Any = None
) -> tuple[IngestReport, ChromaStore]:
    embedder = build_embedder(settings)  # in the driver it only names the vector space
    store = build_store(settings, embedder.model_id)
    job = build_ray_pipeline(settings, store, embedder, workers, make_embedder)
    return job.run(list(paths)), store


def assert_rerun_writes_nothing(
    settings: Settings, workers: int, before: StoreSnapshot, *paths: Path
) -> None:
    again, store = ray_run(settings, workers, *paths)
    assert (again.chunks_new, again.chunks_deleted, again.articles_written) == (0, 0, 0)
    assert not again.lexical_updated
    assert set(again.status.values()) == {"unchanged"}
    snapshot(settings, store).assert_same_as(before, atol=0.0)


def test_seeds_with_the_default_embedder_give_the_local_store(
    tmp_path: Path, ray_workers: int, minilm: Embedder
) -> None:
    local_settings = make_settings(tmp_path / "local", embedder="minilm")
    ray_settings = make_settings(tmp_path / "ray", embedder="minilm")
    local_report, local_store = local_run(local_settings, minilm, SEED_DIR)

    report, store = ray_run(ray_settings, ray_workers, SEED_DIR)

    assert comparable(report) == comparable(local_report)
    assert report.duplicates == [("001_6b07ba3dde2957da", "000_2024f5da2fff1265")]
    ray_store = snapshot(ray_settings, store)
    ray_store.assert_same_as(local_store)
    assert [d.doc_id for d in ray_store.documents] == [
        "000_2024f5da2fff1265",
        "002_bdbef122728239ac",
        "003_91a5866ccc87542e",
        "004_e3e65fdab3122716",
    ]
    assert_rerun_writes_nothing(ray_settings, ray_workers, ray_store, SEED_DIR)


def test_multihop_sample_and_seeds_give_the_local_store_and_report(
    tmp_path: Path, ray_workers: int
) -> None:
    local_settings = make_settings(tmp_path / "local")
    ray_settings = make_settings(tmp_path / "ray")
    inputs = (MULTIHOP, SEED_DIR, tricky_corpus(tmp_path / "tricky"))
    local_report, local_store = local_run(local_settings, HashingEmbedder(), *inputs)

    report, store = ray_run(ray_settings, ray_workers, *inputs)

    assert comparable(report) == comparable(local_report)
    assert report.documents == 330 + 3 + 2 and report.chunks_new > 330
    assert len(report.skipped) == 3 and len(report.warnings) == 1
    ray_store = snapshot(ray_settings, store)
    ray_store.assert_same_as(local_store, atol=0.0)
    assert not any(MENU in text for text, _ in ray_store.chunks.values())  # site boilerplate
    assert_rerun_writes_nothing(ray_settings, ray_workers, ray_store, *inputs)


def test_workers_write_straight_into_a_chroma_server(
    tmp_path: Path, ray_workers: int, chroma_server: ChromaServer
) -> None:
    local_report, local_store = local_run(
        make_settings(tmp_path / "local"), HashingEmbedder(), MULTIHOP
    )
    settings = make_settings(
        tmp_path / "unused", chroma_url=chroma_server.url, collection_prefix="rayserver"
    )

    report, store = ray_run(settings, ray_workers, MULTIHOP)

    assert comparable(report) == comparable(local_report)
    snapshot(settings, store).assert_same_as(local_store, atol=0.0)


def test_a_killed_embed_worker_is_retried_and_the_store_is_complete(
    tmp_path: Path, ray_workers: int
) -> None:
    _, local_store = local_run(make_settings(tmp_path / "local"), HashingEmbedder(), MULTIHOP)
    settings = make_settings(tmp_path / "ray")
    marker = tmp_path / "killed-once"

    ray_run(settings, ray_workers, MULTIHOP, make_embedder=partial(CrashOnceEmbedder, marker))

    assert marker.exists()  # a worker did die
    ray_store = snapshot(settings, build_store(settings, HashingEmbedder().model_id))
    ray_store.assert_same_as(local_store, atol=0.0)
    assert_rerun_writes_nothing(settings, ray_workers, ray_store, MULTIHOP)


def test_a_failed_job_writes_no_article_and_a_rerun_completes_it(
    tmp_path: Path, ray_workers: int
) -> None:
    _, local_store = local_run(make_settings(tmp_path / "local"), HashingEmbedder(), MULTIHOP)
    settings = make_settings(tmp_path / "ray")
    failing = partial(FailAfterFirstEmbedder, tmp_path / "first-call")

    with pytest.raises(Exception, match="embedder broke"):
        ray_run(settings, ray_workers, MULTIHOP, make_embedder=failing)
    # A failed job's driver exits, and Ray ends the actors it owned (the CLI's ray_cluster also
    # shuts its local instance down on the way out). This test is that driver, sharing the
    # module's instance, so it ends the session the same way: the failed job's embed actors
    # would otherwise keep both CPUs and the re-run's read tasks would wait forever.
    ray.shutdown()

    store = build_store(settings, HashingEmbedder().model_id)
    assert store.article_hashes() == {}  # article records are written after every chunk
    with ray_cluster(workers=ray_workers):  # the next run: a new driver, a new session
        report, store = ray_run(settings, ray_workers, MULTIHOP)
    assert report.articles_written == len(local_store.articles)
    snapshot(settings, store).assert_same_as(local_store, atol=0.0)
    service = build_ingestion(settings, store, HashingEmbedder())
    assert service.verify().consistent


def test_cli_runs_the_ray_executor(
    tmp_path: Path, ray_workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QA_EMBEDDER", "hashing")
    code = main([str(SEED_DIR), "--store", str(tmp_path / "cli"), "--executor", "ray", "--quiet"])
    assert code == EXIT_OK
    settings = make_settings(tmp_path / "cli")
    _, local_store = local_run(make_settings(tmp_path / "local"), HashingEmbedder(), SEED_DIR)
    stored = snapshot(settings, build_store(settings, HashingEmbedder().model_id))
    stored.assert_same_as(local_store, atol=0.0)
