"""The service in this process: ingest into a private store, then talk to the app over ASGI HTTP.

Eval and the MultiHop benchmark use the ingest job's own code (``build_pipeline``) and the API's
own factory (``create_app``), so what is measured is what ships. Requests go through httpx's
``ASGITransport`` rather than Litestar's ``AsyncTestClient``: the latter hands every request to a
blocking portal, which serialises them and would make ``--concurrency`` meaningless. Both speak
the same ASGI HTTP interface (routing, validation, JSON encoding, status codes).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from ingest.job import build_pipeline
from qa_service.api.app import create_app
from qa_service.container import Services, build_embedder, build_services
from qa_service.core.ports import Embedder
from qa_service.ingestion.pipeline import IngestReport
from qa_service.settings import Settings

BASE_URL = "http://eval.local"
# A whole eval run comes from one client: the per-key rate limit must not throttle it.
UNLIMITED = 10_000_000


def eval_settings(store: Path, collection_prefix: str, **overrides: object) -> Settings:
    """``QA_*`` settings from the environment, with storage and limits made private to the run.

    Answering knobs (``QA_RETRIEVAL_MODE``, ``QA_LLM_*``, ``QA_EXTRACTIVE_MIN_RELEVANCE`` …) are
    kept, so an eval measures the configuration it is run under.
    """
    values: dict[str, object] = {
        "chroma_path": store,
        "chroma_url": None,
        "lexical_path": None,
        "collection_prefix": collection_prefix,
        "api_keys": None,
        "widget_api_key": None,
        "rate_limit_per_minute": UNLIMITED,
        "log_level": "WARNING",
    }
    values.update(overrides)
    return Settings().model_copy(update=values)


def prepare_services(settings: Settings, embedder: Embedder | None = None) -> Services:
    """The container's object graph; pass ``embedder`` to share one loaded model between runs."""
    return build_services(settings, embedder=embedder or build_embedder(settings))


def ingest(services: Services, paths: Sequence[Path]) -> IngestReport:
    """Run the ingest job's pipeline exactly as ``python -m ingest`` would (idempotent)."""
    pipeline = build_pipeline(services.settings, services.store, services.embedder)
    return pipeline.run(list(paths))


@asynccontextmanager
async def app_client(
    services: Services, timeout_s: float = 120.0
) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client wired to ``create_app(settings, services=...)``, lifespan included."""
    app = create_app(services.settings, services=services)
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]  # ASGI typing differs
    async with (
        app.lifespan(),
        httpx.AsyncClient(transport=transport, base_url=BASE_URL, timeout=timeout_s) as client,
    ):
        yield client
