"""Offline answerer: quote the retrieved sentences closest to the question, verbatim, with markers.

Used when no LLM is configured. It never paraphrases, so every emitted sentence is a substring of
its chunk and ``verify_citations`` can always quote it back. It abstains rather than guess when the
best sentence is not similar enough to the question.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from qa_service.core.citations import MARKER_RE, content_words
from qa_service.core.models import Passage
from qa_service.core.names import unmatched_names
from qa_service.core.ports import Embedder
from qa_service.core.sentences import split_sentences

ABSTAIN_TEXT = "The articles don't cover this."
MIN_WORDS = 5
PER_PASSAGE = 2
DUPLICATE_JACCARD = 0.85
SENTENCE_CACHE_SIZE = 20_000

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


@dataclass(frozen=True, slots=True)
class ScoredSentence:
    """A candidate sentence of passage ``n``; ``start``/``end`` are offsets in the chunk text."""

    n: int
    start: int
    end: int
    text: str
    similarity: float  # cosine(question, sentence)
    coverage: float  # share of the question's idf mass found in the sentence (0..1)
    score: float  # similarity + lexical_weight * coverage: what thresholds and ranking use


@dataclass(frozen=True, slots=True)
class ExtractiveResult:
    text: str
    abstained: bool
    best_score: float
    sentences: tuple[ScoredSentence, ...] = ()


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


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def _normalised(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", text.lower()))


def _is_duplicate(words: frozenset[str], chosen: list[frozenset[str]]) -> bool:
    """Same sentence from a duplicate article (maybe re-punctuated) counts once."""
    for other in chosen:
        union = len(words | other)
        if union and len(words & other) / union >= DUPLICATE_JACCARD:
            return True
    return False


class ExtractiveAnswerer:
    """Embeds the question and every candidate sentence in one batch, then picks the best few."""

    def __init__(
        self,
        embedder: Embedder,
        min_relevance: float = 0.35,
        max_sentences: int = 3,
        lexical_weight: float = 0.1,
        min_coverage: float = 0.15,
        paraphrase_similarity: float = 0.6,
    ) -> None:
        self._embedder = embedder
        self._sentence_cache: OrderedDict[str, Sequence[float]] = OrderedDict()
        self._cache_lock = threading.Lock()
        self.min_relevance = min_relevance
        self.max_sentences = max_sentences
        self.lexical_weight = lexical_weight
        # Topical similarity alone lets "election commission" questions match referendum news;
        # a sentence must also contain some of the question's rarer words to be quoted.
        self.min_coverage = min_coverage
        # ...unless it is a close paraphrase ("the war on ice" for "freezing the conflict").
        self.paraphrase_similarity = paraphrase_similarity

    def _candidates(self, numbered: Mapping[int, Passage]) -> list[tuple[int, int, int, str]]:
        found: list[tuple[int, int, int, str]] = []
        for n in sorted(numbered):
            text = numbered[n].chunk.text
            for start, end in split_sentences(text):
                if is_candidate(text[start:end]):
                    found.append((n, start, end, text[start:end]))
        return found

    def _coverages(self, question: str, sentences: list[str]) -> list[float]:
        """Share of the question's idf mass a sentence contains: rewards rare, specific words."""
        asked = content_words(question)
        bags = [content_words(s) for s in sentences]
        if not asked or not bags:
            return [0.0] * len(sentences)
        idf = {w: math.log(1 + len(bags) / (1 + sum(w in b for b in bags))) for w in asked}
        total = sum(idf.values())
        return [sum(idf[w] for w in asked & bag) / total for bag in bags]

    def _embed(
        self, question: str, sentences: list[str]
    ) -> tuple[Sequence[float], list[Sequence[float]]]:
        """Question + sentences in one model call; sentences seen before come from an LRU cache.

        The same passages come back for related questions, so re-embedding their sentences on
        every answer was most of the extractive answerer's cost.
        """
        with self._cache_lock:
            cached = {t: self._sentence_cache[t] for t in sentences if t in self._sentence_cache}
            for text in cached:
                self._sentence_cache.move_to_end(text)
        missing = list(dict.fromkeys(t for t in sentences if t not in cached))
        vectors = self._embedder.embed([question, *missing])
        fresh = dict(zip(missing, vectors[1:], strict=True))
        with self._cache_lock:
            self._sentence_cache.update(fresh)
            while len(self._sentence_cache) > SENTENCE_CACHE_SIZE:
                self._sentence_cache.popitem(last=False)
        known = {**cached, **fresh}
        return vectors[0], [known[t] for t in sentences]

    def score_sentences(
        self, question: str, numbered: Mapping[int, Passage]
    ) -> list[ScoredSentence]:
        """All candidate sentences, best first (ties: lower n, then earlier): for calibration."""
        candidates = self._candidates(numbered)
        if not candidates or not question.strip():
            return []
        texts = [c[3] for c in candidates]
        question_vector, sentence_vectors = self._embed(question, texts)
        coverages = self._coverages(question, texts)
        scored = []
        for (n, start, end, text), vector, coverage in zip(
            candidates, sentence_vectors, coverages, strict=True
        ):
            similarity = _cosine(question_vector, vector)
            score = similarity + self.lexical_weight * coverage
            scored.append(ScoredSentence(n, start, end, text, similarity, coverage, score))
        return sorted(scored, key=lambda s: -s.score)  # stable: ties keep passage order

    def select(self, scored: Sequence[ScoredSentence]) -> list[ScoredSentence]:
        """Greedy pick: above both thresholds, at most ``PER_PASSAGE`` per passage, no repeats."""
        chosen: list[ScoredSentence] = []
        bags: list[frozenset[str]] = []
        per_passage: dict[int, int] = {}
        for sentence in scored:
            if len(chosen) >= self.max_sentences or sentence.score < self.min_relevance:
                break
            if (
                sentence.coverage < self.min_coverage
                and sentence.similarity < self.paraphrase_similarity
            ):
                continue
            words = _normalised(sentence.text)
            if per_passage.get(sentence.n, 0) >= PER_PASSAGE or _is_duplicate(words, bags):
                continue
            chosen.append(sentence)
            bags.append(words)
            per_passage[sentence.n] = per_passage.get(sentence.n, 0) + 1
        return chosen

    def compose(self, question: str, numbered: Mapping[int, Passage]) -> ExtractiveResult:
        """Answer text of verbatim sentences each followed by ``[n]``, or an abstention."""
        scored = self.score_sentences(question, numbered)
        best = scored[0].score if scored else 0.0
        described = (
            f"{p.chunk.title or ''} {p.chunk.source or ''} {p.chunk.text}"
            for p in numbered.values()
        )
        if unmatched_names(question, described):
            return ExtractiveResult(ABSTAIN_TEXT, abstained=True, best_score=best)
        chosen = self.select(scored)
        if not chosen:
            return ExtractiveResult(ABSTAIN_TEXT, abstained=True, best_score=best)
        text = " ".join(f"{s.text} [{s.n}]" for s in chosen)
        return ExtractiveResult(text, abstained=False, best_score=best, sentences=tuple(chosen))
