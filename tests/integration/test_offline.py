"""The service never reaches the internet: the guard works, and real components load offline."""

from __future__ import annotations

import socket

import httpx
import pytest

from tests.conftest import NetworkBlocked


def test_guard_blocks_internet_connections() -> None:
    with pytest.raises(NetworkBlocked), socket.create_connection(("93.184.216.34", 443), timeout=1):
        pass


def test_http_clients_fail_loudly_on_internet_access() -> None:
    with pytest.raises((NetworkBlocked, httpx.ConnectError, httpx.ProxyError)):
        httpx.get("https://huggingface.co/api/models", timeout=2)


def test_real_embedder_and_tokenizer_load_without_network(minilm) -> None:  # type: ignore[no-untyped-def]
    from qa_service.adapters.tokens import TiktokenCounter

    vectors = minilm.embed(["Kremlin rejects ceasefire", "Kremlin rejects truce"])
    assert len(vectors[0]) == 384
    similarity = sum(a * b for a, b in zip(vectors[0], vectors[1], strict=True))
    assert similarity > 0.7
    assert TiktokenCounter().count("What is Moscow's position on a 30-day truce?") > 5


def test_chroma_telemetry_is_disabled(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from qa_service.adapters.chroma_store import make_client

    client = make_client(tmp_path, None)
    assert client.get_settings().anonymized_telemetry is False
