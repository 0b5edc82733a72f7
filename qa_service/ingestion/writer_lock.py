"""One writer at a time: an exclusive ``flock`` on a file beside the store.

The CLI and every API worker (``QA_WORKERS``) write through the same ingestion service; each run
and each retraction holds this lock, so two pushes (or a push and a CLI run) never interleave their
chunk writes, snapshot rebuilds and signature saves. ``flock`` locks belong to the open file, so
threads of one process exclude each other too, and the kernel drops a killed holder's lock.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def writer_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
