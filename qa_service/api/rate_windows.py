"""Fixed one-minute rate-limit windows: in process, or shared by the ``QA_WORKERS`` processes.

Each worker has its own app, so in-process counters would let a key spend its budget once per
worker. ``serve_workers`` creates one table in shared memory before it starts the workers and
hands it to each (``install``); every limiter of that server then counts in it. The table is an
open-addressing hash of ``(key hash, units used, window end)`` slots behind one process-shared
lock: a probe of a few slots per request, no I/O, no server.
"""

from __future__ import annotations

import ctypes
import hashlib
import multiprocessing
import time
from dataclasses import dataclass
from multiprocessing.sharedctypes import SynchronizedArray
from typing import Any

WINDOW_S = 60
SLOTS = 1 << 16  # keys and addresses seen in one minute; 1.5 MiB of shared memory
PROBES = 32
_FIELDS = 3  # key hash (0: empty), units used, window end (epoch seconds)
_table: SharedWindows | None = None


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_s: int  # seconds until the window ends

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Policy": f"{self.limit}; w={WINDOW_S}",
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_s),
        }


class FixedWindows:
    """Fixed one-minute windows, one ``[units used, window end]`` pair per key.

    A count and an end rather than a list of timestamps (what Litestar's limiter keeps and
    re-encodes per request: ~10% of the server's time at a high limit, in a py-spy profile)."""

    def __init__(self) -> None:
        self._windows: dict[str, list[int]] = {}
        self._prune_at = 1024

    def _window(self, key: str, now: int) -> list[int]:
        window = self._windows.get(key)
        if window is None or window[1] <= now:
            self._prune(now)
            window = self._windows[key] = [0, now + WINDOW_S]
        return window

    def take(self, key: str, limit: int, cost: int = 1) -> Decision:
        """Spend ``cost`` units if they fit in the window (no await: atomic on the event loop)."""
        now = int(time.time())
        window = self._window(key, now)
        allowed = window[0] + cost <= limit
        if allowed:
            window[0] += cost
        return Decision(allowed, limit, max(0, limit - window[0]), window[1] - now)

    def exhausted(self, key: str, limit: int) -> Decision | None:
        """The refusal if ``key`` has no unit left, else None (nothing is spent)."""
        now = int(time.time())
        window = self._windows.get(key)
        if window is None or window[1] <= now or window[0] < limit:
            return None
        return Decision(False, limit, 0, window[1] - now)

    def _prune(self, now: int) -> None:
        """Forget ended windows once the table has doubled: amortised O(1) per request."""
        if len(self._windows) >= self._prune_at:
            self._windows = {k: w for k, w in self._windows.items() if w[1] > now}
            self._prune_at = max(1024, 2 * len(self._windows))


def create_table(context: Any = None) -> SynchronizedArray[Any]:
    """The shared array, from the multiprocessing context that will start the workers."""
    array: SynchronizedArray[Any] = (context or multiprocessing).Array(
        ctypes.c_int64, SLOTS * _FIELDS
    )
    return array


def install(array: SynchronizedArray[Any]) -> None:
    """In a worker, before its app is built: count in ``array`` from now on."""
    global _table
    _table = SharedWindows(array)


def installed() -> SharedWindows | None:
    return _table


def _key_hash(key: str) -> int:
    value = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little") >> 1
    return value or 1  # 0 marks an empty slot


class SharedWindows:
    """``FixedWindows`` over shared memory: same ``take`` and ``exhausted``."""

    def __init__(self, array: SynchronizedArray[Any]) -> None:
        self._array = array
        self._slots = len(array) // _FIELDS

    def _slot(self, raw: Any, key_hash: int, now: int, claim: bool) -> int | None:
        """Index of ``key_hash``'s live slot; with ``claim``, a fresh one if it has none."""
        free = None
        start = key_hash % self._slots
        for probe in range(PROBES):
            i = (start + probe) % self._slots * _FIELDS
            if raw[i] == key_hash and raw[i + 2] > now:
                return i
            if free is None and (raw[i] == 0 or raw[i + 2] <= now):
                free = i
        if not claim:
            return None
        # 32 live keys in a row (a table near full): reuse the home slot, which restarts the
        # window of the key that held it; lenient, never a wrong 429
        i = free if free is not None else start * _FIELDS
        raw[i], raw[i + 1], raw[i + 2] = key_hash, 0, now + WINDOW_S
        return i

    def take(self, key: str, limit: int, cost: int = 1) -> Decision:
        now = int(time.time())
        with self._array.get_lock():
            raw: Any = self._array.get_obj()
            i = self._slot(raw, _key_hash(key), now, claim=True)
            assert i is not None
            allowed = raw[i + 1] + cost <= limit
            if allowed:
                raw[i + 1] += cost
            used, end = raw[i + 1], raw[i + 2]
        return Decision(allowed, limit, max(0, limit - used), end - now)

    def exhausted(self, key: str, limit: int) -> Decision | None:
        now = int(time.time())
        with self._array.get_lock():
            raw: Any = self._array.get_obj()
            i = self._slot(raw, _key_hash(key), now, claim=False)
            if i is None or raw[i + 1] < limit:
                return None
            end = raw[i + 2]
        return Decision(False, limit, 0, end - now)
