"""Cost of pushing one article into an existing store, through the ingestion service exactly as
``POST /v1/documents`` calls it (in-process, no HTTP). Prints wall and CPU time per push and
whether BM25 finds the article on return.

    QA_EMBEDDER=hashing PYTHONPATH=$PWD .venv/bin/python -m bench.push_cost --store /tmp/big
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from pathlib import Path

from qa_service.container import build_services
from qa_service.core.models import SearchFilters
from qa_service.ingestion.push import PushedDocument, push
from qa_service.settings import Settings


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--pushes", type=int, default=1)
    args = parser.parse_args()
    services = build_services(Settings(chroma_path=args.store))
    service = services.ingestion()
    print("chunks in the store:", services.store.count_chunks(), flush=True)
    rng = random.Random(time.time_ns())
    words = [f"w{rng.randrange(10**9)}" for _ in range(400)]
    for i in range(args.pushes):
        marker = f"Quorvalix{rng.randrange(10**9)}"  # a distinct article every time
        doc = PushedDocument(
            text=f"{marker} " + " ".join(rng.sample(words, 120)) + ".",
            url=f"https://push.example/{marker}",
            title=f"Pushed {i}",
        )
        started, cpu = time.perf_counter(), cpu_seconds()
        [outcome] = push(service, [doc])
        wall, used = time.perf_counter() - started, cpu_seconds() - cpu
        hits = services.lexical.search(marker, 1, SearchFilters())
        found = bool(hits) and services.store.get_chunks([hits[0][0]])[0].doc_id == outcome.doc_id
        print(f"push {i}: {outcome.status}, wall {wall:.1f} s, cpu {used:.1f} s, bm25: {found}")


if __name__ == "__main__":
    main()
