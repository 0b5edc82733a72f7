"""``python -m ingest PATH... --executor ray``: the ingest job with its per-record and per-chunk
stages spread over a Ray cluster by Ray Data, and the same results as the local job.

Ray Data reads the input files, summarises pages for site boilerplate, cleans records, chunks
articles and embeds chunks (``map_batches`` on an actor pool: each actor loads the embedder once,
on a CPU or, with ``QA_EMBEDDING_DEVICE=cuda``, a GPU). Everything that spans documents (site
lines, ids used twice, near-duplicates against the run and the archive, shared titles, stale
chunks) is decided by the driver in ``IngestPipeline`` from the workers' small results, exactly as
in one process. Chunks are written in batches as they are embedded: by the workers straight into
the Chroma server (``QA_CHROMA_URL``), or by the driver into an embedded store (one process per
store). The lexical index and the article records are written once by the driver afterwards, so a
killed worker (Ray restarts it and retries its batch) or a failed job leaves at most chunks that
the next run finds already written (docs/architecture.md "Scale-out").
"""

from __future__ import annotations

import logging
import os
import pickle
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import ray
import ray.data
import ray.util

from ingest.executors.ray_tasks import (
    ChunkSink,
    EmbedChunks,
    chunk_batch,
    convert_records,
    read_file,
    summarise_pages,
)
from ingest.job import FileIngest
from ingest.loaders import discover_files, missing_or_unsupported, origin_label
from qa_service.container import Store, build_embedder, build_ingestion, build_store
from qa_service.core.models import Article, Chunk
from qa_service.core.ports import CorpusWriter, Embedder
from qa_service.ingestion.records import RawRecord, Skipped
from qa_service.ingestion.site_boilerplate import site_lines_from
from qa_service.ingestion.stages import Converted, ProgressFn
from qa_service.settings import Settings

BLOCKS_PER_WORKER = 4  # input blocks per worker: enough to keep every worker busy to the end
EMBED_BATCH = 256  # chunks per embed call (as the local job's EMBED_BLOCK)
LOOPBACK = ("127.0.0.1", "localhost")


@contextmanager
def ray_cluster(
    address: str | None = None, workers: int | None = None, resource: str = "CPU"
) -> Iterator[int]:
    """Connected to Ray for the block: the cluster at ``address`` (``auto``, ``ray://host:10001``)
    or, without one, a local instance on ``workers`` (default: all) of this machine's cores.
    Yields how many embed workers to run: ``workers``, else one per ``resource`` (CPU, GPU) of
    the cluster. Shuts down only an instance it started; a connected session is reused."""
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    _bypass_proxy_for_loopback()
    started = not ray.is_initialized()
    if started and address:
        ray.init(address=address, logging_level=logging.WARNING)
    elif started:
        ray.init(
            address="local",  # a new instance, never another one this machine happens to run
            num_cpus=workers or os.cpu_count() or 1,
            include_dashboard=False,
            _node_ip_address=LOOPBACK[0],  # local gRPC stays on loopback, past any HTTP proxy
            logging_level=logging.WARNING,
        )
    _quiet_ray_data()
    try:
        yield workers or max(1, int(ray.cluster_resources().get(resource, 1)))
    finally:
        if started:
            ray.shutdown()


def _bypass_proxy_for_loopback() -> None:
    """Ray's processes talk gRPC to this machine (over loopback, or its own address, which Ray
    puts in place of ``127.0.0.1`` in a cluster address); a configured (even dead) HTTP proxy
    must not take those connections, so both are added to NO_PROXY."""
    own = (*LOOPBACK, ray.util.get_node_ip_address())
    for key in ("NO_PROXY", "no_proxy"):
        hosts = [h for h in os.environ.get(key, "").split(",") if h]
        os.environ[key] = ",".join(hosts + [h for h in dict.fromkeys(own) if h not in hosts])


def _quiet_ray_data() -> None:
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False  # the CLI draws its own bar and prints stage rates
    logging.getLogger("ray.data").setLevel(logging.ERROR)


