"""Liveness and readiness probes (never behind auth)."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.openapi import ResponseSpec

from qa_service.api.schemas import Health
from qa_service.container import Services
from qa_service.core.errors import StoreUnavailable


class HealthController(Controller):
    tags = ["health"]

    @get("/healthz", summary="Process is up")
    async def healthz(self) -> Health:
        return Health(status="ok")

    @get(
        "/readyz",
        summary="Store reachable and corpus non-empty",
        sync_to_thread=True,
        responses={503: ResponseSpec(Health, description="Store unreachable or corpus empty")},
    )
    def readyz(self, services: Services) -> Response[Health]:
        try:
            services.store.ping()
            chunks = services.store.count_chunks()
        except StoreUnavailable:
            return Response(Health(status="store unreachable"), status_code=503)
        if chunks == 0:
            return Response(Health(status="corpus empty", chunks=0), status_code=503)
        return Response(Health(status="ready", chunks=chunks))
