"""The worker threads that run the core's blocking work, with backpressure
(admission) and deadlines.

The event loop only awaits: decoding, ONNX Runtime, OpenCV and the store run
on these threads (they release the GIL), so one slow call never holds up the
loop that answers health checks and small RPCs.

A slot is taken when a request is admitted and given back by the worker thread
itself when the work really ends: cancelling an RPC cannot stop a thread that
is inside ONNX Runtime, so its slot must stay taken until the thread is done,
or a burst of cancelled calls would pile up unbounded work.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from aurum_ml.errors import AurumError, DeadlineExceeded, Overloaded
from aurum_ml.runtime.session_pool import mark_background_thread

T = TypeVar("T")
log = logging.getLogger(__name__)


class Admission:
    """At most ``limit`` requests admitted (running or queued) at once."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("the admission limit must be at least 1")
        self.limit = limit
        self._lock = threading.Lock()
        self._taken = 0
        #: Requests admitted since start.
        self.admitted = 0

    @property
    def in_flight(self) -> int:
        return self._taken

    def acquire(self) -> None:
        with self._lock:
            if self._taken >= self.limit:
                raise Overloaded(
                    f"the server is busy ({self.limit} requests in progress); retry with backoff"
                )
            self._taken += 1
            self.admitted += 1

    def release(self) -> None:
        with self._lock:
            if self._taken <= 0:
                raise RuntimeError("admission slot released twice")
            self._taken -= 1


class Deadline:
    """When a request's work stops being useful; checked between pipeline stages."""

    __slots__ = ("_abandoned", "at")

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds
        self._abandoned = False

    @classmethod
    def never(cls) -> Deadline:
        return cls(float("inf"))

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def abandon(self) -> None:
        """The caller stopped waiting: the work should stop at its next check."""
        self._abandoned = True

    def check(self) -> None:
        if self._abandoned or time.monotonic() >= self.at:
            raise DeadlineExceeded("the request's deadline passed before the work finished")


def _after_abandoned(future: asyncio.Future[Any]) -> None:
    """The work of a call whose caller gave up has ended. Its outcome has no
    one to go to: take it, so asyncio does not log "Future exception was never
    retrieved" with a traceback, and say in one line how it ended."""
    if future.cancelled():
        return
    exc = future.exception()
    if exc is None or isinstance(exc, AurumError):
        how = "finished" if exc is None else f"stopped: {type(exc).__name__}"
        log.info("work of an abandoned call %s", how)
    else:
        # A bug is a bug whether or not anyone still waits for the answer.
        log.error("work of an abandoned call failed", exc_info=exc)


#: How much lower background threads run (Linux nice steps): at 10 the
#: scheduler gives a normal thread about ten times their share of a busy core.
BACKGROUND_NICENESS = 10


def _start_background_thread() -> None:
    mark_background_thread()
    # On Linux, PRIO_PROCESS with a thread id sets that one thread's niceness;
    # elsewhere the thread keeps normal priority.
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICENESS)


