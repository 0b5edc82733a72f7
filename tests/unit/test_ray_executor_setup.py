"""The Ray executor's setup: loopback past any HTTP proxy, and the CLI's executor flags."""

from __future__ import annotations

import os

import pytest
import ray.util

from ingest.__main__ import parse_args
from ingest.executors.ray import _bypass_proxy_for_loopback
from qa_service.settings import Settings


def test_loopback_joins_no_proxy_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "example.com")
    monkeypatch.delenv("no_proxy", raising=False)
    own = ["127.0.0.1", "localhost"]
    own += [ip for ip in [ray.util.get_node_ip_address()] if ip not in own]  # Ray's own address
    for _ in range(2):
        _bypass_proxy_for_loopback()
        assert os.environ["NO_PROXY"].split(",") == ["example.com", *own]
        assert os.environ["no_proxy"].split(",") == own


def test_executor_flags() -> None:
    args = parse_args(["data", "--executor", "ray", "--ray-workers", "2"], Settings())
    assert (args.executor, args.ray_address, args.ray_workers) == ("ray", None, 2)
    assert parse_args(["data"], Settings()).executor == "local"
    for bad in (
        ["data", "--ray-address", "auto"],
        ["data", "--executor", "ray", "--ray-workers", "0"],
    ):
        with pytest.raises(SystemExit):
            parse_args(bad, Settings())
