"""Abstention trade-off of the extractive answerer, without HTTP: retrieve once, answer many times.

    PYTHONPATH=$PWD .venv/bin/python -m bench.answer_sweep --top-k 10 [--answer-k 5]
        [--sets golden,multihop,rtqa,rtqa-asof] [--thresholds 0.35]
        [--set paraphrase_similarity=0.5]

Retrieves ``top_k`` passages per question with the service's own retriever (golden seeds with
their ``as_of``, MultiHop dev, RealTimeQA dev answerable questions without and with the quiz date
as ``as_of``: ``rtqa``/``rtqa-asof``), caches them under ``--cache``, then runs the extractive
answerer over the first ``--answer-k`` cached passages (what ``/v1/ask`` with that ``top_k``
gets) for each ``min_relevance`` threshold and each ``--set`` override, and prints false
abstention (answerable questions), trap abstention (golden traps, MultiHop null queries) and
answer quality: the same numbers as the eval harness. Sentence vectors are cached too
(``vectors.pkl``), so a sweep point takes seconds. The curve in docs/benchmarks.md comes from this
script; ``bench.answer_failures`` reads the same cache. Nothing of the unlicensed RealTimeQA set
is written anywhere but the cache directory (outside the repository).
"""

from __future__ import annotations

import argparse
import json
import pickle
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from eval.inprocess import eval_settings, ingest, prepare_services
from eval.multihop_metrics import answer_matches
from eval.realtimeqa_metrics import contains_answer
from eval.report import REPO
from qa_service.container import Services, build_embedder
from qa_service.core.extractive import ExtractiveAnswerer
from qa_service.core.models import Passage, SearchFilters
from qa_service.core.ports import Embedder

THRESHOLDS = (0.0, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45)


@dataclass
class Item:
    question: str
    answerable: bool
    gold: str  # answer string (external sets) or '|'-joined key facts (golden)
    gold_docs: frozenset[str]
    passages: list[Passage]


def _retrieve(
    services: Services, question: str, top_k: int, filters: SearchFilters
) -> list[Passage]:
    return services.retriever.search(question, top_k, filters)


def golden_items(embedder: Embedder, top_k: int) -> list[Item]:
    store = Path(tempfile.mkdtemp(prefix="answers-golden-"))
    services = prepare_services(eval_settings(store, "eval"), embedder)
    ingest(services, [REPO / "data" / "articles"])
    items = []
    for line in (REPO / "eval" / "golden" / "seeds.jsonl").read_text().splitlines():
        q = json.loads(line)
        when = q.get("as_of") or q.get("date")
        filters = SearchFilters(as_of=date.fromisoformat(when[:10])) if when else SearchFilters()
        items.append(
            Item(q["question"], q["answerable"], "|".join(q["key_facts"]),
                 frozenset(q["expected_doc_ids"]),
                 _retrieve(services, q["question"], top_k, filters))
        )  # fmt: skip
    return items


def multihop_items(embedder: Embedder, top_k: int) -> list[Item]:
    data = REPO / "eval" / "data" / "multihop-rag-sample"
    services = prepare_services(eval_settings(REPO / "var" / "multihop", "multihop"), embedder)
    ingest(services, [data / "corpus.jsonl"])
    items = []
    for line in (data / "dev.jsonl").read_text().splitlines():
        q = json.loads(line)
        null = q["question_type"] == "null_query"
        items.append(
            Item(q["query"], not null, q["answer"], frozenset(q["gold_doc_ids"]),
                 _retrieve(services, q["query"], top_k, SearchFilters()))
        )  # fmt: skip
    return items


def rtqa_items(
    embedder: Embedder, top_k: int, data: Path, window: int, as_of: bool = False
) -> list[Item]:
    services = prepare_services(eval_settings(REPO / "var" / "realtimeqa", "realtimeqa"), embedder)
    report = ingest(services, [data / "corpus.jsonl"])
    items = []
    for q, docs in answerable_rtqa(data, dict(report.duplicates)):
        filters = SearchFilters()
        if as_of and q.get("date"):
            filters = SearchFilters(as_of=date.fromisoformat(q["date"][:10]))
        if window and q.get("date"):
            day = date.fromisoformat(q["date"][:10])
            filters = SearchFilters(
                published_after=day - timedelta(days=window), published_before=day
            )
        items.append(
            Item(q["question"], True, str(q["answer"]), docs,
                 _retrieve(services, q["question"], top_k, filters))
        )  # fmt: skip
    return items


def answerable_rtqa(
    data: Path, kept: Mapping[str, str]
) -> list[tuple[dict[str, Any], frozenset[str]]]:
    """The dev questions whose answer string is in a gold passage, each with its gold ids and
    the ids ingest kept for them (``kept``: a collapsed near-duplicate's id -> the kept one)."""
    corpus = {}
    for line in (data / "corpus.jsonl").read_text().splitlines():
        record = json.loads(line)
        corpus[record["doc_id"]] = record.get("text") or ""
    found = []
    for line in (data / "dev.jsonl").read_text().splitlines():
        q = json.loads(line)
        gold = [str(d) for d in q["gold_doc_ids"]]
        if any(contains_answer(corpus.get(d, ""), str(q["answer"])) for d in gold):
            found.append((q, frozenset(gold) | frozenset(kept.get(d, d) for d in gold)))
    return found


