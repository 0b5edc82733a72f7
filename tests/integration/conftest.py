"""Real Chroma (embedded, in temp dirs), real ingest, real HTTP through Litestar's test client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from ingest.job import build_pipeline
from qa_service.adapters.hashing_embedder import HashingEmbedder
from qa_service.api.app import create_app
from qa_service.container import Services, build_services
from qa_service.core.ports import Embedder
from qa_service.settings import Settings
from tests.conftest import SEED_DIR
from tests.integration.chroma_server import ChromaServer, run_chroma_server


def make_settings(store_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"chroma_path": store_dir, "embedder": "hashing"}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def ingest_into(services: Services, *paths: Path) -> None:
    pipeline = build_pipeline(services.settings, services.store, services.embedder)
    pipeline.run(list(paths))


@pytest.fixture(scope="session")
def minilm() -> Embedder:
    """The real packaged model, loaded once per session."""
    from qa_service.adapters.local_embedder import MiniLMEmbedder

    return MiniLMEmbedder()


@pytest.fixture(scope="session")
def seeded_services(tmp_path_factory: pytest.TempPathFactory) -> Services:
    """Seed corpus ingested with the fast hashing embedder."""
    settings = make_settings(tmp_path_factory.mktemp("chroma-hashing"))
    services = build_services(settings, embedder=HashingEmbedder())
    ingest_into(services, SEED_DIR)
    return services


@pytest.fixture(scope="session")
def minilm_services(tmp_path_factory: pytest.TempPathFactory, minilm: Embedder) -> Services:
    """Seed corpus ingested with the real MiniLM model."""
    settings = make_settings(tmp_path_factory.mktemp("chroma-minilm"), embedder="minilm")
    services = build_services(settings, embedder=minilm)
    ingest_into(services, SEED_DIR)
    return services


@pytest.fixture()
def client(seeded_services: Services) -> Iterator[TestClient]:
    app = create_app(seeded_services.settings, services=seeded_services)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture()
def minilm_client(minilm_services: Services) -> Iterator[TestClient]:
    app = create_app(minilm_services.settings, services=minilm_services)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """One ``chroma run`` server per session (server mode, as deployed with QA_CHROMA_URL)."""
    root = tmp_path_factory.mktemp("chroma-server")
    with run_chroma_server(root / "data", root / "server.log") as server:
        yield server
