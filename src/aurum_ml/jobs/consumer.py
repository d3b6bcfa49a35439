"""The job-queue door: a BullMQ consumer of `faceScoring` jobs over the same core
as gRPC and REST.

BullMQ's Lua scripts are the protocol: Python bullmq 3.4.x shares them with
Node bullmq 6.x (README, "Job queue"). The processor runs on the event loop
(Python bullmq is asyncio), so everything heavy goes to the core's worker
threads and lock renewal never stalls. A job takes a worker slot like a
request but waits for one instead of being refused, and at most
``queue_concurrency`` jobs run at once, so RPC callers keep the rest of the
pool.

Failures: bad input, no face, a gallery of another model fail at once
(UnrecoverableError: no retries, whatever the job's attempts); an outage
(model or store unavailable, server busy, deadline) fails the attempt so
BullMQ retries it with the producer's backoff. A stalled job (its worker
died) is moved back to wait by the stalled check of any live consumer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import urllib.parse
from typing import Any

from bullmq import Queue, UnrecoverableError, Worker

from aurum_ml.core import Core
from aurum_ml.errors import INTERNAL_MESSAGE, AurumError
from aurum_ml.jobs.contract import parse_job, result_json
from aurum_ml.observability import Metrics
from aurum_ml.settings import Settings

log = logging.getLogger(__name__)

#: The name the consumer's connection has in the server's health.
HEALTH_NAME = "queue"
#: Seconds between reads of the queue's job counts (metrics and health).
_COUNTS_EVERY_S = 5.0
#: Longer than BullMQ's longest blocking wait on Redis (10 s); see redis_url.
_SOCKET_TIMEOUT_S = 30
_COUNTED_STATES = ("waiting", "active", "delayed", "failed", "completed")


class RetryableJobError(Exception):
    """An attempt failed for a reason that may pass (an outage): BullMQ retries
    the job if the producer gave it attempts left."""


class FaceScoringConsumer:
    def __init__(self, core: Core, settings: Settings, metrics: Metrics | None = None) -> None:
        self.core = core
        self.settings = settings
        self.metrics = metrics
        self.queue_name = settings.queue_name
        self._worker: Worker | None = None
        self._queue: Queue | None = None
        self._counts_task: asyncio.Task[None] | None = None
        self._worker_task: asyncio.Task[None] | None = None
        self._stopping = False
        #: Why the consumer no longer takes jobs, when it stopped by itself.
        self._dead = ""

    def _connection(self) -> dict[str, Any]:
        url = redis_url(self.settings.queue_redis_url)
        return {"connection": url, "prefix": self.settings.queue_prefix}

    async def start(self) -> None:
        s = self.settings
        opts: dict[str, Any] = {
            **self._connection(),
            "concurrency": s.queue_concurrency,
            "lockDuration": s.queue_lock_duration_ms,
            "stalledInterval": s.queue_stalled_interval_ms,
            "maxStalledCount": 1,
            "removeOnComplete": _keep(s.queue_remove_on_complete),
            "removeOnFail": _keep(s.queue_remove_on_fail),
            "autorun": False,
        }
        self._queue = Queue(self.queue_name, self._connection())
        self.core.report_door_health(HEALTH_NAME, False, "connecting to Redis")
        self._worker = Worker(self.queue_name, self._process, opts)
        self._worker.on("error", self._on_error)
        self._worker_task = asyncio.create_task(self._run_worker())
        self._counts_task = asyncio.create_task(self._watch_counts())
        log.info(
            "consuming queue %s (%d at a time)", self.queue_name, self.settings.queue_concurrency
        )

    async def _run_worker(self) -> None:
        assert self._worker is not None
        try:
            await self._worker.run()
        except Exception:
            log.exception("the %s consumer failed", self.queue_name)
        # bullmq's loop returns only on close, or after printing an error it
        # could not handle: then no job is taken any more, and health says so.
        if not self._stopping:
            self._dead = "the queue consumer stopped (see the server log)"
            log.error("the %s consumer stopped taking jobs", self.queue_name)
            self.core.report_door_health(HEALTH_NAME, False, self._dead)

    def _on_error(self, err: Exception, *_: object) -> None:
        # Connection errors repeat while Redis is down: one line each, no traceback.
        log.warning("queue %s: %s", self.queue_name, err)

    async def _process(self, job: Any, token: str) -> dict[str, Any]:
        started = time.perf_counter()
        outcome = "failed"
        try:
            request = await asyncio.to_thread(
                parse_job,
                job.data,
                image_root=self.settings.queue_image_root,
                default_gallery=self.settings.queue_enroll_gallery,
                max_bytes=self.settings.max_message_bytes,
            )
            scored = await self.core.score(
                request.image,
                gallery=request.gallery,
                subject_id=request.user_id,
                metadata=request.metadata,
                background=True,
                # A user's jobs always land on the same side of a split.
                routing_key=str(request.user_id),
            )
            await job.updateProgress(100)
            outcome = "completed"
            return result_json(scored)
        except AurumError as e:
            if e.retryable:
                outcome = _failed_attempt(job)
                raise RetryableJobError(e.message) from None
            raise UnrecoverableError(e.message) from None
        except Exception:
            log.exception("job %s of %s failed", job.id, self.queue_name)
            outcome = _failed_attempt(job)
            raise RetryableJobError(INTERNAL_MESSAGE) from None
        finally:
            log.info(
                "job %s %s",
                job.id,
                outcome,
                extra={"fields": {"queue": self.queue_name, "job_id": job.id, "outcome": outcome}},
            )
            if self.metrics is not None:
                self.metrics.jobs.labels(self.queue_name, outcome).inc()
                seconds = time.perf_counter() - started
                self.metrics.job_seconds.labels(self.queue_name).observe(seconds)

    async def _watch_counts(self) -> None:
        """Read the queue's counts: Redis reachable or not is the door's health."""
        assert self._queue is not None
        while True:
            try:
                counts = await self._queue.getJobCounts(*_COUNTED_STATES)
            except Exception as exc:
                # The detail (it may name the Redis host) goes to the log;
                # /api/health is open to anyone.
                log.warning("queue %s: cannot read its counts: %s", self.queue_name, exc)
                self.core.report_door_health(HEALTH_NAME, False, "Redis is unreachable")
            else:
                if not self._dead:
                    self.core.report_door_health(HEALTH_NAME, True)
                if self.metrics is not None:
                    for state in _COUNTED_STATES:
                        gauge = self.metrics.queue_jobs.labels(self.queue_name, state)
                        gauge.set(counts.get(state, 0))
            await asyncio.sleep(_COUNTS_EVERY_S)

    async def stop(self, grace_s: float) -> None:
        """Stop taking jobs, let the active ones finish within ``grace_s``, then
        close (jobs still running then keep their lock until it expires and
        the stalled check of another consumer takes them: never lost)."""
        self._stopping = True
        if self._counts_task is not None:
            self._counts_task.cancel()
        if self._worker is not None:
            # bullmq's close() waits for the active jobs and ignores
            # cancellation, so the grace is kept by waiting on it, not
            # cancelling it, then forcing.
            closing = asyncio.ensure_future(self._worker.close())
            done, _ = await asyncio.wait({closing}, timeout=grace_s)
            if not done:
                log.warning("jobs still active after %.0f s; closing the consumer", grace_s)
                with contextlib.suppress(Exception):
                    await self._worker.close(force=True)
            with contextlib.suppress(Exception):
                await closing
        for task in (self._counts_task, self._worker_task):
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if self._queue is not None:
            with contextlib.suppress(Exception):
                await self._queue.close()
        self.core.report_door_health(HEALTH_NAME, False, "stopped")


def _failed_attempt(job: Any) -> str:
    """The metric outcome of an attempt that failed for a passing reason:
    retried if the job has attempts left, failed if this was its last."""
    attempts = int((job.opts or {}).get("attempts", 1) or 1)
    return "retried" if job.attemptsMade + 1 < attempts else "failed"


def redis_url(url: str) -> str:
    """``url`` with a socket timeout longer than BullMQ's longest blocking wait.

    redis-py 8 reads with a 5 s timeout by default; BullMQ blocks on its
    marker for up to 10 s, so an idle consumer's wait failed, and bullmq
    retried it only after a back-off of about a second: a job queued then
    waited that long. Measured: 0.5-1 s from add to start after an idle
    spell, 2-10 ms with the longer timeout.
    """
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qs(parts.query)
    if "socket_timeout" in query:
        return url
    extra = urllib.parse.urlencode({"socket_timeout": _SOCKET_TIMEOUT_S})
    return urllib.parse.urlunsplit(parts._replace(query=f"{parts.query}&{extra}".lstrip("&")))


def _keep(count: int) -> bool | dict[str, int]:
    """BullMQ's removeOn* option: keep the newest ``count`` jobs; 0 keeps all."""
    return False if count == 0 else {"count": count}