class RayStages:
    """Implements ``IngestStages`` (and reads the inputs) with Ray Data on the connected cluster."""

    def __init__(
        self,
        settings: Settings,
        model_id: str,
        workers: int,
        make_embedder: Callable[[], Embedder] | None = None,
    ) -> None:
        self._settings = settings
        self._workers = workers
        self._make_embedder = make_embedder or partial(build_embedder, settings)
        self._make_sink: Callable[[], ChunkSink] | None = None
        if settings.chroma_url:  # a server takes parallel writers; an embedded store does not
            self._make_sink = partial(build_store, settings, model_id)

    def read(self, paths: Sequence[Path], max_bytes: int) -> Iterator[RawRecord | Skipped]:
        """``iter_records`` with the files read by Ray workers (records in the same order)."""
        yield from missing_or_unsupported(paths)
        files = [
            {"i": i, "path": str(p), "label": origin_label(p, paths), "max_bytes": max_bytes}
            for i, p in enumerate(discover_files(paths))
        ]
        if not files:
            return
        dataset = ray.data.from_items(files, override_num_blocks=self._blocks(len(files)))
        rows = dataset.flat_map(read_file).take_all()
        for row in sorted(rows, key=lambda r: (r["i"], r["j"])):
            yield pickle.loads(row["blob"])

    def site_lines(self, pages: Sequence[RawRecord]) -> Mapping[str, frozenset[str]]:
        return site_lines_from(self._map(pages, summarise_pages))

    def convert(self, items: Sequence[tuple[RawRecord, frozenset[str]]]) -> list[Converted]:
        return self._map(items, convert_records)

    def chunk(self, articles: Sequence[Article], shared: frozenset[str]) -> list[list[Chunk]]:
        settings = self._settings
        sizes = {"chunk_tokens": settings.chunk_tokens, "chunk_overlap": settings.chunk_overlap}
        titled = [(a, a.title in shared) for a in articles]
        return self._map(titled, chunk_batch, fn_kwargs=sizes)

    def embed_and_upsert(
        self,
        store: CorpusWriter,
        chunks: Sequence[Chunk],
        shared: frozenset[str],
        progress: ProgressFn | None,
    ) -> None:
        total = len(chunks)
        if progress:
            progress("embed", 0, total)
        if not chunks:
            return
        embedded = self._dataset(chunks).map_batches(
            EmbedChunks,
            fn_constructor_kwargs={
                "make_embedder": self._make_embedder,
                "shared": shared,
                "make_sink": self._make_sink,
            },
            batch_size=max(1, min(EMBED_BATCH, -(-total // self._workers))),
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=self._workers),
            num_cpus=1,
            num_gpus=0 if self._settings.embedding_device == "cpu" else 1,
        )
        done = 0
        for batch in embedded.iter_batches(batch_size=None, batch_format="numpy"):
            if self._make_sink is None:  # the driver is the embedded store's only writer
                pairs = [pickle.loads(blob) for blob in batch["blob"]]
                store.upsert_chunks([c for c, _ in pairs], [v.tolist() for _, v in pairs])
            done += len(batch["i"])
            if progress:
                progress("embed", done, total)

    def _blocks(self, rows: int) -> int:
        return max(1, min(rows, BLOCKS_PER_WORKER * self._workers))

    def _dataset(self, values: Sequence[object]) -> ray.data.Dataset:
        rows = [{"i": i, "blob": pickle.dumps(v)} for i, v in enumerate(values)]
        return ray.data.from_items(rows, override_num_blocks=self._blocks(len(rows)))

    def _map(self, values: Sequence[object], fn: Callable[..., Any], **kwargs: Any) -> list[Any]:
        """``fn`` over ``values`` in parallel; the results in the values' order."""
        if not values:
            return []
        mapped = self._dataset(values).map_batches(
            fn, batch_size=None, batch_format="numpy", **kwargs
        )
        return [pickle.loads(r["blob"]) for r in sorted(mapped.take_all(), key=lambda r: r["i"])]


def build_ray_pipeline(
    settings: Settings,
    store: Store,
    embedder: Embedder,
    workers: int,
    make_embedder: Callable[[], Embedder] | None = None,
) -> FileIngest:
    """The file ingest job with its stages on the connected Ray cluster (see ``ray_cluster``).
    ``embedder`` names the vector space in the driver; each worker builds its own embedder with
    ``make_embedder`` (default: from ``settings``)."""
    stages = RayStages(settings, embedder.model_id, workers, make_embedder)
    service = build_ingestion(settings, store, embedder, stages=stages)
    return FileIngest(service, settings.ingest_max_bytes, read=stages.read)


@contextmanager
def ray_job(
    settings: Settings,
    store: Store,
    embedder: Embedder,
    address: str | None = None,
    workers: int | None = None,
) -> Iterator[FileIngest]:
    """``build_ray_pipeline`` inside ``ray_cluster``: the CLI's ``--executor ray``."""
    resource = "CPU" if settings.embedding_device == "cpu" else "GPU"
    with ray_cluster(address, workers, resource) as embed_workers:
        gcs = ray.get_runtime_context().gcs_address
        print(f"ray cluster {gcs}: {embed_workers} embed workers", file=sys.stderr, flush=True)
        yield build_ray_pipeline(settings, store, embedder, embed_workers)
