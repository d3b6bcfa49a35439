"""Cross-request micro-batching for one model, inside the runtime.

Callers run in worker threads and call ``run`` as they would on a SessionPool.
Requests that arrive while every session is busy wait in a queue; the next free
session takes all queued requests whose inputs have the same shape (up to
``max_batch`` rows) and runs them as one batch, then hands each caller its own
rows. When a session is idle a request runs at once, so a lone client pays no
added latency; ``max_wait_ms`` can additionally hold a run open for stragglers.

The thread that finds a session free becomes the leader for that batch and
runs it; no extra dispatcher thread (and no extra thread hop) is involved.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from aurum_ml.runtime.session_pool import Feeds, Outputs, SessionPool


@dataclass(eq=False)
class _Item:
    feeds: Feeds
    rows: int
    key: tuple[tuple[str, tuple[int, ...]], ...]
    done: threading.Event = field(default_factory=threading.Event)
    result: Outputs | None = None
    error: BaseException | None = None


def _key(feeds: Feeds) -> tuple[tuple[str, tuple[int, ...]], ...]:
    return tuple(sorted((name, tuple(a.shape[1:])) for name, a in feeds.items()))


@dataclass
class BatchStats:
    runs: int = 0
    items: int = 0
    rows: int = 0
    max_rows: int = 0


class BatchingRunner:
    """A Runner that merges concurrent calls into batched runs of ``pool``."""

    def __init__(self, pool: SessionPool, max_batch: int = 32, max_wait_ms: float = 0.0) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        if max_wait_ms < 0:
            raise ValueError("max_wait_ms must not be negative")
        self.pool = pool
        self.max_batch = max_batch
        self.max_wait_s = max_wait_ms / 1000.0
        self._lock = threading.Condition()
        self._queue: deque[_Item] = deque()
        self._free_sessions = pool.options.pool_size
        self.stats = BatchStats()
        #: Called after every ORT run with (rows, seconds); metrics hook in here.
        self.on_run: Callable[[int, float], None] | None = None

    @property
    def input_names(self) -> list[str]:
        return self.pool.input_names

    @property
    def input_shapes(self) -> list[list[int | str | None]]:
        return self.pool.input_shapes

    @property
    def provider(self) -> str:
        return self.pool.provider

    def queue_depth(self) -> int:
        return len(self._queue)

    def run(self, feeds: Feeds) -> Outputs:
        rows = {int(a.shape[0]) for a in feeds.values()}
        if len(rows) != 1:
            raise ValueError("all inputs of one call must have the same batch size")
        item = _Item(feeds=feeds, rows=rows.pop(), key=_key(feeds))
        with self._lock:
            self._queue.append(item)
            while not item.done.is_set():
                if self._free_sessions > 0 and self._queue and self._queue[0] is item:
                    self._free_sessions -= 1
                    break
                self._lock.wait()
        if not item.done.is_set():
            self._lead(item)
        if item.error is not None:
            raise item.error
        assert item.result is not None  # set together with done
        return item.result

    def _take_batch(self, first: _Item) -> list[_Item]:
        """Under the lock: the first item plus queued items of the same shape."""
        batch = [first]
        self._queue.remove(first)
        rows = first.rows
        for other in list(self._queue):
            if rows >= self.max_batch:
                break
            if other.key == first.key and rows + other.rows <= self.max_batch:
                self._queue.remove(other)
                batch.append(other)
                rows += other.rows
        return batch

    def _lead(self, first: _Item) -> None:
        if self.max_wait_s > 0:
            deadline = time.monotonic() + self.max_wait_s
            with self._lock:
                while (
                    sum(i.rows for i in self._queue if i.key == first.key) < self.max_batch
                    and (left := deadline - time.monotonic()) > 0
                ):
                    self._lock.wait(left)
        with self._lock:
            batch = self._take_batch(first)
        try:
            self._run_batch(batch)
        finally:
            with self._lock:
                self._free_sessions += 1
                # Wake everyone: the new head of the queue takes the free session,
                # the finished callers return.
                self._lock.notify_all()

    def _run_batch(self, batch: list[_Item]) -> None:
        total = sum(i.rows for i in batch)
        started = time.perf_counter()
        try:
            if len(batch) == 1:
                outputs = self.pool.run(batch[0].feeds)
            else:
                names = batch[0].feeds.keys()
                merged = {n: np.concatenate([i.feeds[n] for i in batch], axis=0) for n in names}
                outputs = self.pool.run(merged)
        except BaseException as e:
            if len(batch) == 1:
                batch[0].error = e
            else:
                # One bad request must fail alone: retry each on its own.
                for item in batch:
                    try:
                        item.result = self.pool.run(item.feeds)
                    except BaseException as each:
                        item.error = each
        else:
            self._split(batch, outputs, total)
        finally:
            self.stats.runs += 1
            self.stats.items += len(batch)
            self.stats.rows += total
            self.stats.max_rows = max(self.stats.max_rows, total)
            if self.on_run is not None:
                self.on_run(total, time.perf_counter() - started)
            for item in batch:
                item.done.set()

    @staticmethod
    def _split(batch: list[_Item], outputs: Outputs, total: int) -> None:
        if len(batch) == 1:
            batch[0].result = outputs
            return
        start = 0
        per_item: list[Outputs] = [[] for _ in batch]
        offsets = []
        for item in batch:
            offsets.append((start, item.rows))
            start += item.rows
        for out in outputs:
            # Outputs whose first axis is not the batch (rows-per-item x batch)
            # are split proportionally.
            factor = out.shape[0] // total if total and out.shape[0] % total == 0 else 0
            for k, (s, n) in enumerate(offsets):
                per_item[k].append(out[s * factor : (s + n) * factor] if factor else out)
        for item, res in zip(batch, per_item, strict=True):
            item.result = res
