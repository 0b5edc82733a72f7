"""Why an extractive answer misses: each answerable question's failure put down to one cause.

    PYTHONPATH=$PWD .venv/bin/python -m bench.answer_failures --sets rtqa [--halves]

Reads the passages ``bench.answer_sweep`` cached (run it first with the same ``--top-k``,
``--as-of`` and ``--window-days``), answers every answerable question with the shipped
:class:`ExtractiveAnswerer` and with the naive anchor of issue 13 (the sentences of the first three
passages most similar to the question by MiniLM cosine, never abstaining), and prints how many
questions end up in each cause, first that applies:

* ``ok``: the answer contains the gold answer and cites a gold passage;
* ``no_gold_passage``: no gold passage among the passages the answerer saw (retrieval);
* ``gold_without_answer``: a gold passage was seen but none of the passages contains the answer;
* ``abstained_*``: the answerer abstained: ``names`` (the question names someone the passages
  never mention), ``relevance`` (no sentence above ``min_relevance``) or ``coverage`` (sentences
  above it, all failing the lexical-coverage gate);
* ``not_candidate``: every answer-bearing sentence is filtered out before scoring (too short,
  looks like an instruction or a marker);
* ``below_margin``: the best answer-bearing sentence scores below the lead minus
  ``support_margin``;
* ``crowded_out``: it is within the margin, but ``max_sentences`` (or the per-passage cap, the
  duplicate rule, the coverage gate) took other sentences first;
* ``wrong_citation``: the answer contains the gold answer but cites no gold passage.

``--halves`` also prints the ok share on each half of the answerable questions (in file order):
a change that helps only some of the questions shows there.

Only counts are printed: the RealTimeQA set has no licence, nothing of it is written out.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path

from bench.answer_sweep import CachedEmbedder, Item, cached, override
from eval.inprocess import eval_settings
from eval.multihop_metrics import answer_matches
from eval.realtimeqa_metrics import contains_answer
from qa_service.container import build_embedder
from qa_service.core.extractive import (
    ExtractiveAnswerer,
    ScoredSentence,
    _cosine,
    described_texts,
)
from qa_service.core.models import Passage
from qa_service.core.names import off_corpus
from qa_service.core.sentences import split_sentences

NAIVE_PASSAGES = 3
NAIVE_SENTENCES = 3


def matcher(name: str) -> Callable[[str, str], bool]:
    if name == "multihop":
        return answer_matches
    if name == "golden":
        return lambda text, gold: all(f.casefold() in text.casefold() for f in gold.split("|") if f)
    return contains_answer


def naive_answer(
    answerer: ExtractiveAnswerer, question: str, numbered: Mapping[int, Passage]
) -> tuple[str, set[int]]:
    """Issue 13's anchor: top sentences of the first passages by cosine, never abstaining."""
    sentences = [
        (n, numbered[n].chunk.text[s:e])
        for n in sorted(numbered)[:NAIVE_PASSAGES]
        for s, e in split_sentences(numbered[n].chunk.text)
    ]
    if not sentences:
        return "", set()
    q, vectors = answerer._embed(question, [t for _, t in sentences])
    ranked = sorted(zip(sentences, vectors, strict=True), key=lambda pair: -_cosine(q, pair[1]))[
        :NAIVE_SENTENCES
    ]
    return " ".join(t for (_, t), _ in ranked), {n for (n, _), _ in ranked}


def cause(
    name: str, item: Item, answerer: ExtractiveAnswerer, numbered: Mapping[int, Passage]
) -> str:
    matches = matcher(name)
    gold_seen = any(p.chunk.doc_id in item.gold_docs for p in numbered.values())
    result = answerer.compose(item.question, numbered)
    cited = {numbered[s.n].chunk.doc_id for s in result.sentences}
    contains = not result.abstained and matches(result.text, item.gold)
    if contains and (cited & item.gold_docs or name == "multihop"):
        return "ok"
    if name != "multihop" and not gold_seen:
        return "no_gold_passage"
    if not any(matches(p.chunk.text, item.gold) for p in numbered.values()):
        return "gold_without_answer"
    if result.abstained:
        described = described_texts(numbered)
        if off_corpus(item.question, described, answerer.max_unmatched_share):
            return "abstained_names"
        scored = answerer.score_sentences(item.question, numbered)
        if not scored or scored[0].score < answerer.min_relevance:
            return "abstained_relevance"
        return "abstained_coverage"
    if contains:
        return "wrong_citation"
    scored = answerer.score_sentences(item.question, numbered)
    bearing = [s for s in scored if matches(s.text, item.gold)]
    if not bearing:
        return "not_candidate"
    lead: ScoredSentence = result.sentences[0]
    floor = max(answerer.min_relevance, lead.score - answerer.support_margin)
    if bearing[0].score < floor:
        return "below_margin"
    return "crowded_out"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", default="golden,multihop,rtqa,rtqa-asof")
    parser.add_argument("--top-k", type=int, default=10, help="the cache's retrieval depth")
    parser.add_argument("--answer-k", type=int, default=5)
    parser.add_argument("--window-days", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/answers-sweep"))
    parser.add_argument("--set", action="append", default=[], help="answerer attribute=value")
    parser.add_argument(
        "--halves",
        action="store_true",
        help="also print the ok share on each half of the answerable questions (file order)",
    )
    args = parser.parse_args()
    vectors = CachedEmbedder(
        build_embedder(eval_settings(args.cache, "x")), args.cache / "vectors.pkl"
    )
    answerer = ExtractiveAnswerer(vectors)
    for assignment in args.set:
        override(answerer, assignment)
    for name in args.sets.split(","):
        suffix = f"-w{args.window_days}" if name == "rtqa" and args.window_days else ""
        path = args.cache / f"{name}{suffix}-k{args.top_k}.pkl"
        if not path.is_file():
            raise SystemExit(f"{path} missing: run bench.answer_sweep with the same options first")
        items: list[Item] = cached(path, list)
        causes: Counter[str] = Counter()
        naive_ok = 0
        asked = [i for i in items if i.answerable]
        ok_by_half = [0, 0]
        for index, item in enumerate(asked):
            numbered = dict(enumerate(item.passages[: args.answer_k], start=1))
            found = cause(name, item, answerer, numbered)
            causes[found] += 1
            ok_by_half[index >= len(asked) // 2] += found == "ok"
            text, ns = naive_answer(answerer, item.question, numbered)
            cites = {numbered[n].chunk.doc_id for n in ns} & item.gold_docs
            naive_ok += matcher(name)(text, item.gold) and bool(cites or name == "multihop")
        print(
            f"{name}{suffix}: {len(asked)} answerable; naive anchor ok {naive_ok / len(asked):.3f}"
        )
        for key, count in causes.most_common():
            print(f"  {key:<22} {count:>5}  {count / len(asked):.3f}")
        if args.halves:
            sizes = (len(asked) // 2, len(asked) - len(asked) // 2)
            for label, ok, size in zip(("first", "second"), ok_by_half, sizes, strict=True):
                print(f"  ok on the {label} half ({size}): {ok / max(size, 1):.3f}")
        vectors.save()


if __name__ == "__main__":
    main()
