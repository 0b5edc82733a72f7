"""``python -m qa_service.healthcheck [URL]``: exit 0 when URL answers 2xx, else 1.

The container's HEALTHCHECK: python:3.11-slim has no curl, and this must stay stdlib-only so a
probe costs milliseconds. The default URL is the API's liveness probe on ``QA_PORT``.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence


def default_url() -> str:
    return f"http://127.0.0.1:{os.environ.get('QA_PORT', '8000')}/healthz"


def probe(url: str, timeout_s: float = 3.0) -> bool:
    """GET ``url`` directly: a proxy from the environment must not sit between us and 127.0.0.1."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout_s) as response:
            return bool(200 <= response.status < 300)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    url = args[0] if args else default_url()
    return 0 if probe(url) else 1


if __name__ == "__main__":
    sys.exit(main())
