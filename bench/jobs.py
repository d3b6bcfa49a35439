"""The job-queue section of the serving benchmark: a real Redis, a server consuming its
BullMQ ``faceScoring`` queue, and jobs produced with the Python ``bullmq`` Queue in the
app's shape (``{"image": base64, "isBase64": true, "userId"}``).

On that one server, one after another:

1. *drain alone*: N jobs added while the queue is paused, then released; jobs/s from
   the release to the last job's ``finishedOn``, no RPC traffic;
2. *direct Embed*: the same image over gRPC from as many concurrent callers as the
   queue's concurrency (``AURUM_QUEUE_CONCURRENCY``), N calls: calls/s;
3. *burst without jobs*: Compare, Detect and Embed cells of a few gRPC clients
   (``load.drive``), the queue empty;
4. *burst with jobs*: N jobs released again; once the first has finished, the same
   cells while they drain; then the rest drains.

Job latencies come from BullMQ's own timestamps (``timestamp``: the producer added
the job; ``processedOn``; ``finishedOn``; milliseconds, all on this machine's clock).
Redis runs without an append-only file, so the disk is not measured; its CPU is
counted apart (``redis_cpu_ms_per_req``).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import shutil
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from harness import CpuMeter, log, proc_mem, reset_peak
from load import Cell, Client, drive, drive_seq

if TYPE_CHECKING:
    from bullmq import Queue

    from aurum_ml.settings import Settings

#: The burst's RPCs, smallest first: Compare never leaves the event loop; Detect and
#: Embed take a worker slot, as a job does.
BURST_RPCS = ("Compare", "Detect", "Embed")
#: Jobs drained (and dropped) before anything is measured.
_WARMUP_JOBS = 8
#: Seconds between reads of the queue's counts while waiting on jobs.
_POLL_S = 0.05
#: Jobs per addBulk call.
_CHUNK = 250
#: Server settings the section adds unless --server-env or the environment sets them:
#: every finished job stays until the bench has read its timestamps (it then cleans
#: them out itself), whatever N is.
_KEEP_JOBS = {"AURUM_QUEUE_REMOVE_ON_COMPLETE": "0", "AURUM_QUEUE_REMOVE_ON_FAIL": "0"}


@dataclass(frozen=True)
class JobTimes:
    """One job's BullMQ timestamps, ms since the epoch."""

    added: int
    started: int
    finished: int
    failed: bool


def _pcts(samples_ms: list[float]) -> dict[str, float | None]:
    a = np.asarray(samples_ms, dtype=np.float64)
    if a.size == 0:
        return {"n": 0, "p50_ms": None, "p90_ms": None, "p99_ms": None, "max_ms": None}
    return {
        "n": int(a.size),
        "p50_ms": round(float(np.percentile(a, 50)), 2),
        "p90_ms": round(float(np.percentile(a, 90)), 2),
        "p99_ms": round(float(np.percentile(a, 99)), 2),
        "max_ms": round(float(a.max()), 2),
    }


@dataclass
class Batch:
    """N jobs added to a paused queue, released at ``released_ms``."""

    n: int
    ids: set[str]
    enqueue_s: float
    released_ms: float = 0.0
    #: CPU while the batch drained alone; None when RPC traffic shared the time.
    meter: CpuMeter | None = None
    times: list[JobTimes] = field(default_factory=list)
    left_at_timeout: int = 0

    def done_between(self, start_ms: float, end_ms: float) -> int:
        return sum(start_ms <= t.finished <= end_ms for t in self.times)

    def as_json(self) -> dict[str, Any]:
        ok = [t for t in self.times if not t.failed]
        last = max((t.finished for t in self.times), default=self.released_ms)
        drain_s = (last - self.released_ms) / 1000.0
        return {
            "jobs": self.n,
            "completed": len(ok),
            "failed": len(self.times) - len(ok),
            "left_at_timeout": self.left_at_timeout,
            "enqueue_s": round(self.enqueue_s, 3),
            "drain_s": round(drain_s, 3),
            "jobs_per_s": round(len(ok) / drain_s, 2) if drain_s > 0 else None,
            "latency_enqueue_to_finished": _pcts([t.finished - t.added for t in ok]),
            "latency_wait": _pcts([t.started - t.added for t in ok]),
            "latency_run": _pcts([t.finished - t.started for t in ok]),
            **(self.meter.as_json(len(ok)) if self.meter else {}),
        }


