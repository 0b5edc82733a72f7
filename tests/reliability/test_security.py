"""Security properties beyond tests/integration/test_auth_limits.py and test_widget_cors.py.

Constant-time key checks (every configured key is compared, the match position changes nothing),
keys absent from every log line at DEBUG level over a real server, from error bodies, headers and
/metrics, and the request limits (2000-char question, 64 KiB body) on every answering route,
including a chunked upload that never says its length.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Iterator

import httpx
import pytest
from litestar.testing import TestClient

from qa_service.api import security
from qa_service.api.app import create_app
from qa_service.container import Services
from qa_service.settings import Settings
from tests.integration.conftest import make_settings
from tests.integration.live_server import serve_in_thread

KEYS = ["k-first-0123456789abcdef", "k-second-0123456789abcdef", "k-third-0123456789abcdef"]
WIDGET_KEY = "k-widget-fedcba9876543210"
WRONG = "k-wrong-attempt-000000000000"


def _settings(seeded: Services, **overrides: object) -> Settings:
    return make_settings(
        seeded.settings.chroma_path,
        api_keys=",".join(KEYS),
        widget_api_key=WIDGET_KEY,
        **overrides,
    )


def _app(seeded: Services, settings: Settings) -> object:
    return create_app(settings, services=Services(**{**seeded.__dict__, "settings": settings}))


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture()
def compare_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bytes, bytes]]:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def recording(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(security.hmac, "compare_digest", recording)
    return calls


@pytest.mark.parametrize("candidate", [KEYS[0], KEYS[2], WRONG, "", "x" * 500])
def test_every_key_is_compared_whatever_the_candidate(
    compare_calls: list[tuple[bytes, bytes]], candidate: str
) -> None:
    """No early exit on a match and no length shortcut: the work done never depends on which
    key (if any) matched, only on how many keys there are."""
    assert security.key_matches(candidate, KEYS) == (candidate in KEYS)
    assert [b for _, b in compare_calls] == [k.encode() for k in KEYS]
    assert all(a == candidate.encode() for a, _ in compare_calls)


def test_the_guard_compares_through_hmac_only(
    seeded_services: Services, compare_calls: list[tuple[bytes, bytes]]
) -> None:
    """Per request, the same comparisons in the same order whichever key was sent."""
    sequences = []
    with TestClient(_app(seeded_services, _settings(seeded_services))) as client:
        for key, status in ((KEYS[1], 200), (WRONG, 401), (WIDGET_KEY, 200), (KEYS[0], 200)):
            compare_calls.clear()
            assert client.get("/v1/documents", headers=bearer(key)).status_code == status
            assert {a for a, _ in compare_calls} == {key.encode()}
            sequences.append([b for _, b in compare_calls])
    assert set(sequences[0]) == {k.encode() for k in [*KEYS, WIDGET_KEY]}
    assert all(sequence == sequences[0] for sequence in sequences)


@pytest.fixture()
def debug_server(seeded_services: Services) -> Iterator[str]:
    settings = _settings(seeded_services, log_level="DEBUG", rate_limit_per_minute=3)
    with serve_in_thread(_app(seeded_services, settings)) as url:
        yield url


def test_keys_never_leave_the_process_even_at_debug(
    debug_server: str, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    with httpx.Client(base_url=debug_server, timeout=30) as client:
        for key in (KEYS[0], WRONG, WIDGET_KEY, KEYS[0], KEYS[0], KEYS[0]):  # ends rate-limited
            response = client.post("/v1/search", json={"query": "ceasefire"}, headers=bearer(key))
            seen.append(f"{response.status_code} {response.headers} {response.text}")
        stream = client.post(
            "/v1/ask/stream", json={"question": "ceasefire?"}, headers=bearer(KEYS[1])
        )
        seen.append(stream.text)
        seen.append(client.get("/metrics").text)
    statuses = [line.split(" ", 1)[0] for line in seen[:6]]
    assert statuses[:3] == ["200", "401", "200"] and "429" in statuses
    captured = capfd.readouterr()
    everything = "\n".join([captured.out, captured.err, caplog.text, *seen])
    assert "/v1/search" in captured.out + captured.err + caplog.text  # logging did happen
    for secret in [*KEYS, WRONG, WIDGET_KEY]:
        assert secret not in everything, "a key leaked into logs or responses"


def test_settings_never_print_keys() -> None:
    settings = Settings(api_keys=",".join(KEYS), widget_api_key=WIDGET_KEY, llm_api_key="sk-x1")
    for text in (repr(settings), str(settings), settings.model_dump_json()):
        assert not any(secret in text for secret in [*KEYS, WIDGET_KEY, "sk-x1"])


@pytest.mark.parametrize("path", ["/v1/ask", "/v1/ask/stream"])
def test_question_limit_is_2000_characters(client: TestClient, path: str) -> None:
    assert client.post(path, json={"question": "q" * 2000}).status_code == 200
    too_long = client.post(path, json={"question": "q" * 2001})
    assert too_long.status_code == 400
    assert too_long.json()["errors"][0]["key"] == "question"
    history = [{"role": "user", "content": "c" * 4001}]
    assert client.post(path, json={"question": "q", "history": history}).status_code == 400
    turns = [{"role": "user", "content": "c"}] * 21
    assert client.post(path, json={"question": "q", "history": turns}).status_code == 400


def test_body_limit_holds_for_a_chunked_upload_over_real_http(seeded_services: Services) -> None:
    """No Content-Length to trust: the server must count the bytes as they arrive."""
    app = create_app(seeded_services.settings, services=seeded_services)

    def body() -> Iterator[bytes]:
        yield b'{"question": "'
        for _ in range(80):  # 80 KiB > 64 KiB
            yield b"a" * 1024
        yield b'"}'

    with serve_in_thread(app) as url:
        for path in ("/v1/ask", "/v1/ask/stream", "/v1/search"):
            response = httpx.post(
                f"{url}{path}",
                content=body(),
                headers={"content-type": "application/json"},
                timeout=30,
            )
            assert response.status_code == 413, path
            assert response.headers["content-type"].startswith("application/problem+json")
            small = httpx.post(f"{url}{path}", json={"question": "a" * 10}, timeout=30)
            assert small.status_code != 413
