"""What every part of the serving benchmark measures with: the photos and model files,
timing and percentiles, CPU and RSS accounting, and a description of the machine.

Imports nothing of aurum_ml: bench/reference.py uses it inside another interpreter
that has InsightFace but not this project.
"""

from __future__ import annotations

import contextlib
import os
import platform
import resource
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
PHOTOS = ROOT / "models" / "photos"
IMAGES = ("yaoming.jpg", "players.jpg")
DETECTOR_FILE = "scrfd_500m_bnkps.onnx"
EMBEDDER_FILE = "w600k_mbf.onnx"
DET_SIZE = 640
#: Single-client comparisons run in this many rounds, so drift in machine load is shared.
ROUNDS = 10
#: Seconds at most per (method, image) for the slow single-client baselines
#: (all-faces pipeline and InsightFace on players.jpg embed 22 faces each call).
SLOW_BUDGET_S = 6.0
MIN_SAMPLES = 12
CANDIDATES = 1000
DIM = 512
MB = 1_000_000
MIB = 1024 * 1024


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# -- statistics ------------------------------------------------------------------------


@dataclass(frozen=True)
class Stats:
    n: int
    p50_ms: float
    p99_ms: float
    mean_ms: float
    min_ms: float
    cpu_ms: float | None = None
    """CPU (all threads of the process that did the work) per call, where measured."""

    @property
    def rps(self) -> float:
        """Single-stream throughput: requests per second one caller achieves."""
        return 1000.0 / self.mean_ms if self.mean_ms > 0 else 0.0

    def as_json(self) -> dict[str, float | None]:
        return {
            "n": self.n,
            "p50_ms": round(self.p50_ms, 3),
            "p99_ms": round(self.p99_ms, 3),
            "mean_ms": round(self.mean_ms, 3),
            "min_ms": round(self.min_ms, 3),
            "single_stream_rps": round(self.rps, 2),
            "cpu_ms_per_call": None if self.cpu_ms is None else round(self.cpu_ms, 3),
        }


def stats(samples_s: Sequence[float], cpu_s: float | None = None) -> Stats:
    a = np.asarray(samples_s, dtype=np.float64) * 1000.0
    if a.size == 0:
        nan = float("nan")
        return Stats(0, nan, nan, nan, nan)
    return Stats(
        cpu_ms=None if cpu_s is None else 1000.0 * cpu_s / a.size,
        n=int(a.size),
        p50_ms=float(np.percentile(a, 50)),
        p99_ms=float(np.percentile(a, 99)),
        mean_ms=float(a.mean()),
        min_ms=float(a.min()),
    )


def timed(fn: Callable[[], object], n: int) -> list[float]:
    out: list[float] = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def timed_into(
    samples: dict[str, list[float]],
    cpu_s: dict[str, float],
    key: str,
    fn: Callable[[], object],
    n: int,
) -> None:
    """``n`` timed calls of ``fn`` in this process, latencies and CPU added under ``key``."""
    c0 = self_cpu_s()
    samples[key] += timed(fn, n)
    cpu_s[key] += self_cpu_s() - c0


def budgeted(n: int, est_s: float, budget_s: float = SLOW_BUDGET_S) -> int:
    """At most ``n`` samples, fewer when each costs ``est_s`` and the budget is short."""
    if est_s <= 0:
        return n
    return max(min(n, MIN_SAMPLES), min(n, int(budget_s / est_s)))


# -- CPU accounting (who used the two cores while a cell ran) --------------------------

_CLK = os.sysconf("SC_CLK_TCK")


def proc_cpu_s(pid: int) -> float:
    """CPU seconds of a whole process: the sum of its threads' scheduler run time
    (nanoseconds, /proc/PID/task/*/schedstat), or utime + stime in clock ticks
    where schedstat is missing."""
    total_ns = 0
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                total_ns += int((task / "schedstat").read_text().split()[0])
    except OSError:
        total_ns = 0
    if total_ns:
        return total_ns / 1e9
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLK


def self_cpu_s() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _machine_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies over all CPUs since boot, from /proc/stat."""
    parts = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    total = sum(parts)
    idle = parts[3] + parts[4]
    return total - idle, total


@dataclass
class CpuMeter:
    """Accumulates wall time and CPU of the bench (client), the server and the
    machine over one or more measured blocks; with ``redis_pid``, also of the Redis
    the server's job queue uses, counted apart from other load."""

    server_pid: int | None
    redis_pid: int | None = None
    wall_s: float = 0.0
    client_s: float = 0.0
    server_s: float = 0.0
    redis_s: float = 0.0
    busy_j: int = 0
    total_j: int = 0

    @contextlib.contextmanager
    def block(self) -> Iterator[None]:
        w0, c0 = time.perf_counter(), self_cpu_s()
        s0 = proc_cpu_s(self.server_pid) if self.server_pid else 0.0
        r0 = proc_cpu_s(self.redis_pid) if self.redis_pid else 0.0
        b0, t0 = _machine_jiffies()
        try:
            yield
        finally:
            self.wall_s += time.perf_counter() - w0
            self.client_s += self_cpu_s() - c0
            if self.server_pid:
                self.server_s += proc_cpu_s(self.server_pid) - s0
            if self.redis_pid:
                self.redis_s += proc_cpu_s(self.redis_pid) - r0
            b1, t1 = _machine_jiffies()
            self.busy_j += b1 - b0
            self.total_j += t1 - t0

    def as_json(self, requests: int) -> dict[str, float]:
        n = max(requests, 1)
        busy_s = self.busy_j / _CLK
        total_s = self.total_j / _CLK
        busy_pct = 100.0 * busy_s / total_s if total_s else float("nan")
        others = busy_s - self.client_s - self.server_s - self.redis_s
        others_pct = 100.0 * max(others, 0.0) / total_s if total_s else float("nan")
        out = {
            "server_cpu_ms_per_req": round(1000.0 * self.server_s / n, 3),
            "client_cpu_ms_per_req": round(1000.0 * self.client_s / n, 3),
            "machine_busy_pct": round(busy_pct, 1),
            "others_busy_pct": round(others_pct, 1),
        }
        if self.redis_pid:
            out["redis_cpu_ms_per_req"] = round(1000.0 * self.redis_s / n, 3)
        return out


# -- server memory ---------------------------------------------------------------------


def proc_mem(pid: int) -> dict[str, int]:
    out: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            out[key] = int(rest.split()[0]) * 1024
    return out


class Memory:
    """The server's highest VmHWM over the run, whether cells reset it between them."""

    peak = 0
    per_cell = False


def reset_peak(pid: int) -> bool:
    """Start the process's VmHWM again from its current RSS (Linux 4.0+ clear_refs "5").

    Lets each cell report the peak of its own load rather than of every cell so far.
    False where the kernel refuses; the peaks are then cumulative.
    """
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


# -- machine description ---------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem_kib = 0
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    return {
        "cpu_model": model,
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "mem_gib": round(mem_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def ort_info() -> dict[str, str]:
    import importlib.metadata as md

    import onnxruntime as ort

    dist = "onnxruntime"
    for name in ("onnxruntime-gpu", "onnxruntime"):
        with contextlib.suppress(md.PackageNotFoundError):
            md.version(name)
            dist = name
            break
    return {"version": str(ort.__version__), "distribution": dist}
