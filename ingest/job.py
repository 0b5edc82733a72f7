"""The ingest job over files: the loaders feeding the ingestion service (qa_service.ingestion)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from ingest.loaders import iter_records
from qa_service.container import Store, build_ingestion
from qa_service.core.models import Article
from qa_service.core.ports import Embedder
from qa_service.ingestion.loading import load_articles
from qa_service.ingestion.pipeline import IngestPipeline, IngestReport, ProgressFn
from qa_service.ingestion.records import RawRecord, Skipped
from qa_service.settings import Settings

ReadFn = Callable[[Sequence[Path], int], Iterable[RawRecord | Skipped]]


class FileIngest:
    """``run(paths)``: every supported file under ``paths`` through the ingestion service.
    ``read``: how the files become records (here, or on Ray workers: ``executors.ray``)."""

    def __init__(
        self, service: IngestPipeline, max_bytes: int, read: ReadFn = iter_records
    ) -> None:
        self.service = service
        self.max_bytes = max_bytes
        self.read = read

    def run(self, paths: Sequence[Path], progress: ProgressFn | None = None) -> IngestReport:
        return self.service.run(self.read(paths, self.max_bytes), progress)


def build_pipeline(settings: Settings, store: Store, embedder: Embedder) -> FileIngest:
    """The file ingest job as configured by ``QA_*`` settings (CLI flags override them)."""
    return FileIngest(build_ingestion(settings, store, embedder), settings.ingest_max_bytes)


def load_files(paths: Sequence[Path], max_bytes: int, report: IngestReport) -> list[Article]:
    """The cleaned articles under ``paths``, no store involved (benchmarks)."""
    return load_articles(iter_records(paths, max_bytes=max_bytes), report)
