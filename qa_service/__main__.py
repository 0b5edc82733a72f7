"""``python -m qa_service``: serve the API with uvicorn on QA_HOST:QA_PORT."""

from __future__ import annotations

import sys

import uvicorn

from qa_service.api.app import create_app
from qa_service.api.server import uvicorn_config
from qa_service.api.workers import serve_workers
from qa_service.settings import Settings


def main() -> int:
    settings = Settings()
    if settings.workers > 1:
        return serve_workers(settings)  # one SO_REUSEPORT socket per worker (see there)
    uvicorn.Server(uvicorn_config(settings, create_app(settings))).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
