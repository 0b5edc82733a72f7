"""Schemathesis fuzzes every operation of the app's own OpenAPI document (/schema/openapi.json).

Positive cases (valid per the document) must be accepted and answered per the document; negative
cases (invalid per the document) must be rejected with a documented 4xx; nothing may be a 5xx.
Deterministic (``derandomize``) and bounded: EXAMPLES cases per operation and mode, >= 1000 total.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from qa_service.adapters.hashing_embedder import HashingEmbedder
from qa_service.api.app import create_app
from qa_service.container import Services, build_services
from tests.integration.conftest import make_settings

pytestmark = pytest.mark.slow

EXAMPLES = 150
MIN_REQUESTS = 1000
OPERATIONS = {
    "GET /healthz",
    "GET /readyz",
    "GET /v1/documents",
    "GET /v1/documents/{doc_id}",
    "POST /v1/search",
    "POST /v1/ask",
    "POST /v1/ask/stream",
}
# Fuzzed on their own store (writes open), so generated pushes never reach the shared seed store.
WRITE_OPERATIONS = {"POST /v1/documents", "DELETE /v1/documents/{doc_id}"}
WRITE_EXAMPLES = 25
ALWAYS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
CHECKS = {
    GenerationMode.POSITIVE: [*ALWAYS, positive_data_acceptance],
    GenerationMode.NEGATIVE: [*ALWAYS, negative_data_rejection],
}
# Valid per the document yet refused on purpose: an unknown doc_id (404) and a date range whose
# start is after its end or a push repeating a doc_id (422; JSON Schema can't relate two values);
# a DELETE answers 204. Invalid bodies may also be
# refused for their size (413) before anyone reads them.
CONFIG = """
[checks.positive_data_acceptance]
expected-statuses = [200, 204, 404, 422]

[checks.negative_data_rejection]
expected-statuses = [400, 413, 422]
"""
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
)


@pytest.fixture(scope="module")
def api_schema(seeded_services: Services) -> Any:
    """The app as served, minus the rate limit (1000 requests from one client would hit it)."""
    settings_ = make_settings(seeded_services.settings.chroma_path, rate_limit_per_minute=10**9)
    services = Services(**{**seeded_services.__dict__, "settings": settings_})
    app = create_app(settings_, services=services)
    config = schemathesis.Config.from_str(CONFIG)
    return schemathesis.openapi.from_asgi("/schema/openapi.json", app, config=config)


def fuzz_operation(
    operation: Any, mode: GenerationMode, record: Callable[[str, int], None]
) -> None:
    @FUZZ
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        response = case.call()
        record(operation.label, response.status_code)
        case.validate_response(response, checks=CHECKS[mode])

    run()


def test_every_operation_survives_1000_generated_requests(api_schema: Any) -> None:
    requests: Counter[str] = Counter()
    statuses: Counter[int] = Counter()

    def record(label: str, status: int) -> None:
        requests[label] += 1
        statuses[status] += 1

    for result in api_schema.get_all_operations():
        operation = result.ok()
        if operation.label in WRITE_OPERATIONS:
            continue
        fuzz_operation(operation, GenerationMode.POSITIVE, record)
        if len(operation.body):  # any string is a valid doc_id: only bodies can be made invalid
            fuzz_operation(operation, GenerationMode.NEGATIVE, record)
    print(f"\nschemathesis requests per operation: {dict(requests)}; statuses: {dict(statuses)}")
    assert set(requests) == OPERATIONS
    assert sum(requests.values()) >= MIN_REQUESTS
    assert not [s for s in statuses if s >= 500]
    assert statuses[200] >= 300, "positive cases must mostly be answered, not rejected"


def test_write_operations_survive_generated_requests(tmp_path: Path) -> None:
    """Pushes and deletes on a fresh store with open writes: documented answers, never a 5xx."""
    settings_ = make_settings(tmp_path, rate_limit_per_minute=10**9, allow_open_writes=True)
    app = create_app(settings_, services=build_services(settings_, embedder=HashingEmbedder()))
    config = schemathesis.Config.from_str(CONFIG)
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app, config=config)
    statuses: Counter[int] = Counter()
    labels = set()

    def fuzz_write(operation: Any, mode: GenerationMode) -> None:
        @settings(FUZZ, max_examples=WRITE_EXAMPLES)
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case: Any) -> None:
            response = case.call()
            statuses[response.status_code] += 1
            case.validate_response(response, checks=CHECKS[mode])

        run()

    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in WRITE_OPERATIONS:
            labels.add(operation.label)
            fuzz_write(operation, GenerationMode.POSITIVE)
            if len(operation.body):
                fuzz_write(operation, GenerationMode.NEGATIVE)
    assert labels == WRITE_OPERATIONS
    assert not [s for s in statuses if s >= 500]
    assert statuses[200] >= WRITE_EXAMPLES // 2
