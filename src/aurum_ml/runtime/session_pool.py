"""A bounded pool of ONNX Runtime sessions for one model file.

``InferenceSession.run`` is thread-safe and releases the GIL, so callers run it
from worker threads. The pool bounds how many runs of one model are in flight:
on a small machine two sessions spinning their intra-op threads on the same
cores slow each other down, so size and threads are settings chosen by
measurement (see README, "Tuning").
"""

from __future__ import annotations

import queue
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


class SessionPool:
    """``pool_size`` sessions of one model; ``run`` borrows one for the call."""

    def __init__(self, path: Path, options: SessionOptions | None = None) -> None:
        self.path = path
        self.options = options or SessionOptions()
        if self.options.pool_size < 1:
            raise ValueError("pool_size must be at least 1")
        self._free: queue.SimpleQueue[ort.InferenceSession] = queue.SimpleQueue()
        sessions = [self._make_session() for _ in range(self.options.pool_size)]
        for s in sessions:
            self._free.put(s)
        first = sessions[0]
        self._input_names = [i.name for i in first.get_inputs()]
        self._input_shapes: list[list[int | str | None]] = [
            list(i.shape) for i in first.get_inputs()
        ]
        self._output_names = [o.name for o in first.get_outputs()]
        self._provider = first.get_providers()[0]
        self.runs = 0
        self.busy_seconds = 0.0
        self._waiting = 0
        #: Called after every ORT run with (rows, seconds); metrics hook in here.
        self.on_run: Callable[[int, float], None] | None = None

    def _make_session(self) -> ort.InferenceSession:
        so = ort.SessionOptions()
        so.intra_op_num_threads = self.options.intra_op_threads
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
        if not self.options.spin:
            so.add_session_config_entry("session.intra_op.allow_spinning", "0")
            so.add_session_config_entry("session.inter_op.allow_spinning", "0")
        return ort.InferenceSession(
            str(self.path),
            sess_options=so,
            providers=available_providers(self.options.providers),
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

    @contextmanager
    def _session(self) -> Iterator[ort.InferenceSession]:
        self._waiting += 1
        try:
            session = self._free.get()
        finally:
            self._waiting -= 1
        try:
            yield session
        finally:
            self._free.put(session)

    def run(self, feeds: Feeds) -> Outputs:
        with self._session() as session:
            start = time.perf_counter()
            outputs = session.run(self._output_names, feeds)
            took = time.perf_counter() - start
            self.busy_seconds += took
            self.runs += 1
        if self.on_run is not None:
            rows = next(iter(feeds.values())).shape[0] if feeds else 0
            self.on_run(int(rows), took)
        return [np.asarray(o) for o in outputs]
