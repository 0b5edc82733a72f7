"""Offline answerer: quote the retrieved sentences that answer the question, verbatim, attributed.

Used when no LLM is configured. It never paraphrases, so every quoted sentence is a substring of
its chunk and ``verify_citations`` can always quote it back. A sentence is scored on three things:
MiniLM similarity to the question, the share of the question's rarer words it contains (idf over
the candidates, as BM25 weighs terms) and whether it is about the question's subject (the actors
the question names, with aliases: "Moscow" is also the Kremlin, Russia and a Russian official
speaking). The best sentence leads, up to ``max_sentences - 1`` close ones support it, each framed
with who said it, where and when (``core/framing.py``). It abstains when the best sentence is not
relevant enough or the question names someone the passages never mention.
"""

from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from qa_service.core.attribution import Speaker, find_speaker
from qa_service.core.candidates import (  # noqa: F401 - re-exported for callers and tests
    fold_lookalikes,
    is_candidate,
    looks_like_instruction,
)
from qa_service.core.citations import content_words
from qa_service.core.framing import FramedSentence, compose_answer
from qa_service.core.models import Passage
from qa_service.core.names import canonical, mentions, off_corpus, question_subjects
from qa_service.core.ports import Embedder
from qa_service.core.quotes import earlier_text
from qa_service.core.sentences import split_sentences

ABSTAIN_TEXT = "The articles don't cover this."
PER_PASSAGE = 2
DUPLICATE_JACCARD = 0.85
SENTENCE_CACHE_SIZE = 20_000


@dataclass(frozen=True, slots=True)
class ScoredSentence:
    """A candidate sentence of passage ``n``; ``start``/``end`` are offsets in the chunk text."""

    n: int
    start: int
    end: int
    text: str
    similarity: float  # cosine(question, sentence)
    coverage: float  # share of the question's idf mass found in the sentence (0..1)
    score: float  # similarity + lexical/subject weights: what thresholds and ranking use
    subject: float = 0.0  # share of the question's actors the sentence or its speaker names
    speaker: Speaker | None = None


@dataclass(frozen=True, slots=True)
class ExtractiveResult:
    text: str
    abstained: bool
    best_score: float
    sentences: tuple[ScoredSentence, ...] = ()


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
        subject_weight: float = 0.15,
        rank_weight: float = 0.0,
        support_margin: float = 0.2,
        max_unmatched_share: float = 0.99,
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
        # "Moscow's position" wants a sentence whose actor is Russia; Ukraine's answers another
        # question however similar its words are.
        self.subject_weight = subject_weight
        self.rank_weight = rank_weight  # retrieval saw the whole passage (title included)
        # Supporting sentences must be nearly as good as the lead, or the answer wanders.
        self.support_margin = support_margin
        self.max_unmatched_share = max_unmatched_share  # see names.off_corpus

    def _candidates(self, numbered: Mapping[int, Passage]) -> list[tuple[int, int, int, str]]:
        found: list[tuple[int, int, int, str]] = []
        for n in sorted(numbered):
            text = numbered[n].chunk.text
            for start, end in split_sentences(text):
                if is_candidate(text[start:end]):
                    found.append((n, start, end, text[start:end]))
        return found

    def _coverages(self, question: str, sentences: list[str], aliases: bool = False) -> list[float]:
        """Share of the question's idf mass a sentence contains: rewards rare, specific words."""
        fold = canonical if aliases else str
        asked = {fold(w) for w in content_words(question)}
        bags = [{fold(w) for w in content_words(s)} for s in sentences]
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
        # the gate uses the words as written; ranking also counts "Kremlin" for "Moscow"
        coverages = self._coverages(question, texts)
        ranked = self._coverages(question, texts, aliases=True)
        subjects = question_subjects(question)
        ranks = {n: i for i, n in enumerate(sorted(numbered))}
        earlier = earlier_text(numbered)
        scored = []
        for (n, start, end, text), vector, coverage, alias_coverage in zip(
            candidates, sentence_vectors, coverages, ranked, strict=True
        ):
            similarity = _cosine(question_vector, vector)
            speaker = find_speaker(numbered[n].chunk.text, start, end, earlier[n])
            context = f"{text} {speaker.label}" if speaker else text
            subject = (
                sum(mentions(group, context) for group in subjects) / len(subjects)
                if subjects
                else 0.0
            )
            prior = 1.0 - ranks[n] / len(ranks)
            score = (
                similarity
                + self.lexical_weight * alias_coverage
                + self.subject_weight * subject
                + self.rank_weight * prior
            )
            scored.append(
                ScoredSentence(n, start, end, text, similarity, coverage, score, subject, speaker)
            )
        return sorted(scored, key=lambda s: -s.score)  # stable: ties keep passage order

    def select(self, scored: Sequence[ScoredSentence]) -> list[ScoredSentence]:
        """Greedy pick: the lead, then sentences within ``support_margin`` of it; above both
        thresholds, at most ``PER_PASSAGE`` per passage, no repeats."""
        chosen: list[ScoredSentence] = []
        bags: list[frozenset[str]] = []
        per_passage: dict[int, int] = {}
        for sentence in scored:
            floor = self.min_relevance
            if chosen:
                floor = max(floor, chosen[0].score - self.support_margin)
            if len(chosen) >= self.max_sentences or sentence.score < floor:
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
        """Attributed verbatim sentences each followed by ``[n]``, or an abstention."""
        scored = self.score_sentences(question, numbered)
        best = scored[0].score if scored else 0.0
        described = (
            f"{p.chunk.title or ''} {p.chunk.source or ''} {p.chunk.text}"
            for p in numbered.values()
        )
        if off_corpus(question, described, self.max_unmatched_share):
            return ExtractiveResult(ABSTAIN_TEXT, abstained=True, best_score=best)
        chosen = self.select(scored)
        if not chosen:
            return ExtractiveResult(ABSTAIN_TEXT, abstained=True, best_score=best)
        text = compose_answer(
            [FramedSentence(s.n, s.text, numbered[s.n].chunk, s.speaker) for s in chosen]
        )
        return ExtractiveResult(text, abstained=False, best_score=best, sentences=tuple(chosen))
