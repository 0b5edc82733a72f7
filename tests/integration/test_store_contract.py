"""One ``VectorStore`` contract, run against embedded Chroma and a real ``chroma run`` server.

The deployment (Docker Compose) uses server mode, development uses the embedded store; both must
behave identically, down to metadata round trips, filter edges and batching.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from qa_service.adapters import chroma_store
from qa_service.adapters.chroma_store import ChromaStore, make_client
from qa_service.adapters.hashing_embedder import HashingEmbedder
from qa_service.core.models import Article, Chunk, SearchFilters
from qa_service.core.ports import VectorStore
from tests.integration.chroma_server import ChromaServer, remote_peers

EMBEDDER = HashingEmbedder(dim=64)

TEXTS = {
    "a0": "The central bank raised interest rates by half a point on Tuesday.",
    "a1": "Inflation slowed for the third month in a row, economists said.",
    "b0": "A ceasefire between the two countries took effect at midnight.",
    "b1": "Mediators in Doha said the truce would be reviewed in thirty days.",
    "c0": "Ünïcödé title — « quotes » and emoji 🚀 survive the round trip.",
}
DOCS = {
    "a": ("Rates rise", "Daily Ledger", "2024-03-05T08:00:00+00:00"),
    "b": ("Truce holds", "Caliber.Az", "2024-03-10"),
    "c": (None, None, None),  # no metadata at all: must round-trip as None, not ""
}


def make_chunk(key: str) -> Chunk:
    doc = key[0]
    title, source, published = DOCS[doc]
    index = int(key[1])
    start = index * 100
    return Chunk(
        chunk_id=f"chunk-{key}",
        doc_id=f"doc-{doc}",
        index=index,
        text=TEXTS[key],
        start=start,
        end=start + len(TEXTS[key]),
        title=title,
        source=source,
        url=f"https://example.org/{doc}" if title else None,
        published_at=published,
    )


CHUNKS = [make_chunk(k) for k in TEXTS]


def vectors(chunks: list[Chunk]) -> list[list[float]]:
    return EMBEDDER.embed([c.text for c in chunks])


def new_store(client: Any, model: str) -> ChromaStore:
    # a fresh prefix per test isolates tests that share the session's server
    return ChromaStore(client, f"t{uuid.uuid4().hex[:12]}", model)


@pytest.fixture(scope="module")
def server_client(chroma_server: ChromaServer) -> Any:
    """The QA_CHROMA_URL path; built once because HttpClient start-up costs about a second."""
    return make_client(None, chroma_server.url)


@pytest.fixture(params=["embedded", "server"])
def client(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    if request.param == "server":
        return request.getfixturevalue("server_client")
    return make_client(tmp_path / "chroma", None)


@pytest.fixture()
def store(client: Any) -> Iterator[ChromaStore]:
    yield new_store(client, EMBEDDER.model_id)


@pytest.fixture()
def filled(store: ChromaStore) -> ChromaStore:
    store.upsert_chunks(CHUNKS, vectors(CHUNKS))
    return store


def test_adapter_satisfies_the_port(store: ChromaStore) -> None:
    port: VectorStore = store  # mypy checks the structural match; runtime checks the methods
    for name in ("upsert_chunks", "query", "get_chunks", "list_documents", "ping"):
        assert callable(getattr(port, name))


def test_chunks_round_trip_with_all_fields(filled: ChromaStore) -> None:
    assert filled.count_chunks() == len(CHUNKS)
    got = filled.get_chunks([c.chunk_id for c in CHUNKS])
    assert got == CHUNKS  # every field, None metadata included, in the requested order


def test_get_chunks_keeps_request_order_and_skips_unknown_ids(filled: ChromaStore) -> None:
    got = filled.get_chunks(["chunk-b1", "nope", "chunk-a0"])
    assert [c.chunk_id for c in got] == ["chunk-b1", "chunk-a0"]
    assert filled.get_chunks([]) == []


def test_upsert_is_idempotent_and_replaces_content(filled: ChromaStore) -> None:
    filled.upsert_chunks(CHUNKS, vectors(CHUNKS))
    assert filled.count_chunks() == len(CHUNKS)
    edited = replace(CHUNKS[0], text="Rates were left unchanged.")
    filled.upsert_chunks([edited], vectors([edited]))
    assert filled.count_chunks() == len(CHUNKS)
    assert filled.get_chunks([edited.chunk_id]) == [edited]


def test_delete_chunks_removes_exactly_those(filled: ChromaStore) -> None:
    filled.delete_chunks(["chunk-a1", "chunk-b0"])
    filled.delete_chunks([])
    assert filled.count_chunks() == len(CHUNKS) - 2
    remaining = {c.chunk_id for c in filled.all_chunks()}
    assert remaining == {"chunk-a0", "chunk-b1", "chunk-c0"}


def test_all_chunks_and_ids_by_document(filled: ChromaStore) -> None:
    assert sorted(filled.all_chunks(), key=lambda c: c.chunk_id) == CHUNKS
    assert filled.chunk_ids_by_document() == {
        "doc-a": {"chunk-a0", "chunk-a1"},
        "doc-b": {"chunk-b0", "chunk-b1"},
        "doc-c": {"chunk-c0"},
    }


def test_query_ranks_the_identical_text_first(filled: ChromaStore) -> None:
    target = CHUNKS[3]
    passages = filled.query(vectors([target])[0], 3, SearchFilters())
    assert len(passages) == 3
    assert passages[0].chunk == target
    assert passages[0].score == pytest.approx(1.0, abs=1e-4)
    scores = [p.score for p in passages]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    ("filters", "expected_docs"),
    [
        (SearchFilters(source="Caliber.Az"), {"doc-b"}),
        (SearchFilters(source="Unknown Source"), set()),
        (SearchFilters(published_after=date(2024, 3, 10)), {"doc-b"}),  # inclusive, date-only
        (SearchFilters(published_before=date(2024, 3, 5)), {"doc-a"}),  # datetime compared by day
        (SearchFilters(published_after=date(2024, 3, 6), published_before=date(2024, 3, 9)), set()),
        (SearchFilters(published_after=date(2024, 1, 1), source="Daily Ledger"), {"doc-a"}),
        (SearchFilters(), {"doc-a", "doc-b", "doc-c"}),
    ],
)
def test_query_filters(
    filled: ChromaStore, filters: SearchFilters, expected_docs: set[str]
) -> None:
    probe = EMBEDDER.embed(["interest rates ceasefire"])[0]
    passages = filled.query(probe, 10, filters)
    assert {p.chunk.doc_id for p in passages} == expected_docs  # undated doc-c never matches


def test_batches_above_the_chroma_limit_are_split(
    store: ChromaStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chroma_store, "MAX_BATCH", 2)
    store.upsert_chunks(CHUNKS, vectors(CHUNKS))
    assert store.count_chunks() == len(CHUNKS)
    store.delete_chunks([c.chunk_id for c in CHUNKS[:4]])
    assert [c.chunk_id for c in store.all_chunks()] == ["chunk-c0"]


def _article(doc: str, text: str) -> Article:
    title, source, published = DOCS[doc]
    return Article(
        doc_id=f"doc-{doc}",
        text=text,
        title=title,
        source=source,
        url=f"https://example.org/{doc}" if title else None,
        author="R. Reporter" if title else None,
        published_at=published,
        origins=(f"data/{doc}.txt", f"data/{doc}-copy.txt") if doc == "a" else (),
    )


def test_articles_upsert_get_list_delete(filled: ChromaStore) -> None:
    articles = [_article(d, " ".join(t for k, t in TEXTS.items() if k[0] == d)) for d in DOCS]
    for article in articles:
        filled.upsert_article(article, f"hash-{article.doc_id}")
    assert filled.get_article("doc-a") == articles[0]
    assert filled.get_article("doc-c") == articles[2]
    assert filled.get_article("missing") is None
    assert filled.article_hashes() == {a.doc_id: f"hash-{a.doc_id}" for a in articles}
    assert filled.article_origins()["doc-a"] == articles[0].origins

    listed = filled.list_documents()
    assert [d.doc_id for d in listed] == ["doc-a", "doc-b", "doc-c"]
    assert [d.n_chunks for d in listed] == [2, 2, 1]
    assert listed[0].title == "Rates rise" and listed[2].title is None

    changed = replace(articles[1], text="Rewritten.")
    filled.upsert_article(changed, "hash-2")
    assert filled.get_article("doc-b") == changed
    assert filled.article_hashes()["doc-b"] == "hash-2"

    filled.delete_articles(["doc-b", "never-existed"])
    filled.delete_articles([])
    assert filled.get_article("doc-b") is None
    assert [d.doc_id for d in filled.list_documents()] == ["doc-a", "doc-c"]


@pytest.mark.parametrize(("max_chars", "max_batch"), [(10, 4000), (10**6, 2)])
def test_articles_are_written_in_batches(
    store: ChromaStore, monkeypatch: pytest.MonkeyPatch, max_chars: int, max_batch: int
) -> None:
    monkeypatch.setattr(chroma_store, "ARTICLE_BATCH_CHARS", max_chars)
    monkeypatch.setattr(chroma_store, "MAX_BATCH", max_batch)
    articles = [_article(d, f"The text of {d}. " * 3) for d in DOCS]
    store.upsert_articles([(a, f"h-{a.doc_id}") for a in articles])
    assert [store.get_article(a.doc_id) for a in articles] == articles
    assert store.article_hashes() == {a.doc_id: f"h-{a.doc_id}" for a in articles}
    store.upsert_articles([])


def test_reset_empties_both_collections_and_stays_usable(filled: ChromaStore) -> None:
    filled.upsert_article(_article("a", "x"), "h")
    filled.reset()
    assert filled.count_chunks() == 0
    assert filled.list_documents() == []
    assert filled.chunk_ids_by_document() == {}
    filled.upsert_chunks(CHUNKS[:1], vectors(CHUNKS[:1]))
    assert filled.count_chunks() == 1


def test_models_get_separate_chunk_collections(client: Any) -> None:
    first = new_store(client, "model-one")
    second = ChromaStore(client, first.chunk_collection_name.split("-chunks-")[0], "two")
    first.upsert_chunks(CHUNKS, vectors(CHUNKS))
    assert second.count_chunks() == 0
    first.upsert_article(_article("b", "text"), "h")
    assert second.get_article("doc-b") is not None  # articles are shared across models


def test_ping_succeeds_on_a_live_store(store: ChromaStore) -> None:
    store.ping()


def test_server_runs_without_telemetry_or_outside_connections(
    chroma_server: ChromaServer, server_client: Any
) -> None:
    """The server process talks to loopback only, and its log shows no telemetry or panics.

    (Not "no ERROR lines": the session's server also logs the transient 500s that
    ``read_with_retry`` absorbs while test_server_mode ingests.)
    """
    store = new_store(server_client, EMBEDDER.model_id)
    store.upsert_chunks(CHUNKS, vectors(CHUNKS))
    peers = remote_peers(chroma_server.pid)
    assert peers, "no connection seen: the peer check would pass vacuously"
    assert all(p.startswith("127.") or p == "::1" for p in peers), peers
    log = chroma_server.log().lower()
    assert "listening" in log and "127.0.0.1" in log
    for marker in ("posthog", "telemetry", "panic"):
        assert marker not in log, f"{marker!r} in chroma server log:\n{log[-2000:]}"
