"""Give the heap memory freed after a burst of work back to the operating system.

glibc keeps freed memory in its arenas, one per thread that allocated it, and
only trims the top of the main one by itself. After a burst (decoded images,
ONNX Runtime activations, queued request bodies) the process would sit at its
burst size for good. ``malloc_trim(0)`` hands every free page of every arena
back. It runs only after a whole interval in which no request came in and none
was in flight, so it does not compete with steady traffic; and only on glibc,
elsewhere this is a no-op.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import logging
import os
from collections.abc import Callable

log = logging.getLogger(__name__)


def _load_malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        trim = libc.malloc_trim  # glibc only: musl and macOS have none
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


_MALLOC_TRIM = _load_malloc_trim()


def rss_bytes() -> int:
    """The process's resident memory now; 0 where /proc is not there."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def trim_heap() -> bool:
    """Return free heap pages to the OS; False where the C library cannot."""
    if _MALLOC_TRIM is None:
        return False
    # ctypes releases the GIL for the call, so other threads keep running.
    _MALLOC_TRIM(0)
    return True


class IdleHeapTrimmer:
    """Trims the heap once the server has been idle for ``interval_s`` after work.

    ``in_flight`` counts requests being handled now and ``started`` all
    requests so far. A trim needs a full quiet interval (``started`` unchanged
    since the previous look and nothing in flight) and some work since the last
    trim; a server that is merely between two requests is not idle.

    Before trimming it runs a full garbage collection: a failed call's
    exception sits in reference cycles (asyncio futures, grpc's and FastAPI's
    handlers) holding its request, up to 8 MiB, until one runs, and memory
    still referenced cannot be given back.
    """

    def __init__(
        self,
        in_flight: Callable[[], int],
        started: Callable[[], int],
        interval_s: float,
        collect: Callable[[], object] = gc.collect,
    ) -> None:
        if interval_s <= 0:
            raise ValueError("interval_s must be positive")
        self._collect = collect
        self._in_flight = in_flight
        self._admitted = started
        self.interval_s = interval_s
        self.trims = 0

    @property
    def available(self) -> bool:
        return _MALLOC_TRIM is not None

    async def run(self) -> None:
        if not self.available:
            log.info("heap trimming unavailable (no glibc malloc_trim)")
            return
        trimmed_at = previous = self._admitted()
        while True:
            await asyncio.sleep(self.interval_s)
            seen = self._admitted()
            quiet = seen == previous and self._in_flight() == 0
            previous = seen
            if quiet and seen != trimmed_at:
                self._collect()  # after start-up's gc.freeze(): milliseconds
                await asyncio.to_thread(trim_heap)
                self.trims += 1
                log.debug("idle: collected garbage and trimmed the heap")
                trimmed_at = seen
