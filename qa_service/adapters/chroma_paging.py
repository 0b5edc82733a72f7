"""Whole-collection reads in pages.

An unpaged ``collection.get()`` fails above ~32k records in embedded Chroma ("too many SQL
variables", found by bench/scale.py at 100k chunks): the ingest job's first step (stored chunk
ids per document) and the BM25 snapshot rebuild both read every chunk.
"""

from __future__ import annotations

from typing import Any

PAGE = 5000


def get_all(collection: Any, include: list[str], page: int = PAGE) -> dict[str, list[Any]]:
    """``collection.get(include=...)`` over every record, ``page`` records per request."""
    merged: dict[str, list[Any]] = {"ids": [], **{key: [] for key in include}}
    offset = 0
    while True:
        got = collection.get(include=include, limit=page, offset=offset)
        merged["ids"].extend(got["ids"])
        for key in include:
            merged[key].extend(got[key] or [])
        if len(got["ids"]) < page:
            return merged
        offset += page