@dataclass
class BurstCell:
    """One RPC cell of the burst; with jobs, how many of them were left (waiting or
    active) when it started and ended, and how many finished while it ran."""

    cell: Cell
    with_jobs: bool
    start_ms: float = 0.0
    end_ms: float = 0.0
    jobs_left_at_start: int = 0
    jobs_left_at_end: int = 0
    jobs_done: int = 0

    def as_json(self) -> dict[str, Any]:
        out = self.cell.as_json()
        out.pop("server_peak_rss_mib_after", None)  # not reset per cell here
        window_s = (self.end_ms - self.start_ms) / 1000.0
        jobs: dict[str, Any] = dict.fromkeys(
            ("jobs_left_at_start", "jobs_left_at_end", "jobs_done", "jobs_per_s")
        )
        if self.with_jobs:
            jobs = {
                "jobs_left_at_start": self.jobs_left_at_start,
                "jobs_left_at_end": self.jobs_left_at_end,
                "jobs_done": self.jobs_done,
                "jobs_per_s": round(self.jobs_done / window_s, 2) if window_s > 0 else None,
            }
        return {
            **out,
            "with_jobs": self.with_jobs,
            "queue": "draining" if self.with_jobs else "empty",
            **jobs,
        }


class Producer:
    """The app's side of the queue: a bullmq Queue adding one job per image."""

    def __init__(self, queue: Queue, image: bytes) -> None:
        self.queue = queue
        self.b64 = base64.b64encode(image).decode()
        self.added = 0

    async def enqueue(self, n: int) -> Batch:
        """``n`` jobs on a paused queue, so the drain is timed from one moment."""
        await self.queue.pause()
        t0 = time.perf_counter()
        ids: set[str] = set()
        for start in range(0, n, _CHUNK):
            jobs = [
                {
                    "name": "score",
                    "data": {"image": self.b64, "isBase64": True, "userId": f"u{self.added + i}"},
                    "opts": {"attempts": 1},
                }
                for i in range(start, min(n, start + _CHUNK))
            ]
            ids.update(str(j.id) for j in await self.queue.addBulk(jobs))
        self.added += n
        return Batch(n, ids, time.perf_counter() - t0)

    async def release(self, batch: Batch) -> None:
        batch.released_ms = time.time() * 1000.0
        await self.queue.resume()

    async def finished(self) -> int:
        """Jobs completed or failed (the queue holds only the current batch's)."""
        counts: dict[str, int] = await self.queue.getJobCounts("completed", "failed")
        return counts["completed"] + counts["failed"]

    async def wait_for(self, done: int, timeout_s: float) -> int:
        """Poll until ``done`` jobs have finished or the time is up; how many were
        still missing."""
        deadline = time.monotonic() + timeout_s
        while (have := await self.finished()) < done and time.monotonic() < deadline:
            await asyncio.sleep(_POLL_S)
        return max(0, done - have)

    async def collect(self, batch: Batch) -> None:
        """Read the batch's timestamps, then clean every finished job out of Redis."""
        for state in ("completed", "failed"):
            for job in await self.queue.getJobs([state]):
                if str(job.id) in batch.ids:
                    times = JobTimes(
                        int(job.timestamp),
                        int(job.processedOn),
                        int(job.finishedOn),
                        state == "failed",
                    )
                    batch.times.append(times)
            await self.queue.clean(0, 0, state)


async def _redis_memory(url: str) -> dict[str, int]:
    """Redis's memory: its peak over the section, and what is left once the bench has
    cleaned the finished jobs out (BullMQ's event stream, with each job's result)."""
    import redis.asyncio as aioredis

    conn = aioredis.from_url(url)
    try:
        info = await conn.info("memory")
    finally:
        await conn.aclose()
    return {"peak_bytes": int(info["used_memory_peak"]), "after_bytes": int(info["used_memory"])}


def _drain_timeout(n: int) -> float:
    return 60.0 + 0.5 * n


@dataclass(frozen=True)
class _QueueServer:
    """The server that consumes the queue, as every step drives it: its gRPC client,
    the producer, its process and Redis's (for the CPU), the image's name."""

    client: Client
    producer: Producer
    pid: int
    redis_pid: int
    image: str

    def meter(self) -> CpuMeter:
        return CpuMeter(self.pid, self.redis_pid)

    def cell(self, rpc: str, clients: int) -> Cell:
        name = self.image if rpc != "Compare" else "2x512-d"
        ch = min(clients, len(self.client.channels))
        return Cell(rpc, name, clients, ch, meter=self.meter())


async def _drain(s: _QueueServer, n: int) -> Batch:
    """N jobs drained with nothing else running."""
    batch = await s.producer.enqueue(n)
    batch.meter = s.meter()
    await s.producer.release(batch)
    with batch.meter.block():
        batch.left_at_timeout = await s.producer.wait_for(n, _drain_timeout(n))
    _warn_if_left(batch)
    await s.producer.collect(batch)
    return batch


def _warn_if_left(batch: Batch) -> None:
    if batch.left_at_timeout:
        log(f"job queue: {batch.left_at_timeout} of {batch.n} jobs unfinished at the timeout")


async def _embed_direct(s: _QueueServer, callers: int, n: int) -> Cell:
    calls = [s.client.call("Embed", s.image, i) for i in range(callers)]
    await drive(calls, max(callers, 4))
    cell = s.cell("Embed", callers)
    with cell.meter.block():
        cell.lat_s, _ = await drive(calls, n)
    return cell


