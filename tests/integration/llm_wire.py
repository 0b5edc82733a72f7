"""Helpers to speak the OpenAI chat-completions wire format from respx routes."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Sequence

import httpx

BASE_URL = "http://llm.test/v1"
COMPLETIONS = f"{BASE_URL}/chat/completions"


def chunk_line(
    content: str | None = None,
    usage: tuple[int, int] | None = None,
    finish: str | None = None,
) -> bytes:
    body: dict[str, object] = {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "test-model",
        "choices": []
        if content is None and finish is None
        else [{"index": 0, "delta": {"content": content or ""}, "finish_reason": finish}],
    }
    if usage is not None:
        body["usage"] = {
            "prompt_tokens": usage[0],
            "completion_tokens": usage[1],
            "total_tokens": sum(usage),
        }
    return f"data: {json.dumps(body)}\n\n".encode()


def sse_body(deltas: Sequence[str], usage: tuple[int, int] = (120, 30)) -> bytes:
    lines = [chunk_line(d) for d in deltas] + [
        chunk_line(finish="stop"),  # real servers always say why the answer ended
        chunk_line(usage=usage),
        b"data: [DONE]\n\n",
    ]
    return b"".join(lines)


def stream_response(deltas: Sequence[str], usage: tuple[int, int] = (120, 30)) -> httpx.Response:
    return httpx.Response(
        200, content=sse_body(deltas, usage), headers={"content-type": "text/event-stream"}
    )


class CutStream(httpx.AsyncByteStream):
    """Sends some chunks, then the connection drops."""

    def __init__(self, deltas: Sequence[str]) -> None:
        self._deltas = deltas

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for delta in self._deltas:
            yield chunk_line(delta)
        raise httpx.RemoteProtocolError("peer closed connection without sending complete body")


class EndlessStream(httpx.AsyncByteStream):
    """Sends one chunk, then trickles forever until the consumer closes it."""

    def __init__(self) -> None:
        self.closed = threading.Event()
        self.chunks_sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            while True:
                yield chunk_line("Peskov said Russia wants peace [1]. ")
                self.chunks_sent += 1
                await asyncio.sleep(0.05)
        finally:
            self.closed.set()

    async def aclose(self) -> None:
        self.closed.set()
