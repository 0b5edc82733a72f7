"""A stand-in API whose answer stream pauses mid-way until the test releases it.

The real API answers extractively in one delta, so it cannot show that the widget renders text as
it arrives. This HTTP server (a process boundary, like the LLM wire in the integration tests) serves
the real widget files and a stream: retrieval + first delta, then — once released — a second delta,
a citation and a ``done`` whose answer differs from the deltas (the widget must render ``done``'s).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

from qa_service.api.controllers.widget import STATIC_DIR

FIRST_DELTA = "Streaming first part [1]"
FINAL_ANSWER = "Authoritative final answer. [1]"
CITATION = {
    "id": 1,
    "chunk_id": "chunk-1",
    "document_id": "doc-1",
    "title": "A streamed source",
    "source": "Wire",
    "url": "https://news.invalid/streamed",
    "published_at": "2025-03-02T10:00:00",
    "quote": "the quoted sentence",
    "start": 0,
    "end": 19,
}


@dataclass
class SlowStream:
    url: str
    release: threading.Event = field(default_factory=threading.Event)


def _event(name: str, data: Any) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()


class _Handler(BaseHTTPRequestHandler):
    stream: ClassVar[SlowStream]
    files: ClassVar[dict[str, tuple[str, bytes]]]

    def do_GET(self) -> None:
        found = self.files.get(self.path)
        if found is None:
            self.send_error(404)
            return
        content_type, body = found
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        try:
            self.wfile.write(_event("retrieval", {"passages": []}))
            self.wfile.write(_event("delta", {"text": FIRST_DELTA}))
            self.wfile.flush()
            self.stream.release.wait(timeout=60)
            self.wfile.write(_event("delta", {"text": " and more [9]"}))
            self.wfile.write(_event("citation", CITATION))
            done = {"answer": FINAL_ANSWER, "abstained": False, "degraded": True}
            self.wfile.write(_event("done", {**done, "citations": [CITATION]}))
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return  # the reader pressed Stop

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test output is for failures."""


@contextmanager
def run_slow_stream() -> Iterator[SlowStream]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    stream = SlowStream(url=f"http://127.0.0.1:{server.server_address[1]}")
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>slow</title></head>'
        '<body><div id="qa"></div><script src="/widget.js" data-target="#qa" defer></script>'
        "</body></html>"
    )
    files = {
        "/": ("text/html; charset=utf-8", page.encode()),
        "/widget.js": ("text/javascript", (STATIC_DIR / "widget.js").read_bytes()),
        "/widget.css": ("text/css", (STATIC_DIR / "widget.css").read_bytes()),
    }
    server.RequestHandlerClass = type(
        "SlowHandler", (_Handler,), {"stream": stream, "files": files}
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stream
    finally:
        stream.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
