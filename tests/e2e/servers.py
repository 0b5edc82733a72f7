"""Processes the browser tests talk to: the real API (``python -m qa_service``) and a host page.

The API runs as a subprocess exactly as deployed: seed corpus ingested by ``python -m ingest`` with
the packaged MiniLM model, API keys on, CORS allowing only the host page's origin. The host page is
a tiny HTTP server on another loopback port that serves the one-line embed snippet, so the widget
really runs cross-origin.
"""

from __future__ import annotations

import html
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import httpx

from tests.conftest import REPO, SEED_DIR
from tests.integration.live_server import free_port

SERVICE_KEY = "e2e-service-key-0123456789"
WIDGET_KEY = "e2e-widget-key-abcdef012345"
READY_TIMEOUT_S = 300.0  # model load on a busy 2-core machine


@dataclass(frozen=True)
class QAServer:
    base_url: str
    log_path: Path

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]


def _env(**qa: str) -> dict[str, str]:
    """The test environment minus any QA_* a developer may have exported, plus ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False")
    env.update(PYTHONUNBUFFERED="1", NO_COLOR="1")
    env.update(qa)
    return env


def ingest_seed(store: Path, log_path: Path) -> None:
    command = [sys.executable, "-m", "ingest", str(SEED_DIR), "--store", str(store), "--quiet"]
    with log_path.open("wb") as log:
        result = subprocess.run(
            command, cwd=REPO, env=_env(), stdout=log, stderr=subprocess.STDOUT, timeout=600
        )
    if result.returncode != 0:
        raise RuntimeError(f"ingest failed ({result.returncode}):\n{log_path.read_text()[-4000:]}")


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2, trust_env=False).status_code == 200
    except httpx.HTTPError:
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@contextmanager
def run_qa_server(store: Path, log_path: Path, cors_origin: str) -> Iterator[QAServer]:
    port = free_port()
    env = _env(
        QA_CHROMA_PATH=str(store),
        QA_HOST="127.0.0.1",
        QA_PORT=str(port),
        QA_API_KEYS=SERVICE_KEY,
        QA_WIDGET_API_KEY=WIDGET_KEY,
        QA_WIDGET_RATE_LIMIT_PER_MINUTE="300",
        QA_CORS_ORIGINS=cors_origin,
        QA_LOG_LEVEL="WARNING",
    )
    server = QAServer(f"http://127.0.0.1:{port}", log_path)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "qa_service"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + READY_TIMEOUT_S
            while not _ready(server.base_url):
                if process.poll() is not None:
                    raise RuntimeError(f"qa_service exited early:\n{server.log_tail()}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"qa_service not ready in time:\n{server.log_tail()}")
                time.sleep(0.5)
            yield server
        finally:
            _stop(process)


def snippet(api_base: str, *, target: str | None) -> str:
    """The README's one-line embed snippet."""
    src = html.escape(f"{api_base}/widget.js", quote=True)
    where = f' data-target="{html.escape(target, quote=True)}"' if target else ""
    return f'<script src="{src}" data-api-key="{WIDGET_KEY}"{where} defer></script>'


def host_page(api_base: str, *, target: str | None) -> str:
    mount = '<div id="qa" class="host-slot"></div>' if target else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Host newsroom page</title>
<style>
  body {{ font-family: Georgia, serif; margin: 0; background: #faf7f2; color: #222; }}
  main {{ max-width: 980px; margin: 0 auto; padding: 28px 24px; display: grid;
          grid-template-columns: 1fr 420px; gap: 28px; }}
  h1 {{ font-size: 30px; margin: 0 0 12px; }}
  p {{ line-height: 1.6; margin: 0 0 1em; }}
  @media (max-width: 800px) {{ main {{ grid-template-columns: 1fr; }} }}
</style></head>
<body><main>
  <article><h1>The Daily Host</h1>
    <p>This page belongs to another site. It embeds the News QA widget with one script tag.</p>
    <p>Its own styles for paragraphs and buttons must not leak into the widget.</p>
  </article>
  {mount}
</main>
{snippet(api_base, target=target)}
</body></html>"""


class _HostHandler(BaseHTTPRequestHandler):
    pages: ClassVar[dict[str, str]] = {}

    def do_GET(self) -> None:
        body = self.pages.get(self.path.split("?")[0])
        if body is None:
            self.send_error(404)
            return
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test output is for failures."""


@contextmanager
def run_host_site() -> Iterator[tuple[str, dict[str, str]]]:
    """A host site on its own port; fill the returned dict with path -> HTML once the API runs."""
    pages: dict[str, str] = {}
    handler = type("HostHandler", (_HostHandler,), {"pages": pages})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", pages
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
