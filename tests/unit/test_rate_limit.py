"""The limiter's parts: fixed windows that count units, request costs, client addresses."""

from __future__ import annotations

import ipaddress

import pytest

from qa_service.api import rate_windows
from qa_service.api.rate_limit import request_cost
from qa_service.api.rate_windows import FixedWindows, SharedWindows, create_table
from qa_service.api.security import client_address, parse_networks
from qa_service.settings import Settings


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(rate_windows.time, "time", fake)
    return fake


@pytest.fixture(params=["in-process", "shared"])
def windows(request: pytest.FixtureRequest) -> FixedWindows | SharedWindows:
    """Both tables behave the same (the shared one is what QA_WORKERS > 1 count in)."""
    return FixedWindows() if request.param == "in-process" else SharedWindows(create_table())


def test_window_counts_units_per_key_and_resets(
    clock: Clock, windows: FixedWindows | SharedWindows
) -> None:
    seen = [windows.take("a", limit=3) for _ in range(4)]
    assert [d.allowed for d in seen] == [True, True, True, False]
    assert [d.remaining for d in seen] == [2, 1, 0, 0]
    assert seen[0].headers() == {
        "RateLimit-Policy": "3; w=60",
        "RateLimit-Limit": "3",
        "RateLimit-Remaining": "2",
        "RateLimit-Reset": "60",
    }
    assert windows.take("b", limit=3).allowed  # another key, another window
    clock.now += 30
    refused = windows.take("a", limit=3)
    assert not refused.allowed and refused.reset_s == 30
    clock.now += 30  # the window opened by the first request has ended
    assert [windows.take("a", limit=3).allowed for _ in range(4)] == [True, True, True, False]


def test_a_cost_that_does_not_fit_is_refused_without_spending(
    clock: Clock, windows: FixedWindows | SharedWindows
) -> None:
    assert windows.take("k", limit=3, cost=2).allowed
    refused = windows.take("k", limit=3, cost=2)  # 1 unit left, 2 asked
    assert not refused.allowed and refused.remaining == 1
    assert windows.take("k", limit=3, cost=1).allowed


def test_exhausted_only_peeks(clock: Clock, windows: FixedWindows | SharedWindows) -> None:
    assert windows.exhausted("addr", limit=2) is None
    windows.take("addr", limit=2)
    assert windows.exhausted("addr", limit=2) is None
    windows.take("addr", limit=2)
    refused = windows.exhausted("addr", limit=2)
    assert refused is not None and not refused.allowed and refused.reset_s == 60
    clock.now += 60
    assert windows.exhausted("addr", limit=2) is None


def test_ended_windows_are_forgotten() -> None:
    windows = FixedWindows()
    windows._windows = {f"k{i}": [1, 100 + i % 2] for i in range(2000)}
    windows._prune_at = 2000
    windows._prune(now=100)  # windows ending at 100 are over, those ending at 101 are not
    assert len(windows._windows) == 1000 and windows._prune_at == 2000
    windows._prune(now=100)  # below the threshold now: nothing to do
    assert len(windows._windows) == 1000


def test_shared_table_keeps_keys_apart_when_slots_collide(clock: Clock) -> None:
    table = SharedWindows(create_table())
    table._slots = 4  # every key lands in one of 4 slots: probing must keep them apart
    assert [table.take(f"k{i}", limit=1).allowed for i in range(4)] == [True] * 4
    assert [table.take(f"k{i}", limit=1).allowed for i in range(4)] == [False] * 4
    clock.now += 60  # ended windows are free slots again
    assert table.take("k9", limit=1).allowed and table.take("k0", limit=1).allowed


def test_answers_cost_more_and_every_other_v1_path_costs_one() -> None:
    settings = Settings(answer_rate_cost=3)
    assert request_cost("/v1/ask", settings) == 3
    assert request_cost("/v1/ask/stream", settings) == 3
    for path in ("/v1/search", "/v1/documents", "/v1/documents/x", "/v1/askew", "/v1/new-route"):
        assert request_cost(path, settings) == 1


def scope(peer: str, forwarded: str | None = None) -> dict[str, object]:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
    return {"client": (peer, 50000), "headers": headers}


def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy() -> None:
    assert client_address(scope("10.0.0.5", "1.2.3.4"), []) == "10.0.0.5"  # type: ignore[arg-type]
    proxies = parse_networks("10.0.0.0/8, 192.168.1.1")
    assert client_address(scope("172.16.0.9", "1.2.3.4"), proxies) == "172.16.0.9"  # type: ignore[arg-type]


def test_the_nearest_untrusted_hop_is_the_client() -> None:
    proxies = parse_networks("10.0.0.0/8,192.168.1.1")
    # the client wrote "6.6.6.6" itself; the proxy appended the address it saw, 1.2.3.4
    assert client_address(scope("10.0.0.5", "6.6.6.6, 1.2.3.4"), proxies) == "1.2.3.4"  # type: ignore[arg-type]
    assert client_address(scope("10.0.0.5", "1.2.3.4, 192.168.1.1"), proxies) == "1.2.3.4"  # type: ignore[arg-type]
    assert client_address(scope("10.0.0.5", "10.1.1.1"), proxies) == "10.1.1.1"  # type: ignore[arg-type]
    assert client_address(scope("10.0.0.5"), proxies) == "10.0.0.5"  # type: ignore[arg-type]
    assert client_address(scope("10.0.0.5", "junk"), proxies) == "junk"  # type: ignore[arg-type]


def test_trusted_proxies_parse_addresses_and_blocks() -> None:
    assert parse_networks("") == []
    assert parse_networks("127.0.0.1, ::1,10.0.0.0/8") == [
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("::1/128"),
        ipaddress.ip_network("10.0.0.0/8"),
    ]