async def _burst(s: _QueueServer, clients: int, n: int, batch: Batch | None) -> list[BurstCell]:
    """A cell per RPC, ``clients`` callers sharing ``n`` requests, each after a
    settling burst; with ``batch``, while its jobs drain."""
    out: list[BurstCell] = []
    for rpc in BURST_RPCS:
        calls = [s.client.call(rpc, s.image, i) for i in range(clients)]
        await drive(calls, max(clients, 4))  # settle threads and HTTP/2 windows
        cell = s.cell(rpc, clients)
        burst = BurstCell(cell, batch is not None)
        if batch is not None:
            burst.jobs_left_at_start = batch.n - await s.producer.finished()
        burst.start_ms = time.time() * 1000.0
        with cell.meter.block():
            cell.lat_s, _ = await drive(calls, n)
        burst.end_ms = time.time() * 1000.0
        if batch is not None:
            burst.jobs_left_at_end = batch.n - await s.producer.finished()
        out.append(burst)
    return out


async def job_queue(
    args: argparse.Namespace, settings: Settings, env: dict[str, str], image: bytes
) -> dict[str, Any]:
    """The ``jobs`` entry of the result: measured, or why not."""
    if args.skip_jobs:
        return {"status": "skipped (--skip-jobs)"}
    if shutil.which("redis-server") is None:
        return {"status": "redis-server not installed (make install)"}
    return await _measure(args, settings, env, image)


async def _measure(
    args: argparse.Namespace, settings: Settings, env: dict[str, str], image: bytes
) -> dict[str, Any]:
    from bullmq import Queue

    from aurum_ml.testing import running_redis, start_server

    n, clients, name = args.jobs, args.jobs_clients, args.jobs_image
    prefix = settings.queue_prefix
    callers = settings.queue_concurrency
    keep = {k: v for k, v in _KEEP_JOBS.items() if k not in env}
    out: dict[str, Any] = {
        "status": "ok",
        "image": name,
        "jobs": n,
        "queue": settings.queue_name,
        "queue_concurrency": callers,
        "burst_clients": clients,
        "burst_requests": args.requests,
        "redis": {"append_only": False},
        "server_env_added": keep,
    }
    with running_redis(persistent=False) as redis:
        assert redis.proc is not None
        log(f"job queue: Redis on port {redis.port}; starting a server consuming it")
        server = start_server({**env, **keep, "AURUM_QUEUE_REDIS_URL": redis.url}, timeout=120.0)
        client: Client | None = None
        queue: Queue | None = None
        try:
            client = Client(server.grpc_target, max(clients, callers), {name: image})
            queue = Queue(settings.queue_name, {"connection": redis.url, "prefix": prefix})
            s = _QueueServer(client, Producer(queue, image), server.proc.pid, redis.proc.pid, name)
            for rpc in BURST_RPCS:
                await drive_seq(client.call(rpc, name, 0), 5)
            await _drain(s, _WARMUP_JOBS)
            out["server_peak_rss_reset"] = reset_peak(s.pid)

            log(f"job queue: {n} jobs draining, no RPC traffic")
            alone = await _drain(s, n)
            log(f"job queue: direct Embed, {callers} callers, {n} calls")
            direct = await _embed_direct(s, callers, n)
            log(f"job queue: RPC burst without jobs, {clients} clients")
            base = await _burst(s, clients, args.requests, None)
            log(f"job queue: the same burst while {n} jobs drain")
            loaded = await s.producer.enqueue(n)
            await s.producer.release(loaded)
            await s.producer.wait_for(1, _drain_timeout(n))
            busy = await _burst(s, clients, args.requests, loaded)
            left_after_burst = busy[-1].jobs_left_at_end
            loaded.left_at_timeout = await s.producer.wait_for(n, _drain_timeout(n))
            _warn_if_left(loaded)
            await s.producer.collect(loaded)
            for b in busy:
                b.jobs_done = loaded.done_between(b.start_ms, b.end_ms)
            out["server_peak_rss_bytes"] = proc_mem(s.pid).get("VmHWM", 0)
            out["redis"]["memory"] = await _redis_memory(redis.url)
        finally:
            if client is not None:
                await client.close()
            if queue is not None:
                with contextlib.suppress(Exception):
                    await queue.close()
            code = server.stop()
            if code != 0:
                log(f"job-queue server exited with {code}:\n{server.log()[-3000:]}")
    out["server_exit_code"] = code
    out["drain_alone"] = alone.as_json()
    out["embed_direct"] = direct.as_json()
    out["embed_direct"].pop("server_peak_rss_mib_after", None)  # not reset for it
    out["drain_with_burst"] = {**loaded.as_json(), "left_when_burst_ended": left_after_burst}
    out["rpc_burst"] = [b.as_json() for b in base + busy]
    jobs_rps = out["drain_alone"]["jobs_per_s"]
    embed_rps = out["embed_direct"]["throughput_rps"]
    out["jobs_per_s_over_embed_per_s"] = (
        round(jobs_rps / embed_rps, 3) if jobs_rps and embed_rps else None
    )
    return out
