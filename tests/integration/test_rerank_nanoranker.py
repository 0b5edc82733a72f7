"""The nanoranker rerank stage for real: packaged ONNX models, loaded with the network blocked,
behind the container's QA_RERANKER switch, over real Chroma + BM25 after a real ingest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from litestar.testing import TestClient

from qa_service.adapters.hashing_embedder import HashingEmbedder
from qa_service.api.app import create_app
from qa_service.container import Services, build_services
from qa_service.core.models import SearchFilters
from tests.integration.conftest import ingest_into, make_settings

pytest.importorskip("nanoranker", reason="the rerank extra is not installed")

QUESTION = "Who directed the film Inception?"
# The tax story shares the question's rare words ("inception", "directed"), so lexical and hashed
# retrieval put it first; the film story answers the question and comes second.
ARTICLES = [
    {
        "doc_id": "tax",
        "title": "Tax regime",
        "source": "Metro",
        "text": "Who directed the inception of the new tax regime? Its inception was directed by "
        "the finance ministry, who directed the tax office.",
    },
    {
        "doc_id": "film",
        "title": "Inception",
        "source": "Film Desk",
        "text": "Inception is a 2010 science fiction film directed by Christopher Nolan. "
        "It explores dream invasion.",
    },
    {
        "doc_id": "budget",
        "title": "City budget",
        "source": "Metro",
        "text": "The city council approved the budget for road repairs and new bus lanes.",
    },
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rerank-corpus") / "articles.jsonl"
    path.write_text("\n".join(json.dumps(a) for a in ARTICLES) + "\n", encoding="utf-8")
    return path


def _services(store: Path, corpus: Path, reranker: str) -> Services:
    settings = make_settings(store, reranker=reranker, rerank_candidates=10)
    services = build_services(settings, embedder=HashingEmbedder())
    ingest_into(services, corpus)
    return services


def _doc_ids(services: Services) -> list[str]:
    return [p.chunk.doc_id for p in services.retriever.search(QUESTION, 3, SearchFilters())]


def test_fused_order_has_the_answer_second_without_a_reranker(tmp_path: Path, corpus: Path) -> None:
    services = _services(tmp_path, corpus, "none")
    assert services.retriever.reranker is None
    assert _doc_ids(services)[:2] == ["tax", "film"]


def test_nanoranker_puts_the_answering_passage_first(tmp_path: Path, corpus: Path) -> None:
    services = _services(tmp_path, corpus, "nanoranker")
    assert services.retriever.reranker is not None
    assert services.retriever.reranker.model_id == "nanoranker-1.2"
    ranked = services.retriever.search(QUESTION, 3, SearchFilters())
    assert [p.chunk.doc_id for p in ranked][:2] == ["film", "tax"]
    assert ranked[0].score > ranked[1].score > ranked[2].score

    app = create_app(services.settings, services=services)
    with TestClient(app) as client:
        response = client.post("/v1/search", json={"query": QUESTION, "top_k": 2})
    assert response.status_code == 200
    assert [r["document_id"] for r in response.json()["results"]] == ["film", "tax"]
