"""Questions asked without a date: how far the answer follows retrieval, and question forms tried.

    PYTHONPATH=$PWD .venv/bin/python -m bench.dateless ranks --cache /tmp/q/sweep
    PYTHONPATH=$PWD .venv/bin/python -m bench.dateless forms \
        --data ../shared/benchmarks/realtimeqa-dev

``ranks`` reads the passages ``bench.answer_sweep`` cached (``--top-k 10``) and prints, for each
set, the answerable questions by the rank of their first gold passage among the ``--answer-k``
the answerer reads, with the share the shipped :class:`ExtractiveAnswerer` gets right (contains
the answer, cites gold: ``bench.answer_failures``'s "ok"), then Hits@1/@3 when the first 10
passages are re-ordered by what the answerer knows (each passage's best sentence relevance, alone
or blended with the fused retrieval score or rank).

``forms`` searches with the service's retriever (the eval's own stores under ``var/``) for
rewritten questions: wh-word stripped, time words stripped, a multi-sentence question's last
sentence, and both fused by rank; it prints Hits@1/@3/@4/@10 on the answerable RealTimeQA dev
questions (no ``as_of``) and article-level Hits on MultiHop. Only counts are printed: the
RealTimeQA set has no licence, nothing of it is written anywhere.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.answer_failures import cause
from bench.answer_sweep import CachedEmbedder, Item, answerable_rtqa, cached
from eval.inprocess import eval_settings, ingest, prepare_services
from eval.report import REPO
from qa_service.container import Services, build_embedder
from qa_service.core.extractive import ExtractiveAnswerer
from qa_service.core.models import Passage, SearchFilters
from qa_service.core.retrieval import reciprocal_rank_fusion
from qa_service.core.sentences import split_sentences

__all__ = ["Item"]  # the cache pickles Item: it must be importable from the running module

_WH = re.compile(r"^(?:which|what|who|whom|whose|where|when|how many|how much|how)\b\s*", re.I)
_TIME = re.compile(
    r"\b(?:this|last|past|previous) (?:week|month|year)\b|\brecently\b|\bthis weekend\b", re.I
)


def _bucket(rank: int) -> str:
    return "not read" if rank == 0 else "1" if rank == 1 else "2-3" if rank <= 3 else "4+"


def _orders(ten: dict[int, Passage], best: dict[int, float]) -> dict[str, Callable[[int], float]]:
    """Sort keys over passage numbers: retrieval's order, the best sentence's relevance, and
    that relevance blended with the fused score (normalised to the first) or the rank."""
    top = max((p.score for p in ten.values()), default=1.0) or 1.0
    orders: dict[str, Callable[[int], float]] = {
        "retrieval": lambda n: -n,
        "best sentence": lambda n: best.get(n, 0.0),
    }

    def by_score(w: float) -> Callable[[int], float]:
        return lambda n: best.get(n, 0.0) + w * ten[n].score / top

    def by_rank(w: float) -> Callable[[int], float]:
        return lambda n: best.get(n, 0.0) + w * (1 - (n - 1) / 10)

    orders.update({f"+ {w} x score": by_score(w) for w in (0.25, 0.5, 1.0)})
    orders.update({f"+ {w} x rank": by_rank(w) for w in (0.1, 0.2, 0.4)})
    return orders


def ranks(cache: Path, sets: Sequence[str], answer_k: int) -> None:
    vectors = CachedEmbedder(build_embedder(eval_settings(cache, "x")), cache / "vectors.pkl")
    answerer = ExtractiveAnswerer(vectors)
    plain = ExtractiveAnswerer(vectors, rank_weight=0.0)
    for name in sets:
        items: list[Item] = [i for i in cached(cache / f"{name}-k10.pkl", list) if i.answerable]
        table: Counter[tuple[str, bool]] = Counter()
        hits: Counter[tuple[str, int]] = Counter()
        for item in items:
            numbered = dict(enumerate(item.passages[:answer_k], start=1))
            first = next((n for n, p in numbered.items() if p.chunk.doc_id in item.gold_docs), 0)
            table[(_bucket(first), cause(name, item, answerer, numbered) == "ok")] += 1
            ten = dict(enumerate(item.passages[:10], start=1))
            best: dict[int, float] = {}
            for s in plain.score_sentences(item.question, ten):
                best[s.n] = max(best.get(s.n, 0.0), s.relevance)
            orders = _orders(ten, best)
            for label, key in orders.items():
                order = sorted(ten, key=key, reverse=True)
                for k in (1, 3):
                    hits[(label, k)] += bool(
                        {ten[n].chunk.doc_id for n in order[:k]} & item.gold_docs
                    )
        print(f"{name}: {len(items)} answerable")
        for bucket in ("1", "2-3", "4+", "not read"):
            total = table[(bucket, True)] + table[(bucket, False)]
            ok = table[(bucket, True)]
            print(f"  first gold at {bucket:<8} {total:>4}  ok {ok:>4}  {ok / max(total, 1):.3f}")
        for label in _orders({}, {}):
            h1, h3 = (hits[(label, k)] / len(items) for k in (1, 3))
            print(f"  order by {label:<16} Hits@1 {h1:.3f}  Hits@3 {h3:.3f}")
    vectors.save()


def _last_sentence(question: str) -> str:
    spans = split_sentences(question)
    return question[spans[-1][0] : spans[-1][1]] if len(spans) > 1 else question


FORMS: dict[str, Callable[[str], str]] = {
    "as asked": lambda q: q,
    "wh-word stripped": lambda q: _WH.sub("", q).rstrip("?"),
    "time words stripped": lambda q: " ".join(_TIME.sub(" ", q).split()),
    "last sentence": _last_sentence,
}


def _doc_ids(services: Services, form: str, question: str) -> list[str]:
    def search(text: str) -> list[Passage]:
        return services.retriever.search(
            text, 20 if form.startswith("both") else 10, SearchFilters()
        )

    if not form.startswith("both"):
        return [p.chunk.doc_id for p in search(FORMS[form](question))]
    whole = [p.chunk.doc_id for p in search(question)]
    last = _last_sentence(question)
    if last == question:
        return whole
    weight = float(form.split(":")[1])
    fused = reciprocal_rank_fusion([whole, [p.chunk.doc_id for p in search(last)]], [1.0, weight])
    return [doc for doc, _ in fused]


def forms(data: Path) -> None:
    embedder = build_embedder(eval_settings(REPO / "var" / "realtimeqa", "realtimeqa"))
    rtqa = prepare_services(eval_settings(REPO / "var" / "realtimeqa", "realtimeqa"), embedder)
    kept = dict(ingest(rtqa, [data / "corpus.jsonl"]).duplicates)
    questions = [(q["question"], set(gold)) for q, gold in answerable_rtqa(data, kept)]
    sample = REPO / "eval" / "data" / "multihop-rag-sample"
    multihop = prepare_services(eval_settings(REPO / "var" / "multihop", "multihop"), embedder)
    ingest(multihop, [sample / "corpus.jsonl"])
    queries = [
        (q["query"], set(map(str, q["gold_doc_ids"])))
        for line in (sample / "dev.jsonl").read_text().splitlines()
        if (q := json.loads(line))["question_type"] != "null_query"
    ]
    for form in [*FORMS, "both:1.0", "both:0.5"]:
        rt: Counter[int] = Counter()
        for question, gold in questions:
            docs = _doc_ids(rtqa, form, question)
            for k in (1, 3, 4, 10):
                rt[k] += bool(gold & set(docs[:k]))
        mh: Counter[int] = Counter()
        for question, gold in queries:
            docs = _doc_ids(multihop, form, question)
            for k in (4, 10):
                mh[k] += len(gold & set(docs[:k])) / len(gold)  # type: ignore[assignment]
        line = " / ".join(f"{rt[k] / len(questions):.3f}" for k in (1, 3, 4, 10))
        print(f"{form:<20} RTQA Hits@1/3/4/10 {line}   MultiHop doc Hits@4/10 "
              f"{mh[4] / len(queries):.3f} / {mh[10] / len(queries):.3f}", flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    by_rank = sub.add_parser("ranks", help="answers by the gold passage's rank; re-orderings")
    by_rank.add_argument("--cache", type=Path, default=Path("/tmp/answers-sweep"))
    by_rank.add_argument("--sets", default="rtqa,rtqa-asof")
    by_rank.add_argument("--answer-k", type=int, default=8)
    rewritten = sub.add_parser("forms", help="Hits for rewritten questions (live retrieval)")
    rewritten.add_argument("--data", type=Path, required=True, help="realtimeqa-dev directory")
    args = parser.parse_args()
    if args.command == "ranks":
        ranks(args.cache, args.sets.split(","), args.answer_k)
    else:
        forms(args.data)


if __name__ == "__main__":
    main()
