"""Process-wide switches that keep every library off the network.

Called by adapters before they import tiktoken, transformers or chromadb; idempotent.
"""

from __future__ import annotations

import os
from importlib.util import find_spec
from pathlib import Path

_OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}


def packaged_tiktoken_cache() -> Path:
    """The tiktoken BPE files llama-index-core ships (cl100k_base, o200k_base)."""
    spec = find_spec("llama_index.core")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("llama-index-core is not installed; it carries the tiktoken cache")
    return Path(next(iter(spec.submodule_search_locations))) / "_static" / "tiktoken_cache"


def ensure_offline() -> None:
    """Point caches at packaged files and disable hub downloads and telemetry."""
    for key, value in _OFFLINE_ENV.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(packaged_tiktoken_cache()))
