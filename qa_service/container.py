"""Builds the object graph from Settings; shared by the API, the ingest job, eval and benches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path

from qa_service.adapters.chroma_store import ChromaStore, make_client
from qa_service.adapters.corpus_writer import ChromaTantivyWriter
from qa_service.adapters.signature_file import SignatureFile
from qa_service.adapters.tantivy_index import TantivyIndex
from qa_service.adapters.tokens import TiktokenCounter
from qa_service.core.answering import AnswerService
from qa_service.core.context import PromptTemplates
from qa_service.core.extractive import ExtractiveAnswerer
from qa_service.core.ports import LLM, Embedder, Reranker
from qa_service.core.recency import TimePolicy, TimePrior
from qa_service.core.retrieval import HybridRetriever, QueryEmbeddingCache
from qa_service.ingestion.archive_dedup import NUM_PERM
from qa_service.ingestion.chunking import ArticleChunker
from qa_service.ingestion.pipeline import IngestPipeline
from qa_service.ingestion.stages import IngestStages
from qa_service.ingestion.writer_lock import writer_lock
from qa_service.prompts import load_prompt
from qa_service.settings import Settings


def build_embedder(settings: Settings) -> Embedder:
    if settings.embedder == "hashing":
        from qa_service.adapters.hashing_embedder import HashingEmbedder

        return HashingEmbedder()
    if settings.embedder == "openai":
        from qa_service.adapters.openai_embedder import OpenAIEmbedder

        if settings.llm_api_key is None:
            raise ValueError("QA_EMBEDDER=openai needs QA_LLM_API_KEY")
        return OpenAIEmbedder(
            settings.openai_embedding_model,
            settings.llm_api_key.get_secret_value(),
            settings.llm_base_url,
            settings.llm_timeout_s,
        )
    if settings.embedder == "onnx-int8":
        from qa_service.adapters.onnx_embedder import OnnxInt8Embedder

        return OnnxInt8Embedder(settings.models_dir, batch_size=settings.embedding_batch_size)
    if settings.embedder == "model2vec":
        from qa_service.adapters.static_embedder import Model2VecEmbedder

        return Model2VecEmbedder(settings.models_dir)
    from qa_service.adapters.local_embedder import MiniLMEmbedder

    return MiniLMEmbedder(
        batch_size=settings.embedding_batch_size, device=settings.embedding_device
    )


def build_reranker(settings: Settings) -> Reranker | None:
    """None (no rerank stage) unless QA_RERANKER names one; models load on first use."""
    if settings.reranker == "nanoranker":
        from qa_service.adapters.nanoranker_reranker import NanorankerReranker

        return NanorankerReranker()
    return None


# What ``build_store`` returns: the vector store with its administration (reset, collection
# names). Callers outside the container (the ingest CLI, its Ray executor) name it by this alias,
# so only the container knows which adapter it is.
Store = ChromaStore


def build_chunker(chunk_tokens: int, chunk_overlap: int) -> ArticleChunker:
    """Token chunks counted by tiktoken (the packaged encoding: nothing downloaded)."""
    return ArticleChunker(TiktokenCounter().encode, chunk_tokens, chunk_overlap)


def build_store(settings: Settings, model_id: str) -> ChromaStore:
    client = make_client(settings.chroma_path, settings.chroma_url)
    return ChromaStore(client, settings.collection_prefix, model_id)


@dataclass
class Services:
    """Everything a request handler needs; built once per app by ``build_services``."""

    settings: Settings
    embedder: Embedder
    queries: QueryEmbeddingCache
    store: ChromaStore
    lexical: TantivyIndex
    retriever: HybridRetriever
    answers: AnswerService
    llm: LLM | None
    # the ingestion service behind POST/DELETE /v1/documents, built on first write (it loads
    # the chunker's sentence splitter, which searching never needs)
    ingestion: Callable[[], IngestPipeline]


def lexical_home(settings: Settings, store: ChromaStore) -> Path:
    """The chunk collection's lexical directory (it held the bm25s snapshots before tantivy)."""
    return settings.lexical_dir / store.chunk_collection_name


