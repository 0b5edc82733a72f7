"""Offline answerer: quote the retrieved sentences that answer the question, verbatim, attributed.

Used when no LLM is configured. It never paraphrases, so every quoted sentence is a substring of
its chunk and ``verify_citations`` can always quote it back. A sentence is scored on three things:
MiniLM similarity to the question, the share of the question's rarer words it contains (idf over
the candidates, as BM25 weighs terms) and whether it is about the question's subject (the actors
the question names, with aliases: "Moscow" is also the Kremlin, Russia and a Russian official
speaking), plus a small prior for the passage's retrieval rank. The best sentence that passes the
relevance gate leads, up to ``max_sentences - 1`` close ones support it, each framed with who said
it, where and when (``core/framing.py``); a quote opening with an unresolved pronoun also quotes
the sentence before it. It abstains when no sentence passes the gate (and, with
``max_unmatched_share`` below 1, when the question names someone the passages never mention and
no sentence is a close paraphrase of the question).
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from qa_service.core.attribution import Speaker, find_speaker
from qa_service.core.candidates import (  # noqa: F401 - re-exported for callers and tests
    fold_lookalikes,
    is_candidate,
    looks_like_instruction,
)
from qa_service.core.citations import content_words
from qa_service.core.entity_questions import (
    asked_places,
    asks_for_name,
    name_answers_possible,
    names_beyond,
    names_new_place,
)
from qa_service.core.framing import FramedSentence, compose_answer
from qa_service.core.models import Passage
from qa_service.core.names import canonical, mentions, off_corpus, question_subjects
from qa_service.core.ports import Embedder
from qa_service.core.quote_spans import (
    WHOLE_PASSAGE_WORDS,
    with_antecedents,
    with_short_lead_passage,
)
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
    score: float  # relevance + the retrieval-rank prior: what ranking uses
    subject: float = 0.0  # share of the question's actors the sentence or its speaker names
    speaker: Speaker | None = None
    relevance: float = 0.0  # similarity + lexical/subject weights: what the thresholds use
    names_answer: bool = False  # names something a "which/who/where" question asks for


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


def _article_ranks(numbered: Mapping[int, Passage]) -> tuple[dict[int, int], int]:
    """Each passage's article rank (0 = the article retrieved first) and how many articles:
    two chunks of one article are evidence from the same source, so they share its best rank."""
    first: dict[str, int] = {}
    for n in sorted(numbered):
        first.setdefault(numbered[n].chunk.doc_id, len(first))
    return {n: first[p.chunk.doc_id] for n, p in numbered.items()}, max(len(first), 1)


def _within(sentence: ScoredSentence, quote: ScoredSentence) -> bool:
    return sentence.n == quote.n and quote.start <= sentence.start and sentence.end <= quote.end


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
        paraphrase_similarity: float = 0.55,
        subject_weight: float = 0.15,
        rank_weight: float = 0.2,
        support_margin: float = 0.25,
        max_unmatched_share: float = 1.0,
        name_answers: bool = True,
        whole_passage_words: int = WHOLE_PASSAGE_WORDS,
        first_passage_margin: float = math.inf,
        names_skip_subject_rule: bool = True,
        place_weight: float = 0.2,
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
        # Retrieval saw the whole passage, its title, BM25 and the time intent resolved against
        # as_of ("this week"); sentence similarity alone prefers an older passage that retells
        # the same story. The prior is 1 for the first passage down to 1/n for the last.
        self.rank_weight = rank_weight
        # Supporting sentences must be nearly as good as the lead, or the answer wanders.
        self.support_margin = support_margin
        # Abstain when the passages miss the question's names (names.off_corpus): 1.0 never
        # (the default), 0.99 when every name the question gives is missing. The lexical gate
        # already abstains on every golden and MultiHop trap this caught; on RealTimeQA it only
        # refused answers its passages held, where a short excerpt says "the Bills safety" for
        # the player the question names (docs/benchmarks.md, session 5).
        self.max_unmatched_share = max_unmatched_share
        # "Which state …?" is answered by a sentence naming one, whatever words it shares with
        # the question (entity_questions.py): such a sentence passes the coverage gate.
        self.name_answers = name_answers
        # A passage of at most this many words is one news item: when it leads, it is quoted
        # whole (quote_spans.py); 0 quotes sentences only.
        self.whole_passage_words = whole_passage_words
        # The lead comes from the first-ranked passage that can answer (lead_of), however far
        # its sentence scores below the best passing one; a finite margin bounds that gap and
        # 0 is the rule before session 7 (best wherever). Every margin from 0.375 up gave the
        # same scores on all four eval sets (docs/benchmarks.md, session 8).
        self.first_passage_margin = first_passage_margin
        # A "which / who / where" question's lead need not name its subject (lead_of); False
        # applies the subject rule to every question, as session 7 did (for sweeps).
        self.names_skip_subject_rule = names_skip_subject_rule
        # "Which country …?" / "Which state …?" is answered by a sentence naming a country or US
        # state the question does not (entity_questions.names_new_place): it scores this much
        # more, the rank prior's weight (rank_weight): about what ranking first, not last, adds.
        # Such a sentence also passes the gate as a name answer (docs/benchmarks.md, session 10).
        self.place_weight = place_weight

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
        self,
        question: str,
        numbered: Mapping[int, Passage],
        context: PassageContext | None = None,
    ) -> list[ScoredSentence]:
        """All candidate sentences, best first (ties: lower n, then earlier): for calibration.
        ``context`` is :func:`passage_context` of ``numbered`` when the caller has it already."""
        context = context or passage_context(numbered)
        candidates = self._candidates(numbered)
        if not candidates or not question.strip():
            return []
        texts = [c[3] for c in candidates]
        question_vector, sentence_vectors = self._embed(question, texts)
        # the gate uses the words as written; ranking also counts "Kremlin" for "Moscow"
        coverages = self._coverages(question, texts)
        ranked = self._coverages(question, texts, aliases=True)
        subjects = question_subjects(question)
        name_question = self.name_answers and name_answers_possible(question, context.described)
        ranks, n_articles = _article_ranks(numbered)
        places = asked_places(question)
        earlier = context.earlier
        scored = []
        for (n, start, end, text), vector, coverage, alias_coverage in zip(
            candidates, sentence_vectors, coverages, ranked, strict=True
        ):
            similarity = _cosine(question_vector, vector)
            speaker = find_speaker(numbered[n].chunk.text, start, end, earlier[n])
            attributed = f"{text} {speaker.label}" if speaker else text
            subject = (
                sum(mentions(group, attributed) for group in subjects) / len(subjects)
                if subjects
                else 0.0
            )
            prior = 1.0 - ranks[n] / n_articles
            relevance = (
                similarity + self.lexical_weight * alias_coverage + self.subject_weight * subject
            )
            typed = names_new_place(text, question, places)
            score = relevance + self.rank_weight * prior + self.place_weight * typed
            names_answer = name_question and (typed or bool(names_beyond(text, question)))
            scored.append(
                ScoredSentence(
                    n, start, end, text, similarity, coverage, score, subject, speaker, relevance,
                    names_answer,
                )
            )  # fmt: skip
        return sorted(scored, key=lambda s: -s.score)  # stable: ties keep passage order

    def select(
        self, scored: Sequence[ScoredSentence], asks_name: bool = False
    ) -> list[ScoredSentence]:
        """The lead is the best sentence passing :meth:`passes_gate` in the first-ranked passage
        that has one (:meth:`lead_of`; nothing when no sentence passes); then, best first,
        sentences scoring within ``support_margin`` of it, at most ``PER_PASSAGE`` per passage,
        no repeats.

        Only the lead is gated: whether to answer at all is the lead's call. Gating every
        supporting sentence too dropped the short sentence that names the answer ("Acme faces
        more problems.") next to a lead that describes the event in the question's words.
        """
        lead = self.lead_of(scored, asks_name)
        if lead is None:
            return []
        return self.with_supports([lead], scored)

    def with_supports(
        self, chosen: Sequence[ScoredSentence], scored: Sequence[ScoredSentence]
    ) -> list[ScoredSentence]:
        """``chosen`` (the lead first) plus, best first, sentences scoring within
        ``support_margin`` of the lead, up to ``max_sentences`` quotes: at most ``PER_PASSAGE``
        per passage, none inside a quote already chosen (a lead widened to its whole passage
        holds that passage's sentences), no repeats."""
        out = list(chosen)
        floor = out[0].score - self.support_margin
        # a widened quote repeats each of its sentences: their duplicates elsewhere count once
        inside = [s for s in scored if any(_within(s, quote) for quote in out)]
        bags = [_normalised(s.text) for s in [*out, *inside]]
        per_passage = Counter(s.n for s in out)
        for sentence in scored:
            if len(out) >= self.max_sentences or sentence.score < floor:
                break
            if any(_within(sentence, quote) for quote in out):
                continue
            bag = _normalised(sentence.text)
            if per_passage[sentence.n] >= PER_PASSAGE or _is_duplicate(bag, bags):
                continue
            out.append(sentence)
            bags.append(bag)
            per_passage[sentence.n] += 1
        return out

    def lead_of(
        self, scored: Sequence[ScoredSentence], asks_name: bool = False
    ) -> ScoredSentence | None:
        """The best passing sentence of the first-ranked passage with one (unless a passing
        sentence elsewhere scores more than ``first_passage_margin`` above it; no limit by
        default).

        Retrieval ranked the passages on their whole text, title, BM25 and the time intent
        (with ``as_of``, Hits@1 is most of Hits@4); sentence similarity alone prefers a passage
        that restates the question over the one that answers it. Which passages may answer at
        all is still the gate's call, so traps abstain as before.

        The first passage's sentence must also name the question's subject as fully as the
        best one does, unless the question asks for a name (``asks_name``: "Which automaker
        recalled …?"). A question about an actor's position wants that actor's sentence; the
        answer to a "which / who / where" question names something else and calls the
        subject "the spacecraft" or "the company", if it names it at all."""
        passing = [s for s in scored if self.passes_gate(s)]
        if not passing:
            return None
        best = passing[0]
        first = min(s.n for s in passing)
        lead = next(s for s in passing if s.n == first)
        close = lead.score >= best.score - self.first_passage_margin
        # never trade the question's subject for rank: "Moscow's position" must not open with
        # the first passage's sentence about Ukraine's
        keeps_subject = asks_name or lead.subject >= best.subject
        return lead if close and keeps_subject else best

    def passes_gate(self, sentence: ScoredSentence) -> bool:
        """Relevant enough, and either contains some of the question's rarer words, is a
        close paraphrase of it, or names what a "which/who/where" question asks for."""
        return sentence.relevance >= self.min_relevance and (
            sentence.coverage >= self.min_coverage
            or sentence.similarity >= self.paraphrase_similarity
            or sentence.names_answer
        )

    def compose(self, question: str, numbered: Mapping[int, Passage]) -> ExtractiveResult:
        """Attributed verbatim sentences each followed by ``[n]``, or an abstention."""
        context = passage_context(numbered)
        scored = self.score_sentences(question, numbered, context)
        best = max((s.relevance for s in scored), default=0.0)
        chosen = self.select(scored, self.names_skip_subject_rule and asks_for_name(question))
        # a close paraphrase answers even when the question's names are spelt otherwise
        paraphrased = bool(chosen) and chosen[0].similarity >= self.paraphrase_similarity
        names_gate = self.max_unmatched_share < 1.0 and not paraphrased
        if not chosen or (
            names_gate and off_corpus(question, context.described, self.max_unmatched_share)
        ):
            return ExtractiveResult(ABSTAIN_TEXT, abstained=True, best_score=best)
        if self.whole_passage_words:
            widened = with_short_lead_passage(chosen, numbered, scored, self.whole_passage_words)
            # quotes the widened lead took in leave room for the next best sentences
            chosen = widened if len(widened) == len(chosen) else self.with_supports(widened, scored)
        chosen = with_antecedents(chosen, numbered)
        text = compose_answer(
            [FramedSentence(s.n, s.text, numbered[s.n].chunk, s.speaker) for s in chosen]
        )
        return ExtractiveResult(text, abstained=False, best_score=best, sentences=tuple(chosen))


def described_texts(numbered: Mapping[int, Passage]) -> list[str]:
    """What the passages say about themselves and their story: title, outlet and text."""
    return [
        f"{p.chunk.title or ''} {p.chunk.source or ''} {p.chunk.text}" for p in numbered.values()
    ]


@dataclass(frozen=True, slots=True)
class PassageContext:
    """What one answer needs about its passages, worked out once: each passage's earlier
    article text (for speakers named before the chunk) and its described text (names)."""

    earlier: Mapping[int, str]
    described: list[str]


def passage_context(numbered: Mapping[int, Passage]) -> PassageContext:
    return PassageContext(earlier_text(numbered), described_texts(numbered))
