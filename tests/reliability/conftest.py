"""Reliability fixtures: the integration suite's seeded store (real Chroma, hashing embedder)."""

from __future__ import annotations

from tests.integration.conftest import client, seeded_services

__all__ = ["client", "seeded_services"]
