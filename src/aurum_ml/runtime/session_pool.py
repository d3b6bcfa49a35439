"""A bounded pool of ONNX Runtime sessions for one model file.

``InferenceSession.run`` is thread-safe and releases the GIL, so callers run it
from worker threads. The pool bounds how many runs of one model are in flight:
on a small machine two sessions spinning their intra-op threads on the same
cores slow each other down, so size and threads are settings chosen by
measurement (see README, "Performance and tuning").

One thread count cannot serve both one caller and many. Alone, a run is
fastest spread over every core; under load, runs that each keep to their share
of the cores finish more of them per second, since splitting every operator
across threads costs CPU (on 2 cores, Embed took 29 ms of CPU per call on two
threads and 22 ms on one). So a CPU pool can hold one extra "solo" session with
more threads, used only while no other run of the process is in flight.

Memory: without an arena, ORT mallocs each run's tensors, and glibc keeps the
large blocks freed by one worker thread in that thread's arena, where another
thread's run cannot reuse them; with three sessions per model the peak RSS
under 16 clients grew by 50-90 MiB. Sessions that opt in share one ORT arena
instead: it keeps the most that the runs in flight at one time have needed and
lends it to whichever session runs next (README, "Threads per run").
Per-session arenas are no answer: each keeps every block it ever grew to.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt
import onnxruntime as ort

Feeds = dict[str, npt.NDArray[np.float32]]
Outputs = list[npt.NDArray[np.float32]]


class Runner(Protocol):
    """What a model class needs from the runtime: run one set of inputs.

    Implementations are thread-safe. A batching runner may merge concurrent
    calls into one ORT run; callers cannot tell the difference.
    """

    @property
    def input_names(self) -> list[str]: ...

    @property
    def input_shapes(self) -> list[list[int | str | None]]: ...

    @property
    def provider(self) -> str: ...

    def run(self, feeds: Feeds) -> Outputs: ...


@dataclass(frozen=True, slots=True)
class SessionOptions:
    """How each ORT session is built.

    ``spin`` controls intra-op thread spinning: spinning buys latency for one
    session alone on a machine, but two spinning sessions on two cores fight
    over them.
    """

    pool_size: int = 1
    intra_op_threads: int = 1
    inter_op_threads: int = 1
    spin: bool = False
    providers: Sequence[str] = ("CPUExecutionProvider",)
    #: Threads of the solo session (0: ORT's choice, one per physical core);
    #: None: no solo session. Built only where the model runs on the CPU.
    solo_intra_op_threads: int | None = None
    #: Take CPU memory from one arena that every such session of the process
    #: shares, instead of from malloc (see the module's notes on memory).
    shared_arena: bool = False


_GPU_PROVIDERS = frozenset({"CUDAExecutionProvider", "TensorrtExecutionProvider"})


def _has_nvidia_driver() -> bool:
    return Path("/proc/driver/nvidia/version").exists()


def available_providers(preferred: Sequence[str]) -> list[str]:
    """The preferred providers this ORT build has, CPU always last as fallback.

    onnxruntime-gpu lists CUDA even on machines without a GPU and then logs an
    error on every session; asking only where an NVIDIA driver is loaded keeps
    CPU-only hosts quiet.
    """
    have = set(ort.get_available_providers())
    gpu_ok = _has_nvidia_driver()
    chosen = [
        p
        for p in preferred
        if p in have and p != "CPUExecutionProvider" and (gpu_ok or p not in _GPU_PROVIDERS)
    ]
    chosen.append("CPUExecutionProvider")
    return chosen


class RunCount:
    """ORT runs in flight, over every pool that shares this count."""

    def __init__(self) -> None:
        self._n = 0
        self._lock = threading.Lock()

    @property
    def value(self) -> int:
        return self._n

    def claim_if_idle(self) -> bool:
        """Count one more run only if none is in flight: checked and counted under
        one lock, so two pools cannot both start a solo run."""
        with self._lock:
            if self._n:
                return False
            self._n = 1
            return True

    def add(self) -> None:
        with self._lock:
            self._n += 1

    def done(self) -> None:
        with self._lock:
            self._n -= 1

    @contextmanager
    def running(self) -> Iterator[None]:
        self.add()
        try:
            yield
        finally:
            self.done()


#: The default count: every pool of the process, so a run of the detector and
#: one of the embedder see each other.
PROCESS_RUNS = RunCount()

_thread_kind = threading.local()


def mark_background_thread() -> None:
    """Runs on the calling thread are background work (queued jobs): they never
    take the solo session, whose threads would spread the run over every core
    at normal priority. On a pool session (one thread) the run stays on this
    thread, whose priority its owner may lower."""
    _thread_kind.background = True


def _on_background_thread() -> bool:
    return bool(getattr(_thread_kind, "background", False))


_arena_lock = threading.Lock()
_arena_registered = False


def _register_shared_arena() -> None:
    """Give ORT's environment one CPU arena, once per process, for sessions that
    opt in with ``session.use_env_allocators``."""
    global _arena_registered
    with _arena_lock:
        if _arena_registered:
            return
        info = ort.OrtMemoryInfo(
            "Cpu", ort.OrtAllocatorType.ORT_ARENA_ALLOCATOR, 0, ort.OrtMemType.DEFAULT
        )
        # Grow by what a run asks for, not by doubling: the arena then holds what
        # the runs in flight need, not the next power of two above it.
        ort.create_and_register_allocator(info, ort.OrtArenaCfg({"arena_extend_strategy": 1}))
        _arena_registered = True


#: After a run of more than one row, the arena frees the regions no run is using:
#: the memory a 22-face batch needed is not kept for single-face calls.
_SHRINK = ort.RunOptions()
_SHRINK.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")


class SessionPool:
    """``pool_size`` sessions of one model; ``run`` borrows one for the call,
    the solo session when it is free and nothing else is running."""

    def __init__(
        self,
        path: Path,
        options: SessionOptions | None = None,
        runs: RunCount = PROCESS_RUNS,
    ) -> None:
        self.path = path
        self.options = options or SessionOptions()
        if self.options.pool_size < 1:
            raise ValueError("pool_size must be at least 1")
        self._runs = runs
        self._providers = available_providers(self.options.providers)
        # A GPU provider keeps its tensors in its own device arena; the shared
        # CPU arena (and its shrink option) is for sessions that run on the CPU.
        self._arena = self.options.shared_arena and self._providers[0] == "CPUExecutionProvider"
        self._free: queue.SimpleQueue[ort.InferenceSession] = queue.SimpleQueue()
        sessions = [self._make_session() for _ in range(self.options.pool_size)]
        for s in sessions:
            self._free.put(s)
        first = sessions[0]
        solo_threads = self.options.solo_intra_op_threads
        self._solo: ort.InferenceSession | None = None
        # On a GPU the threads do not carry the work; one more session would
        # only hold device memory.
        if solo_threads is not None and first.get_providers()[0] == "CPUExecutionProvider":
            self._solo = self._make_session(solo_threads)
        self._solo_lock = threading.Lock()
        self.solo_runs = 0
        self._input_names = [i.name for i in first.get_inputs()]
        self._input_shapes: list[list[int | str | None]] = [
            list(i.shape) for i in first.get_inputs()
        ]
        self._output_names = [o.name for o in first.get_outputs()]
        self._provider = first.get_providers()[0]
        self._waiting = 0
        #: Called after every ORT run with (rows, seconds); metrics hook in here.
        self.on_run: Callable[[int, float], None] | None = None

    def _make_session(self, threads: int | None = None) -> ort.InferenceSession:
        so = ort.SessionOptions()
        so.intra_op_num_threads = self.options.intra_op_threads if threads is None else threads
        so.inter_op_num_threads = self.options.inter_op_threads
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        so.log_severity_level = 3
        # ORT's CPU arena keeps every block it ever allocated and adds more
        # for each new input shape. MTCNN's P-Net sees a new shape at every
        # pyramid level of every image size, so the arena grew by gigabytes
        # (1.2 GB RSS after MTCNN on players.jpg instead of 0.3; 5.3 GB after
        # two calls on a 13 MP image) and never gave it back. SCRFD and
        # ArcFace run as fast without it.
        so.enable_cpu_mem_arena = False
        if self._arena:
            _register_shared_arena()
            so.add_session_config_entry("session.use_env_allocators", "1")
        if not self.options.spin:
            so.add_session_config_entry("session.intra_op.allow_spinning", "0")
            so.add_session_config_entry("session.inter_op.allow_spinning", "0")
        return ort.InferenceSession(
            str(self.path),
            sess_options=so,
            providers=self._providers,
        )

    @property
    def input_names(self) -> list[str]:
        return list(self._input_names)

    @property
    def input_shapes(self) -> list[list[int | str | None]]:
        return [list(s) for s in self._input_shapes]

    @property
    def output_names(self) -> list[str]:
        return list(self._output_names)

    @property
    def provider(self) -> str:
        return str(self._provider)

    def queue_depth(self) -> int:
        """Callers waiting for a free session (approximate: read without a lock)."""
        return self._waiting

    @property
    def has_solo(self) -> bool:
        return self._solo is not None

    def _take_solo(self) -> ort.InferenceSession | None:
        """The solo session, if it is free and no other run of the process is in
        flight; the run is then counted."""
        solo = self._solo
        if solo is None or _on_background_thread():
            return None
        if not self._solo_lock.acquire(blocking=False):
            return None
        if self._runs.claim_if_idle():
            return solo
        self._solo_lock.release()
        return None

    @contextmanager
    def _session(self) -> Iterator[ort.InferenceSession]:
        solo = self._take_solo()
        if solo is not None:
            self.solo_runs += 1
            try:
                yield solo
            finally:
                self._runs.done()
                self._solo_lock.release()
            return
        self._waiting += 1
        try:
            session = self._free.get()
        finally:
            self._waiting -= 1
        self._runs.add()
        try:
            yield session
        finally:
            self._runs.done()
            self._free.put(session)

    def run(self, feeds: Feeds) -> Outputs:
        first = next(iter(feeds.values()), None)
        rows = int(first.shape[0]) if first is not None and first.ndim else 0
        # Shrinking costs a multi-row run what malloc would (its regions are
        # allocated afresh next time) but keeps a 22-face batch's ~100 MB from
        # staying in the arena for single-face calls.
        shrink = _SHRINK if self._arena and rows > 1 else None
        with self._session() as session:
            start = time.perf_counter()
            outputs = session.run(self._output_names, feeds, shrink)
            took = time.perf_counter() - start
        if self.on_run is not None:
            self.on_run(rows, took)
        return [np.asarray(o) for o in outputs]