def build_lexical(settings: Settings, store: ChromaStore) -> TantivyIndex:
    """One tantivy index per chunk collection, beside (or shared like) the Chroma data."""
    return TantivyIndex(lexical_home(settings, store) / "tantivy")


def build_ingestion(
    settings: Settings,
    store: ChromaStore,
    embedder: Embedder,
    lexical: TantivyIndex | None = None,
    stages: IngestStages | None = None,
) -> IngestPipeline:
    """The ingestion service as configured by ``QA_*`` settings: the CLI and the push route.
    Its state beside the store: MinHash signatures and the writer lock, per collection prefix,
    in the lexical directory (the one directory every writer already shares). ``stages``: where
    the per-record work runs (default: in this process; the CLI's Ray executor: a cluster)."""
    chunker = build_chunker(settings.chunk_tokens, settings.chunk_overlap)
    writer = ChromaTantivyWriter(
        store, lexical or build_lexical(settings, store), lexical_home(settings, store)
    )
    prefix = settings.collection_prefix
    return IngestPipeline(
        writer,
        embedder,
        chunker,
        SignatureFile(settings.lexical_dir / f"{prefix}-minhash.npz", NUM_PERM),
        settings.dedup_threshold,
        partial(writer_lock, settings.lexical_dir / f"{prefix}-writer.lock"),
        stages,
    )


def build_llm(settings: Settings) -> LLM | None:
    """The OpenAI-compatible model when a key is configured; None means extractive answers."""
    if settings.llm_api_key is None or not settings.llm_api_key.get_secret_value():
        return None
    from qa_service.adapters.openai_llm import OpenAIChatLLM

    return OpenAIChatLLM(
        model=settings.llm_model,
        api_key=settings.llm_api_key.get_secret_value(),
        base_url=settings.llm_base_url,
        timeout_s=settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
    )


def load_templates(version: str) -> PromptTemplates:
    return PromptTemplates(
        system=load_prompt("system", version),
        answer=load_prompt("answer", version),
        passage=load_prompt("passage", version),
        condense=load_prompt("condense", version),
    )


def build_services(
    settings: Settings, embedder: Embedder | None = None, llm: LLM | None = None
) -> Services:
    embedder = embedder or build_embedder(settings)
    llm = llm or build_llm(settings)
    queries = QueryEmbeddingCache(embedder, settings.query_cache_size)
    store = build_store(settings, embedder.model_id)
    lexical = build_lexical(settings, store)
    store.use_filter_columns(lexical)
    retriever = HybridRetriever(
        queries,
        store,
        lexical,
        mode=settings.retrieval_mode,
        fusion=settings.fusion,
        rrf_k=settings.rrf_k,
        dense_weight=settings.dense_weight,
        lexical_weight=settings.lexical_weight,
        candidates=settings.retrieval_candidates,
        reranker=build_reranker(settings),
        rerank_candidates=settings.rerank_candidates,
        time=TimePolicy(
            mode=settings.time_intent,
            prior=TimePrior(
                half_life_days=settings.recency_half_life_days,
                floor=settings.recency_floor,
                miss_factor=settings.time_range_miss_factor,
                anchored_half_life_days=settings.asof_recency_half_life_days,
                anchored_floor=settings.asof_recency_floor,
            ),
            anchor_as_of=settings.asof_recency,
        ),
    )
    answers = AnswerService(
        retriever=retriever,
        extractive=ExtractiveAnswerer(
            embedder,
            settings.extractive_min_relevance,
            max_unmatched_share=0.99 if settings.extractive_abstain_on_missing_names else 1.0,
        ),
        counter=TiktokenCounter(),
        templates=load_templates(settings.prompt_version),
        llm=llm,
        context_tokens=settings.context_tokens,
        fallback_extractive=settings.fallback_extractive,
    )
    return Services(
        settings=settings,
        embedder=embedder,
        queries=queries,
        store=store,
        lexical=lexical,
        retriever=retriever,
        answers=answers,
        llm=llm,
        ingestion=cache(partial(build_ingestion, settings, store, embedder, lexical)),
    )
