"""Token counting with tiktoken's cl100k_base, loaded from the packaged cache."""

from __future__ import annotations

from functools import lru_cache

import tiktoken

from qa_service.offline import ensure_offline

ENCODING_NAME = "cl100k_base"


@lru_cache(maxsize=1)
def _encoding() -> tiktoken.Encoding:
    ensure_offline()
    return tiktoken.get_encoding(ENCODING_NAME)


class TiktokenCounter:
    """Implements ``TokenCounter``; also exposes ``encode`` for the chunker."""

    def count(self, text: str) -> int:
        return len(_encoding().encode(text, disallowed_special=()))

    def encode(self, text: str) -> list[int]:
        return _encoding().encode(text, disallowed_special=())