class WorkerPool:
    """A bounded thread pool behind an admission limit; a second, smaller one
    at lower priority for background work (queued jobs), so a burst of jobs
    takes idle CPU and leaves callers waiting on a socket theirs; and a lane
    for calls on large images.

    The lane is what keeps small calls quick beside big ones: the pool's
    queue is first come, first served, so sixteen 25 Mpx images (0.3 s each)
    queued ahead of a Detect held it up for seconds. Large images now queue
    behind each other on their own threads and small calls find the pool's
    threads free.
    """

    def __init__(
        self,
        workers: int,
        max_pending: int,
        max_request_s: float,
        background_workers: int = 0,
        large_workers: int = 1,
    ) -> None:
        self.admission = Admission(max_pending)
        self.max_request_s = max_request_s
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="aurum-work")
        self._large = ThreadPoolExecutor(
            max_workers=large_workers, thread_name_prefix="aurum-large"
        )
        # Work that only waits on the face store (a socket to its process or
        # a server) runs here, so a busy store never holds the threads that
        # Detect and Embed need. It uses no CPU of its own: admission bounds it.
        self._store_executor = ThreadPoolExecutor(
            max_workers=max(2, workers), thread_name_prefix="aurum-store"
        )
        self._background = (
            ThreadPoolExecutor(
                max_workers=background_workers,
                thread_name_prefix="aurum-background",
                initializer=_start_background_thread,
            )
            if background_workers
            else None
        )

    async def run(
        self,
        fn: Callable[[Deadline], T],
        timeout: float | None,
        *,
        wait: bool = False,
        background: bool = False,
        large: bool = False,
        store: bool = False,
    ) -> T:
        """Run ``fn`` on a worker thread under admission control and a deadline.

        ``timeout`` is the client's remaining time, capped by ``max_request_s``.
        The worker frees the admission slot when it really finishes, even if
        the caller gave up (deadline or cancellation) before. A full pool
        refuses the call (Overloaded), or with ``wait`` (queued jobs, which
        have no client waiting on a socket) the call waits for a slot within
        its deadline. ``background`` runs it on the low-priority threads
        (where the pool has them), ``large`` on the large-image lane, ``store``
        (work that only waits on the face store) on threads of its own.
        """
        cap = self.max_request_s
        budget = cap if timeout is None else max(0.0, min(timeout, cap))
        deadline = Deadline(budget)
        if wait:
            await self._wait_for_slot(deadline)
        else:
            self.admission.acquire()

        def work() -> T:
            try:
                deadline.check()
                return fn(deadline)
            except BaseException as e:
                # The exception goes back to the loop, where the doors' error
                # handling can keep it in reference cycles that only a full
                # garbage collection breaks. Its traceback's frames still
                # hold the work's locals (a decoded 25 Mpx image is 75 MB):
                # cleared here, each failed call kept them until then. The
                # traceback itself (files, lines) stays for the log.
                traceback.clear_frames(e.__traceback__)
                raise
            finally:
                self.admission.release()

        loop = asyncio.get_running_loop()
        if background and self._background:
            executor = self._background
        elif store:
            executor = self._store_executor
        else:
            executor = self._large if large else self._executor
        try:
            future = loop.run_in_executor(executor, work)
        except BaseException:
            self.admission.release()
            raise
        try:
            # What is left of the budget: time spent waiting for a slot counts.
            # asyncio.timeout rather than wait_for: 3.11's wait_for keeps a
            # failed call's exception in a reference cycle through its frame.
            async with asyncio.timeout(max(0.0, deadline.remaining())):
                return await asyncio.shield(future)
        except TimeoutError:
            deadline.abandon()
            future.add_done_callback(_after_abandoned)
            raise DeadlineExceeded(
                f"the request did not finish within its deadline ({budget:.3g} s)"
            ) from None
        except asyncio.CancelledError:
            deadline.abandon()
            future.add_done_callback(_after_abandoned)
            raise
        finally:
            # The exception's traceback holds this frame, and the frame would
            # hold the future holding the exception: a cycle.
            del future

    async def _wait_for_slot(self, deadline: Deadline) -> None:
        # Polling with a short, growing sleep (5 to 50 ms): slots free up at
        # the pace of model runs, and a queue of waiters on a lock would give
        # jobs priority over RPC callers, who are refused rather than queued.
        pause = 0.005
        while True:
            try:
                self.admission.acquire()
                return
            except Overloaded:
                if deadline.remaining() <= pause:
                    raise
                await asyncio.sleep(pause)
                pause = min(pause * 2, 0.05)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._large.shutdown(wait=True, cancel_futures=True)
        self._store_executor.shutdown(wait=True, cancel_futures=True)
        if self._background is not None:
            self._background.shutdown(wait=True, cancel_futures=True)
