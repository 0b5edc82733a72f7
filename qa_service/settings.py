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
    # into models_dir, see model_build/derived_models.py); trade-offs in docs/benchmarks.md.
    embedder: Literal["minilm", "onnx-int8", "model2vec", "openai", "hashing"] = "minilm"
    models_dir: Path = Path("var/models")
    embedding_batch_size: int = 64
    # where the minilm embedder runs: "cpu", or a torch device such as "cuda" (`ingest --executor
    # ray` then gives each embed worker one GPU)
    embedding_device: str = "cpu"
    openai_embedding_model: str = "text-embedding-3-small"
    query_cache_size: int = 1024

    # chunking (tokens counted with tiktoken cl100k_base)
    chunk_tokens: int = 200
    chunk_overlap: int = 30
    dedup_threshold: float = 0.6  # measured: seed duplicates 1.0, distinct seeds 0.0 (test_dedup)
    ingest_max_bytes: int = 5_000_000  # per record: a .txt/.md/.html file or one JSONL line

    # retrieval
    top_k: int = Field(default=5, ge=1, le=50)
    # passages the answerer reads when /v1/ask omits top_k: 8 lowered false abstention on
    # MultiHop (.360 -> .314) and RealTimeQA with as_of (.107 -> .082) and kept the golden set
    # (docs/benchmarks.md "Answers: how many passages the answerer reads")
    ask_top_k: int = Field(default=8, ge=1, le=50)
    retrieval_mode: Literal["hybrid", "dense", "lexical"] = "hybrid"
    # convex: weighted sum of min-max normalised scores; rrf: reciprocal rank fusion (rrf_k).
    # Defaults chosen on MultiHop, RealTimeQA and the golden set together (docs/benchmarks.md).
    fusion: Literal["convex", "rrf"] = "convex"
    rrf_k: int = 60
    dense_weight: float = 1.0
    lexical_weight: float = 0.8
    retrieval_candidates: int = 50
    lexical_path: Path | None = None  # default: <chroma_path>/lexical (share it between replicas)
    # optional rerank stage over the first rerank_candidates fused passages; none = fused order
    reranker: Literal["none", "nanoranker"] = "none"
    rerank_candidates: int = Field(default=20, ge=1, le=200)
    # time intent in questions (core/recency.py): ranges and recency as a ranking prior, ranges
    # as a hard date filter, or ignored
    time_intent: Literal["prior", "filter", "off"] = "prior"
    recency_half_life_days: float = Field(default=7.0, gt=0)
    recency_floor: float = Field(default=0.1, ge=0, le=1)
    time_range_miss_factor: float = Field(default=0.3, ge=0, le=1)
    # a question without time words asked with an explicit as_of: a milder recency prior
    asof_recency: bool = True
    asof_recency_half_life_days: float = Field(default=30.0, gt=0)
    asof_recency_floor: float = Field(default=0.5, ge=0, le=1)

    # answering
    llm_base_url: str | None = None
    llm_api_key: SecretStr | None = None
    llm_model: str = "gpt-4o-mini"
    llm_timeout_s: float = 30.0
    llm_max_retries: int = 2
    context_tokens: int = 3000
    fallback_extractive: bool = False
    extractive_min_relevance: float = 0.35
    # also abstain when the passages never mention any name the question gives (off by default)
    extractive_abstain_on_missing_names: bool = False
    prompt_version: str = "v2"

    # security and limits
    api_keys: SecretStr | None = None  # comma-separated
    widget_api_key: SecretStr | None = None
    # One budget per key per minute, shared by every /v1 route (qa_service/api/rate_limit.py);
    # an answer costs answer_rate_cost units, any other /v1 request 1.
    rate_limit_per_minute: int = Field(default=120, ge=1)
    widget_rate_limit_per_minute: int = Field(default=20, ge=1)
    answer_rate_cost: int = Field(default=2, ge=1)
    anon_rate_limit_per_minute: int | None = Field(default=None, ge=1)  # None: not limited
    auth_failures_per_minute: int = Field(default=10, ge=1)  # per client address, then 429
    trusted_proxies: str = ""  # comma-separated IPs/CIDRs allowed to set X-Forwarded-For
    max_body_bytes: int = 64 * 1024
    # slow and idle clients (qa_service/api/server.py): a request must arrive whole this fast
    request_read_timeout_s: float = Field(default=20.0, gt=0, le=30)
    max_connections: int = Field(default=2048, ge=16)  # per worker; the longest-waiting go first
    # POST /v1/documents only: up to 100 articles per request
    push_max_body_bytes: int = 5 * 1024 * 1024
    # writes (POST/DELETE /v1/documents) need a QA_API_KEYS key; with no keys configured they are
    # refused unless this is set (a private network where anyone reaching the port may write)
    allow_open_writes: bool = False
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
