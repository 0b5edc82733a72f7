"""``QA_WORKERS`` > 1: several uvicorn processes, each serving its own listening socket."""

from __future__ import annotations

import multiprocessing
import signal
import socket
from multiprocessing.connection import wait
from multiprocessing.sharedctypes import SynchronizedArray
from types import FrameType
from typing import Any

import uvicorn

from qa_service.api.rate_windows import create_table, install
from qa_service.api.server import uvicorn_config
from qa_service.settings import Settings

APP_FACTORY = "qa_service.api.app:create_app"


def serve_workers(settings: Settings) -> int:
    """``QA_WORKERS`` processes, each serving its own ``SO_REUSEPORT`` socket on the address.

    uvicorn's own workers share one listening socket, and the worker that wakes first accepts a
    whole burst of new connections: 15-16 of a benchmark's 16 keep-alive connections landed on
    one of two workers (bench/scale.py), which left the other idle. With a socket per worker
    the kernel spreads connections over the workers. Each worker builds its own app from the
    same QA_* environment. SIGTERM/SIGINT stop every worker gracefully (exit code 0); so does
    the exit of any one worker (exit code 1, for the supervisor to restart the service)."""
    # Open the store once here: workers that open a fresh embedded store at the same moment race
    # to create its SQLite schema and collections, and the loser exits (seen under load in
    # tests/integration/test_workers.py).
    from qa_service.container import build_embedder, build_store

    build_store(settings, build_embedder(settings).model_id)
    context = multiprocessing.get_context("spawn")
    limits = create_table(context)  # one rate-limit table for all workers (rate_windows.py)
    workers = [
        context.Process(target=_serve_one, args=(settings.host, settings.port, limits))
        for _ in range(settings.workers)
    ]
    for worker in workers:
        worker.start()

    requested: list[int] = []  # the signal that asked us to stop, if any

    def stop(signum: int = 0, _frame: FrameType | None = None) -> None:
        if signum:
            requested.append(signum)
        for worker in workers:
            if worker.is_alive():
                worker.terminate()  # SIGTERM: uvicorn finishes open requests, then exits

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    wait([worker.sentinel for worker in workers])
    stop()
    for worker in workers:
        worker.join()
    # uvicorn re-raises the SIGTERM it handled, so a worker we stopped ends with -SIGTERM.
    clean = all(worker.exitcode in (0, -signal.SIGTERM) for worker in workers)
    return 0 if requested and clean else 1


def _serve_one(host: str, port: int, limits: SynchronizedArray[Any]) -> None:
    install(limits)  # before uvicorn builds the app: its limiter counts in the shared table
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    config = uvicorn_config(Settings(), APP_FACTORY, factory=True)  # same QA_* environment
    uvicorn.Server(config).run(sockets=[sock])
