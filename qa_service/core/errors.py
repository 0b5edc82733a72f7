"""Domain exceptions; ``qa_service.api.errors`` is the one place that maps them to HTTP."""

from __future__ import annotations


class QAError(Exception):
    """Base for errors the service reports to clients (never with internal detail)."""


class InvalidQuery(QAError):
    """The request is well-formed JSON but asks for something we cannot do."""


class DocumentNotFound(QAError):
    """No article with the requested id."""


class StoreUnavailable(QAError):
    """The vector store cannot be reached."""


class UpstreamUnavailable(QAError):
    """The LLM endpoint failed (5xx, timeout, connection) after the SDK's own retries."""


class UpstreamBadResponse(QAError):
    """The LLM answered, but with an empty or malformed completion."""


class NoEvidence(QAError):
    """Nothing retrieved supports an answer (used internally to abstain)."""
