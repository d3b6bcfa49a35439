"""Backpressure and deadlines for work handed to the worker threads.

A slot is taken when a request is admitted and given back by the worker thread
itself when the work really ends: cancelling an RPC cannot stop a thread that
is inside ONNX Runtime, so its slot must stay taken until the thread is done,
or a burst of cancelled calls would pile up unbounded work.
"""

from __future__ import annotations

import threading
import time

from aurum_ml.errors import DeadlineExceeded, Overloaded


class Admission:
    """At most ``limit`` requests admitted (running or queued) at once."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("the admission limit must be at least 1")
        self.limit = limit
        self._lock = threading.Lock()
        self._taken = 0
        self.rejected = 0
        #: Requests admitted since start.
        self.admitted = 0

    @property
    def in_flight(self) -> int:
        return self._taken

    def acquire(self) -> None:
        with self._lock:
            if self._taken >= self.limit:
                self.rejected += 1
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
