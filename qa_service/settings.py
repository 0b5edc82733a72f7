"""Service configuration from ``QA_*`` environment variables (read only when constructed)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """All knobs of the service and the ingest job; see README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="QA_", env_file=None, extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    # uvicorn worker processes. Measured in bench/scale.py: one process tops out near 130-200
    # search req/s (Chroma's query is serial within a process); 2 on 2 cores ~290 req/s. Each
    # worker holds its own model and caches (RSS x N).
    workers: int = Field(default=1, ge=1, le=64)

    # storage
    chroma_path: Path = Path("var/chroma")
    chroma_url: str | None = None  # e.g. http://127.0.0.1:8001 -> Chroma HttpClient
    collection_prefix: str = "news"

    # embeddings
    # minilm: packaged model on torch; onnx-int8 / model2vec: derived from it locally (built once
    # into models_dir, see adapters/derived_models.py); trade-offs in docs/benchmarks.md.
    embedder: Literal["minilm", "onnx-int8", "model2vec", "openai", "hashing"] = "minilm"
    models_dir: Path = Path("var/models")
    embedding_batch_size: int = 64
    openai_embedding_model: str = "text-embedding-3-small"
    query_cache_size: int = 1024

    # chunking (tokens counted with tiktoken cl100k_base)
    chunk_tokens: int = 200
    chunk_overlap: int = 30
    dedup_threshold: float = 0.6  # measured: seed duplicates 1.0, distinct seeds 0.0 (test_dedup)
    ingest_max_bytes: int = 5_000_000

    # retrieval
    top_k: int = Field(default=5, ge=1, le=50)
    retrieval_mode: Literal["hybrid", "dense", "lexical"] = "hybrid"
    rrf_k: int = 60
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    retrieval_candidates: int = 30
    lexical_path: Path | None = None  # default: <chroma_path>/lexical (share it between replicas)
    # optional rerank stage over the first rerank_candidates fused passages; none = fused order
    reranker: Literal["none", "nanoranker"] = "none"
    rerank_candidates: int = Field(default=20, ge=1, le=200)

    # answering
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_model: str = "gpt-4o-mini"
    llm_timeout_s: float = 30.0
    llm_max_retries: int = 2
    context_tokens: int = 3000
    fallback_extractive: bool = False
    extractive_min_relevance: float = 0.35
    prompt_version: str = "v2"

    # security and limits
    api_keys: SecretStr | None = None  # comma-separated
    widget_api_key: SecretStr | None = None
    rate_limit_per_minute: int = 120
    widget_rate_limit_per_minute: int = 20
    max_body_bytes: int = 64 * 1024
    cors_origins: str = ""  # comma-separated allow-list

    log_level: str = "INFO"

    @property
    def lexical_dir(self) -> Path:
        return self.lexical_path or self.chroma_path / "lexical"

    @property
    def api_key_list(self) -> list[str]:
        raw = self.api_keys.get_secret_value() if self.api_keys else ""
        return [k.strip() for k in raw.split(",") if k.strip()]

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]
