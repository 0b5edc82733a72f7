"""JSON over HTTP for eval: one place for auth headers, retries on throttling and error text."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

RETRY_STATUSES = (429, 503)
MAX_ATTEMPTS = 5
MAX_RETRY_WAIT_S = 30.0


class EvalHTTPError(RuntimeError):
    """A request that did not produce a usable JSON body; the message goes into the report."""


def auth_headers(api_key: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"} if api_key else {}


def _retry_wait(response: httpx.Response, attempt: int) -> float:
    """Honour ``Retry-After`` (seconds) when the service sends it, else back off exponentially."""
    header = response.headers.get("retry-after", "")
    try:
        wait = float(header)
    except ValueError:
        wait = 0.5 * 2**attempt
    return min(max(wait, 0.0), MAX_RETRY_WAIT_S)


def _problem_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        return str(body.get("detail") or body.get("title") or body)[:200]
    return str(body)[:200]


async def request_json(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    payload: dict[str, Any] | None = None,
) -> tuple[Any, float]:
    """``(json_body, round_trip_ms)`` of a 200 response; raises EvalHTTPError otherwise.

    A deployed service rate-limits per key, so 429/503 are retried a few times instead of being
    recorded as failed questions; the reported time is the successful attempt's round trip.
    """
    for attempt in range(MAX_ATTEMPTS):
        started = time.perf_counter()
        try:
            response = await client.request(method, path, json=payload)
        except httpx.HTTPError as exc:
            raise EvalHTTPError(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        elapsed_ms = (time.perf_counter() - started) * 1000
        if response.status_code in RETRY_STATUSES and attempt + 1 < MAX_ATTEMPTS:
            await asyncio.sleep(_retry_wait(response, attempt))
            continue
        if response.status_code != 200:
            raise EvalHTTPError(
                f"{method} {path}: HTTP {response.status_code}: {_problem_text(response)}"
            )
        try:
            return response.json(), elapsed_ms
        except ValueError as exc:
            raise EvalHTTPError(f"{method} {path}: response is not JSON") from exc
    raise EvalHTTPError(f"{method} {path}: still throttled after {MAX_ATTEMPTS} attempts")
