"""/v1/search runs searches one at a time per process, off the event loop."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from litestar.testing import TestClient

from qa_service.api.app import create_app
from qa_service.container import Services


class SlowRetriever:
    def __init__(self) -> None:
        self.running = 0
        self.most = 0
        self.threads: set[str] = set()
        self._lock = threading.Lock()

    def search(self, query: str, top_k: int, filters: Any) -> list[Any]:
        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)
            self.threads.add(threading.current_thread().name)
        time.sleep(0.05)
        with self._lock:
            self.running -= 1
        return []


def test_searches_queue_on_one_thread_and_health_stays_responsive(
    seeded_services: Services,
) -> None:
    retriever = SlowRetriever()
    services = replace(seeded_services, retriever=retriever)
    app = create_app(seeded_services.settings, services=services)
    with TestClient(app) as client, ThreadPoolExecutor(6) as pool:
        searches = [
            pool.submit(client.post, "/v1/search", json={"query": f"q{i}"}) for i in range(6)
        ]
        time.sleep(0.05)
        started = time.perf_counter()
        assert client.get("/healthz").status_code == 200
        health_s = time.perf_counter() - started
        assert all(f.result().status_code == 200 for f in searches)
    assert retriever.most == 1
    assert all(name.startswith("search") for name in retriever.threads)
    assert health_s < 0.2  # not behind the ~0.3 s of queued searches
