"""The ingest use case: clean -> dedup -> chunk -> embed -> write, through ports.

Shared by the ``python -m ingest`` CLI (files) and the HTTP push route (``POST /v1/documents``), so
both write the same chunk ids through the same code, and ``qa_service`` never imports ``ingest/``.
"""
