"""The counting rate limiter keeps Litestar's fixed-window behaviour and headers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar import Litestar, get
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.testing import TestClient

from qa_service.api import security
from qa_service.api.security import CountingRateLimitMiddleware, client_identity


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@get("/ping", sync_to_thread=False)
def ping() -> str:
    return "pong"


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(security.time, "time", fake)
    return fake


@pytest.fixture()
def client(clock: Clock) -> Iterator[TestClient[Litestar]]:
    config = RateLimitConfig(
        rate_limit=("minute", 3),
        identifier_for_request=client_identity,
        middleware_class=CountingRateLimitMiddleware,
    )
    with TestClient(Litestar([ping], middleware=[config.middleware])) as test_client:
        yield test_client


def get_as(client: TestClient[Litestar], key: str) -> tuple[int, dict[str, str]]:
    response = client.get("/ping", headers={"Authorization": f"Bearer {key}"})
    return response.status_code, {k.lower(): v for k, v in response.headers.items()}


def test_window_counts_per_key_and_sets_headers(client: TestClient[Litestar], clock: Clock) -> None:
    seen = [get_as(client, "a") for _ in range(4)]
    assert [status for status, _ in seen] == [200, 200, 200, 429]
    assert [h["ratelimit-remaining"] for _, h in seen] == ["2", "1", "0", "0"]
    assert all(h["ratelimit-limit"] == "3" and h["ratelimit-policy"] == "3; w=60" for _, h in seen)
    assert seen[0][1]["ratelimit-reset"] == "60"
    assert get_as(client, "b")[0] == 200  # another key, another window
    clock.now += 30
    status, headers = get_as(client, "a")
    assert status == 429 and headers["ratelimit-reset"] == "30"
    clock.now += 30  # the window (opened by the first request) has ended
    assert [get_as(client, "a")[0] for _ in range(4)] == [200, 200, 200, 429]


def test_ended_windows_are_forgotten() -> None:
    config = RateLimitConfig(rate_limit=("second", 1), middleware_class=CountingRateLimitMiddleware)
    limiter = CountingRateLimitMiddleware(ping, config)  # type: ignore[arg-type]
    limiter._windows = {f"k{i}": [1, 100 + i % 2] for i in range(2000)}
    limiter._prune_at = 2000
    limiter._prune(now=100)  # windows ending at 100 are over, those ending at 101 are not
    assert len(limiter._windows) == 1000 and limiter._prune_at == 2000
    limiter._prune(now=100)  # below the threshold now: nothing to do
    assert len(limiter._windows) == 1000
