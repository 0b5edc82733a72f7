"""A stub OpenAI-compatible chat server on loopback, with fault injection.

``python -m bench.stub_llm --port 8100 --latency-ms 200 [--mode truncate] [--fault-rate 0.2]``

It answers ``POST /v1/chat/completions`` (streamed or not) by quoting the first sentence of
passage 1 of the prompt with a ``[1]`` marker, so answers carry a real, verifiable citation. The
load bench (bench/load.py) and the upstream-fault tests (tests/reliability) use it.

Faults, chosen with ``--mode`` for every request, or for a fraction of them with ``--fault-rate``
and ``--faults`` (seeded), or at run time with ``POST /control {"mode": ..., "latency_ms": ...}``:

  ok        stream the answer after ``latency_ms``
  slow      wait ``spike_ms`` before answering (a latency spike)
  429, 500  an OpenAI-style error body with that status (429 carries ``retry-after-ms``)
  drop      read the request, then close the connection without a response
  truncate  send half of the answer's chunks, then cut the connection mid-body
  eof       send half of the answer's chunks, then end the body cleanly: no finish, no [DONE]
  stall     send one chunk, then go silent for ``spike_ms`` before closing

Raw asyncio streams rather than a web framework: dropping a connection or cutting a chunked body
in the middle is exactly what a framework is built to prevent. ``GET /stats`` returns counters.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

MODES = ("ok", "slow", "429", "500", "drop", "truncate", "eof", "stall")
_PASSAGE_RE = re.compile(r'<passage id="1"[^>]*>\s*(.*?)\s*</passage>', re.DOTALL)
_SENTENCE_RE = re.compile(r"^.{20,400}?[.!?](?=\s|$)", re.DOTALL)


@dataclass
class StubConfig:
    mode: str = "ok"
    latency_ms: float = 200.0  # time to first token
    token_delay_ms: float = 5.0  # between streamed chunks
    spike_ms: float = 5000.0  # "slow" and "stall"
    fault_rate: float = 0.0  # with mode "ok": the share of requests that get one of `faults`
    faults: list[str] = field(default_factory=lambda: ["429", "500", "drop", "truncate"])
    seed: int = 1


def answer_for(messages: list[dict[str, Any]]) -> str:
    """First sentence of passage 1, cited; INSUFFICIENT_CONTEXT when the prompt has no passage."""
    prompt = "\n".join(str(m.get("content", "")) for m in messages)
    passage = _PASSAGE_RE.search(prompt)
    if passage is None:
        return "INSUFFICIENT_CONTEXT"
    text = " ".join(passage.group(1).split())
    sentence = _SENTENCE_RE.match(text)
    return f"{(sentence.group(0) if sentence else text[:200]).strip()} [1]"


def _pieces(text: str, n: int = 8) -> Iterator[str]:
    step = max(1, len(text) // n + 1)
    for lo in range(0, len(text), step):
        yield text[lo : lo + step]


def _chunk(content: str | None, finish: str | None = None, usage: bool = False) -> bytes:
    body: dict[str, Any] = {
        "id": "chatcmpl-stub",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": "stub-model",
        "choices": []
        if content is None and finish is None
        else [{"index": 0, "delta": {"content": content or ""}, "finish_reason": finish}],
    }
    if usage:
        body["usage"] = {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}
    return b"data: " + json.dumps(body).encode() + b"\n\n"


def _chunked(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


class StubLLM:
    """The server: ``start()`` runs it on a background thread (tests), ``serve()`` in front."""

    def __init__(self, config: StubConfig | None = None, host: str = "127.0.0.1", port: int = 0):
        self.config = config or StubConfig()
        self.host, self.port = host, port
        self.stats: Counter[str] = Counter()
        self._rng = random.Random(self.config.seed)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    # --- lifecycle ------------------------------------------------------------------------
    async def _open(self) -> None:
        self._server = await asyncio.start_server(self._connection, self.host, self.port)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def serve(self) -> None:
        await self._open()
        assert self._server is not None
        print(f"stub LLM listening on {self.base_url} (mode {self.config.mode})", flush=True)
        async with self._server:
            await self._server.serve_forever()

    def start(self) -> StubLLM:
        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(self._open())
            self._ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="stub-llm", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("stub LLM did not start")
        return self

    def stop(self) -> None:
        if self._loop is None or self._server is None:
            return
        loop, server = self._loop, self._server

        async def close() -> None:
            server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(close(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread:
            self._thread.join(10)

    def __enter__(self) -> StubLLM:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def set(self, **changes: Any) -> None:
        """Change the fault mode or timings (thread-safe enough: plain attribute writes)."""
        for key, value in changes.items():
            if not hasattr(self.config, key):
                raise KeyError(key)
            setattr(self.config, key, value)

    # --- HTTP -----------------------------------------------------------------------------
    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    break
                if not await self._dispatch(*request, writer):
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _dispatch(
        self, method: str, path: str, body: bytes, writer: asyncio.StreamWriter
    ) -> bool:
        """Answer one request; False when the connection must be closed afterwards."""
        if path == "/stats":
            return await _respond(writer, 200, dict(self.stats))
        if path == "/control" and method == "POST":
            try:
                self.set(**json.loads(body or b"{}"))
            except (KeyError, TypeError, ValueError) as exc:
                return await _respond(writer, 400, {"error": str(exc)})
            return await _respond(writer, 200, asdict(self.config))
        if path.rstrip("/").endswith("/chat/completions") and method == "POST":
            return await self._completion(json.loads(body or b"{}"), writer)
        return await _respond(writer, 404, {"error": {"message": f"no route {path}"}})

    def _pick_mode(self) -> str:
        config = self.config
        if config.mode == "ok" and config.fault_rate and self._rng.random() < config.fault_rate:
            return self._rng.choice(config.faults)
        return config.mode

    async def _completion(self, request: dict[str, Any], writer: asyncio.StreamWriter) -> bool:
        mode = self._pick_mode()
        self.stats["requests"] += 1
        self.stats[f"mode:{mode}"] += 1
        config = self.config
        if mode == "drop":
            return False
        if mode in ("429", "500"):
            status = int(mode)
            headers = {"retry-after-ms": "50"} if status == 429 else {}
            error = {"error": {"message": f"stub {mode}", "type": "stub", "code": mode}}
            return await _respond(writer, status, error, headers)
        await asyncio.sleep((config.spike_ms if mode == "slow" else config.latency_ms) / 1000)
        text = answer_for(request.get("messages", []))
        if not request.get("stream"):
            return await _respond(writer, 200, _completion_body(text))
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
            b"transfer-encoding: chunked\r\ncache-control: no-cache\r\n\r\n"
        )
        pieces = list(_pieces(text))
        if mode in ("truncate", "eof"):
            pieces = pieces[: max(1, len(pieces) // 2)]
        for i, piece in enumerate(pieces):
            writer.write(_chunked(_chunk(piece)))
            await writer.drain()
            if mode == "stall" and i == 0:
                await asyncio.sleep(config.spike_ms / 1000)
                return False
            await asyncio.sleep(config.token_delay_ms / 1000)
        if mode == "truncate":
            writer.write(b"2000\r\ndata: {")  # a chunk promised but never finished
            await writer.drain()
            return False
        if mode == "eof":
            writer.write(b"0\r\n\r\n")
            await writer.drain()
            return True
        tail = _chunk(None, finish="stop") + _chunk(None, usage=True) + b"data: [DONE]\n\n"
        writer.write(_chunked(tail) + b"0\r\n\r\n")
        await writer.drain()
        self.stats["completed"] += 1
        return True


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str, bytes] | None:
    head = await reader.readuntil(b"\r\n\r\n") if not reader.at_eof() else b""
    if not head:
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
    body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
    return method, path.split("?")[0], body


async def _respond(
    writer: asyncio.StreamWriter,
    status: int,
    payload: Any,
    headers: dict[str, str] | None = None,
) -> bool:
    data = json.dumps(payload).encode()
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    writer.write(
        f"HTTP/1.1 {status} STUB\r\ncontent-type: application/json\r\n"
        f"content-length: {len(data)}\r\n{extra}\r\n".encode()
        + data
    )
    await writer.drain()
    return True


def _completion_body(text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "stub-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1", help="loopback only (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8100, help="0 picks a free port")
    parser.add_argument("--mode", choices=MODES, default="ok")
    parser.add_argument("--latency-ms", type=float, default=200.0, help="time to first token")
    parser.add_argument("--token-delay-ms", type=float, default=5.0)
    parser.add_argument("--spike-ms", type=float, default=5000.0, help="for slow and stall")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="share of faulty answers")
    parser.add_argument("--faults", default="429,500,drop,truncate", help="comma-separated")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the stub only listens on loopback")
    config = StubConfig(
        mode=args.mode,
        latency_ms=args.latency_ms,
        token_delay_ms=args.token_delay_ms,
        spike_ms=args.spike_ms,
        fault_rate=args.fault_rate,
        faults=[f for f in args.faults.split(",") if f],
        seed=args.seed,
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(StubLLM(config, args.host, args.port).serve())


if __name__ == "__main__":
    main()
