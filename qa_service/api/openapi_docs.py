"""OpenAPI declarations a handler's signature can't express: problem+json errors and SSE events.

Schemathesis checks every response against this document (tests/reliability), so an error status or
an event type the API can send but the document omits is a test failure, not a doc nit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import msgspec
from litestar._openapi.schema_generation.plugins import StructSchemaPlugin
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, Reference, Schema

from qa_service.api.schemas import Problem

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.typing import FieldDefinition

PROBLEM_JSON = "application/problem+json"
EVENT_STREAM = "text/event-stream"

_PROBLEMS = {
    400: "Invalid request: malformed JSON, unknown field, or a value out of range (see `errors`)",
    401: "Missing or wrong API key (only when `QA_API_KEYS` is set; always for writes)",
    403: "This key may not write (the widget key), or writes are off: no `QA_API_KEYS` "
    "and no `QA_ALLOW_OPEN_WRITES=true`",
    404: "No such document",
    413: "Request body larger than `QA_MAX_BODY_BYTES` (`QA_PUSH_MAX_BODY_BYTES` for a push)",
    415: "The body was not sent as JSON (`Content-Type: application/json`)",
    422: "Well-formed but unanswerable, e.g. `published_after` later than `published_before`, "
    "or a push naming one document id twice",
    429: "Rate limit exceeded, or too many failed authentications from this address; see "
    "`Retry-After`",
    502: "The language model sent no usable answer",
    503: "The language model or the store is unavailable",
}


def problems(*codes: int) -> dict[int, ResponseSpec]:
    """``responses=`` entries for the problem+json bodies a handler can return."""
    return {
        code: ResponseSpec(
            data_container=Problem,
            media_type=PROBLEM_JSON,
            description=_PROBLEMS[code],
            generate_examples=False,
        )
        for code in codes
    }


def _ref(name: str) -> Reference:
    return Reference(ref=f"#/components/schemas/{name}")


def _event(name: str, data: Schema | Reference, description: str) -> Schema:
    """One SSE event as OpenAPI 3.2 models it: ``event`` name plus JSON text in ``data``."""
    return Schema(
        type=OpenAPIType.OBJECT,
        description=description,
        required=["event", "data"],
        properties={
            "event": Schema(const=name),
            "data": Schema(
                type=OpenAPIType.STRING,
                content_media_type="application/json",
                content_schema=data,
            ),
        },
    )


def _object(**properties: Schema | Reference) -> Schema:
    return Schema(type=OpenAPIType.OBJECT, required=list(properties), properties=properties)


SSE_EVENTS = Schema(
    description="Events in order: retrieval, delta*, citation*, then done or error. The stream "
    "always ends with done (the full AskResponse) or error (a problem body).",
    one_of=[
        _event(
            "retrieval",
            _object(passages=Schema(type=OpenAPIType.ARRAY, items=_ref("SearchResult"))),
            "the retrieved passages",
        ),
        _event("delta", _object(text=Schema(type=OpenAPIType.STRING)), "more answer text"),
        _event("citation", _ref("CitationOut"), "a verified citation, as soon as it is known"),
        _event("done", _ref("AskResponse"), "the final answer"),
        _event("error", _ref("Problem"), "the answer failed; the stream ends here"),
    ],
)


def _sse_media_type() -> OpenAPIMediaType:
    return OpenAPIMediaType(schema=SSE_EVENTS)


@dataclass
class JsonOrEventStreamOperation(Operation):
    """``POST /v1/ask``: JSON by default, the SSE stream when the body says ``"stream": true``."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if ok is not None and not isinstance(ok, Reference):
            ok.content = {**(ok.content or {}), EVENT_STREAM: _sse_media_type()}


@dataclass
class EventStreamOperation(Operation):
    """``POST /v1/ask/stream``: the 200 body is only ever an event stream."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if ok is not None and not isinstance(ok, Reference):
            ok.content = {EVENT_STREAM: _sse_media_type()}


class ClosedStructSchemaPlugin(StructSchemaPlugin):
    """Documents ``forbid_unknown_fields`` structs with ``additionalProperties: false``.

    Litestar leaves the flag out, so the document promised to accept bodies the server rejects
    with 400 (schemathesis' positive fuzzing sent unknown keys and got 400 on ~80% of cases).
    """

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        if not super().is_plugin_supported_field(field_definition):
            return False
        info = msgspec.inspect.type_info(field_definition.type_)
        return isinstance(info, msgspec.inspect.StructType) and info.forbid_unknown_fields

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        schema.additional_properties = False
        return schema