def cached(path: Path, build):
    if path.is_file():
        return pickle.loads(path.read_bytes())
    items = build()
    path.write_bytes(pickle.dumps(items))
    return items


def score(
    name: str, items: list[Item], answerer: ExtractiveAnswerer, answer_k: int = 0
) -> dict[str, float]:
    answered = abstained_ok = false_abstain = good = cites = words = traps = 0
    answerable = sum(i.answerable for i in items)
    for item in items:
        passages = item.passages[:answer_k] if answer_k else item.passages
        numbered = {n: p for n, p in enumerate(passages, start=1)}
        result = answerer.compose(item.question, numbered)
        if not item.answerable:
            traps += 1
            abstained_ok += result.abstained
            continue
        if result.abstained:
            false_abstain += 1
            continue
        answered += 1
        words += len(result.text.split())
        cited = {numbered[s.n].chunk.doc_id for s in result.sentences}
        cite_gold = bool(cited & item.gold_docs)
        if name == "golden":
            facts = [f for f in item.gold.split("|") if f]
            ok = all(f.casefold() in result.text.casefold() for f in facts)
        elif name == "multihop":
            ok = answer_matches(result.text, item.gold)
        else:
            ok = contains_answer(result.text, item.gold)
        good += ok and (cite_gold or name == "multihop")
        cites += cite_gold
    out = {
        "false_abst": false_abstain / answerable if answerable else float("nan"),
        "good": good / answerable if answerable else float("nan"),
        "cites_gold": cites / answerable if answerable else float("nan"),
        "words": words / answered if answered else 0.0,
    }
    if traps:
        out["trap_abst"] = abstained_ok / traps
    return out


class CachedEmbedder:
    """The packaged embedder behind a text → vector file cache, so sweeps re-embed nothing."""

    def __init__(self, inner: Embedder, path: Path) -> None:
        self._inner = inner
        self._path = path
        self._vectors: dict[str, np.ndarray] = (
            pickle.loads(path.read_bytes()) if path.is_file() else {}
        )
        self._dirty = False

    @property
    def model_id(self) -> str:
        return self._inner.model_id

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if missing:
            fresh = self._inner.embed(missing)
            self._vectors.update(
                zip(missing, (np.asarray(v, dtype=np.float32) for v in fresh), strict=True)
            )
            self._dirty = True
        return [self._vectors[t].tolist() for t in texts]

    def save(self) -> None:
        if self._dirty:
            self._path.write_bytes(pickle.dumps(self._vectors))
            self._dirty = False


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rtqa", type=Path, default=Path("/work/shared/benchmarks/realtimeqa-dev"))
    parser.add_argument("--window-days", type=int, default=0)
    parser.add_argument("--top-k", type=int, default=5)
    parser.add_argument(
        "--answer-k", type=int, default=5, help="passages the answerer sees (<= --top-k)"
    )
    parser.add_argument("--cache", type=Path, default=Path("/tmp/answers-sweep"))
    parser.add_argument("--sets", default="golden,multihop,rtqa,rtqa-asof")
    parser.add_argument("--thresholds", default=",".join(map(str, THRESHOLDS)))
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        help="answerer attribute=value (e.g. subject_weight=0.3), repeatable",
    )
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    embedder = build_embedder(eval_settings(args.cache, "x"))
    builders = {
        "golden": lambda: golden_items(embedder, args.top_k),
        "multihop": lambda: multihop_items(embedder, args.top_k),
        "rtqa": lambda: rtqa_items(embedder, args.top_k, args.rtqa, args.window_days),
        "rtqa-asof": lambda: rtqa_items(embedder, args.top_k, args.rtqa, 0, as_of=True),
    }
    sets = {}
    for name in args.sets.split(","):
        suffix = f"-w{args.window_days}" if name == "rtqa" and args.window_days else ""
        sets[name] = cached(args.cache / f"{name}{suffix}-k{args.top_k}.pkl", builders[name])
    vectors = CachedEmbedder(embedder, args.cache / "vectors.pkl")
    base = ExtractiveAnswerer(vectors)
    for assignment in args.set:
        override(base, assignment)
        print(assignment, flush=True)
    for threshold in (float(t) for t in args.thresholds.split(",")):
        answerer = replace_threshold(base, threshold)
        cells = []
        for name, items in sets.items():
            s = score(name, items, answerer, args.answer_k)
            cells.append(name + " " + " ".join(f"{k}={v:.3f}" for k, v in s.items()))
        print(f"min_relevance={threshold:.2f} | " + " | ".join(cells), flush=True)
        vectors.save()


def override(answerer: ExtractiveAnswerer, assignment: str) -> None:
    """``attribute=value`` (``--set``), the value read as the attribute's type; ``bool("False")``
    is true, so booleans are read by name."""
    name, value = assignment.split("=", 1)
    kind = type(getattr(answerer, name))
    if kind is bool:
        if value.lower() not in ("true", "false"):
            raise SystemExit(f"--set {name}: true or false, not {value!r}")
        setattr(answerer, name, value.lower() == "true")
    else:
        setattr(answerer, name, kind(value))


def replace_threshold(answerer: ExtractiveAnswerer, threshold: float) -> ExtractiveAnswerer:
    answerer.min_relevance = threshold
    return answerer


if __name__ == "__main__":
    main()
