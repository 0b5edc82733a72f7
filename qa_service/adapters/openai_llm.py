"""LLM port on any OpenAI-compatible chat endpoint via the official ``openai`` SDK.

Retries (429, 5xx, connection errors) are the SDK's own ``max_retries``; we add none on top.
SDK errors are translated into domain errors here so the core never sees a vendor type.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import openai

from qa_service.core.errors import UpstreamBadResponse, UpstreamUnavailable
from qa_service.core.models import Usage


class OpenAIChatLLM:
    """Implements ``LLM``: streams text deltas, then one ``Usage`` item."""

    def __init__(
        self,
        model: str,
        api_key: str,
        base_url: str | None = None,
        timeout_s: float = 30.0,
        max_retries: int = 2,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self._model = model
        self._client = openai.AsyncOpenAI(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout_s,
            max_retries=max_retries,
            http_client=http_client,
        )

    @property
    def model_name(self) -> str:
        return self._model

    async def stream(self, messages: list[dict[str, str]]) -> AsyncIterator[str | Usage]:
        try:
            response = await self._client.chat.completions.create(  # type: ignore[call-overload]
                model=self._model,
                messages=messages,
                stream=True,
                stream_options={"include_usage": True},
                temperature=0.0,
            )
            async with response:
                async for item in self._iterate(response):
                    yield item
        except (openai.APITimeoutError, openai.APIConnectionError) as exc:
            raise UpstreamUnavailable("language model timed out or is unreachable") from exc
        except openai.APIStatusError as exc:
            raise UpstreamUnavailable(f"language model answered HTTP {exc.status_code}") from exc
        except (openai.APIResponseValidationError, json.JSONDecodeError, openai.APIError) as exc:
            raise UpstreamBadResponse("language model sent a malformed response") from exc
        except httpx.HTTPError as exc:
            raise UpstreamBadResponse("language model stream was cut off") from exc

    async def _iterate(self, response: openai.AsyncStream[Any]) -> AsyncIterator[str | Usage]:
        """Text deltas and usage; a stream that ends without a ``finish_reason`` is truncated.

        The SDK ends iteration quietly when the body ends, even without ``[DONE]``, so a proxy or
        server that closes the stream cleanly mid-answer would otherwise pass half an answer off
        as a whole one (found by tests/reliability/test_upstream_faults.py, mode ``eof``).
        """
        produced = finished = False
        async for chunk in response:
            if chunk.usage is not None:
                yield Usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
            for choice in chunk.choices or []:
                finished = finished or choice.finish_reason is not None
                text = choice.delta.content if choice.delta else None
                if text:
                    produced = True
                    yield text
        if not produced:
            raise UpstreamBadResponse("language model returned an empty completion")
        if not finished:
            raise UpstreamBadResponse("language model stream ended before the answer finished")

    async def aclose(self) -> None:
        await self._client.close()
