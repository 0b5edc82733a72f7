"""``create_app(settings)``: the only place the HTTP application is assembled."""

from __future__ import annotations

import anyio
from litestar import Litestar, Router
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from qa_service.api.controllers.ask import AskController
from qa_service.api.controllers.document_writes import DocumentWritesController
from qa_service.api.controllers.documents import DocumentsController
from qa_service.api.controllers.health import HealthController
from qa_service.api.controllers.search import SearchController
from qa_service.api.controllers.widget import widget_router
from qa_service.api.docs_pages import DOCS_PATH, LocalSwaggerRenderPlugin, docs_router
from qa_service.api.errors import exception_handlers
from qa_service.api.observability import Metrics, metrics_endpoint, observability_middleware
from qa_service.api.openapi_docs import ClosedStructSchemaPlugin
from qa_service.api.rate_limit import RateLimiter
from qa_service.api.security import make_api_key_guard
from qa_service.api.strict_body import json_content_type_guard
from qa_service.api.write_guard import make_write_guard
from qa_service.container import Services, build_services
from qa_service.core.ports import LLM, Embedder
from qa_service.logging import configure_logging
from qa_service.settings import Settings


def create_app(
    settings: Settings | None = None,
    *,
    embedder: Embedder | None = None,
    llm: LLM | None = None,
    services: Services | None = None,
) -> Litestar:
    """Build the app; tests pass their own settings (temp dirs), embedder, LLM or services."""
    settings = settings or Settings()
    configure_logging(settings.log_level)
    built = services or build_services(settings, embedder=embedder, llm=llm)
    metrics = Metrics()

    async def warm_up() -> None:
        """Load the embedding model before the first request instead of during it."""
        await anyio.to_thread.run_sync(built.queries.embed_query, "warm up")

    def provide_services() -> Services:
        return built

    def provide_metrics() -> Metrics:
        return metrics

    writes = Router(
        path="/",
        route_handlers=[DocumentWritesController],
        guards=[make_write_guard(settings)],
        request_max_body_size=settings.push_max_body_bytes,
    )
    api_v1 = Router(
        path="/",
        route_handlers=[SearchController, DocumentsController, AskController, writes],
        guards=[make_api_key_guard(settings), json_content_type_guard],
        security=[{"bearer": []}] if settings.api_key_list else None,
    )
    limiter = RateLimiter(settings)  # one set of counters for every route of this app
    cors = (
        CORSConfig(
            allow_origins=settings.cors_origin_list,
            allow_headers=["*"],
            expose_headers=["Retry-After", "X-Request-ID"],  # the widget shows Retry-After
        )
        if settings.cors_origin_list
        else None
    )
    app = Litestar(
        route_handlers=[HealthController, api_v1, metrics_endpoint, widget_router(settings)],
        dependencies={
            "services": Provide(provide_services, sync_to_thread=False),
            "metrics": Provide(provide_metrics, sync_to_thread=False),
        },
        middleware=[DefineMiddleware(limiter.middleware)],
        on_startup=[warm_up],
        plugins=[ClosedStructSchemaPlugin()],
        exception_handlers=exception_handlers(),
        request_max_body_size=settings.max_body_bytes,
        cors_config=cors,
        openapi_config=OpenAPIConfig(
            title="News QA API",
            version="1.0.0",
            description="Search and question answering over news articles, with verifiable "
            "citations.",
            path=DOCS_PATH,
            openapi_router=docs_router(),
            render_plugins=[LocalSwaggerRenderPlugin()],
            components=Components(
                security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}
            ),
        ),
        debug=False,
    )
    # Outermost, around Litestar's own exception handling and routing: 404s, 405s and 429s are
    # logged and counted with the status sent, and every response gets its X-Request-ID.
    app.asgi_handler = observability_middleware(app.asgi_handler)
    app.state.services = built
    app.state.metrics = metrics
    return app
