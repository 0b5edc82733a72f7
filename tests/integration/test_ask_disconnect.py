"""A client that goes away mid-answer cancels the upstream LLM request."""

from __future__ import annotations

import httpx
import respx

from qa_service.adapters.hashing_embedder import HashingEmbedder
from qa_service.adapters.openai_llm import OpenAIChatLLM
from qa_service.api.app import create_app
from qa_service.container import Services, build_services
from tests.integration.conftest import make_settings
from tests.integration.live_server import serve_in_thread
from tests.integration.llm_wire import BASE_URL, COMPLETIONS, EndlessStream


def test_client_disconnect_cancels_upstream_stream(seeded_services: Services) -> None:
    settings = make_settings(seeded_services.settings.chroma_path, llm_api_key="sk-test")
    llm = OpenAIChatLLM("test-model", "sk-test", BASE_URL, timeout_s=5.0, max_retries=0)
    app = create_app(settings, services=build_services(settings, HashingEmbedder(), llm))
    upstream = EndlessStream()
    with respx.mock(assert_all_called=True) as mock:
        mock.route(host="127.0.0.1").pass_through()
        mock.post(COMPLETIONS).mock(
            return_value=httpx.Response(
                200, stream=upstream, headers={"content-type": "text/event-stream"}
            )
        )
        with serve_in_thread(app) as base:
            payload = {"question": "What is Moscow's position on a 30-day truce?"}
            with httpx.stream("POST", f"{base}/v1/ask/stream", json=payload, timeout=10) as resp:
                seen = ""
                for line in resp.iter_lines():
                    seen += line
                    if "event: delta" in line:
                        break
            assert "retrieval" in seen
            assert upstream.closed.wait(timeout=5), "upstream stream was never closed"
            sent_at_close = upstream.chunks_sent
    assert sent_at_close < 100
