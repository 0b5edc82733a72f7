"""Which sentences may be quoted at all: prose, not page chrome, markers or orders to a model."""

from __future__ import annotations

import re
import unicodedata

from qa_service.core.citations import MARKER_RE

MIN_WORDS = 5

# Passages are data: a sentence that reads like an order to a model is never repeated.
_INSTRUCTION_RE = re.compile(
    r"""\b(?:ignore|disregard|forget|override)\b[^.!?]{0,40}?
        \b(?:previous|prior|above|earlier|preceding|all|any|your)\b[^.!?]{0,40}?
        \b(?:instructions?|prompts?|rules|directions|guidelines|context)\b
    | (?:^|[\s"'\u201c(])(?:system|assistant|developer)\s*:
    | \byou\s+are\s+now\b
    | \bpretend\s+(?:to\s+be|you\s+are)\b
    | \b(?:reply|respond|answer)\s+(?:only\s+)?with\b
    | \bnew\s+instructions?\b
    | \bjailbreak
    | <\s*/?\s*(?:script|iframe|img|object|embed|system)\b
    | javascript\s*:
    """,
    re.IGNORECASE | re.VERBOSE,
)


# Structured data is not prose: a JSON object, or SSE/HTTP-style "data: {" fields, in a sentence.
_MARKUP_RE = re.compile(r"""\{\s*"[^"]{0,40}"\s*:|"\s*\}|\b(?:data|event|retry)\s*:\s*[{"\[]""")
# Lookalikes that NFKC leaves alone: Cyrillic and Greek letters drawn like Latin ones.
_CONFUSABLES = str.maketrans(
    "АВЕКМНОРСТХаеорсухіјѕІЈЅΑΒΕΗΙΚΜΝΟΡΤΧΥΖοαειν",
    "ABEKMHOPCTXaeopcyxijsIJSABEHIKMNOPTXYZoaeiv",
)
_INVISIBLE_RE = re.compile(r"[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")
_BIDI_OVERRIDE_RE = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def fold_lookalikes(text: str) -> str:
    """What a reader sees: fullwidth and styled letters (NFKC), Cyrillic/Greek twins and
    invisible characters folded to plain Latin, so "Ｉｇｎｏｒｅ" or "Іgnоrе" reads as "Ignore"."""
    return unicodedata.normalize("NFKC", _INVISIBLE_RE.sub("", text)).translate(_CONFUSABLES)


def looks_like_instruction(sentence: str) -> bool:
    """True for text addressed to a model ("ignore previous instructions", "system:", <script>).

    Checked on the folded text, so lookalike letters don't hide an order (found by the
    injection corpus in tests/reliability); text that reverses itself on screen (bidi
    overrides) or is structured data (JSON, SSE fields) is never quoted either.
    """
    if _BIDI_OVERRIDE_RE.search(sentence):
        return True
    folded = fold_lookalikes(sentence)
    return _INSTRUCTION_RE.search(folded) is not None or _MARKUP_RE.search(folded) is not None


def is_candidate(sentence: str) -> bool:
    """Short fragments, injected orders and text that would parse as a marker are never quoted."""
    if sum(any(ch.isalpha() for ch in word) for word in sentence.split()) < MIN_WORDS:
        return False  # bylines, datelines ("09:08 GMT 10.12.2025 (Updated: ...)"), headings
    return not looks_like_instruction(sentence) and MARKER_RE.search(sentence) is None
