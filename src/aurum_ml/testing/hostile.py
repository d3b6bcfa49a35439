"""Hostile loads against a running server, and what a well-behaved client
sees meanwhile: a health check's and a small Detect's latency, the server's
RSS. Shared by the tests (which assert on it) and bench/hostile_bench.py
(which reports it).

The probe runs in its own process, so the load generators' Python work in
this one cannot slow the probe down and be blamed on the server.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.synchronize import Event as EventType
from pathlib import Path

import cv2
import grpc
import numpy as np
from grpc_health.v1 import health_pb2, health_pb2_grpc

from aurum.ml.v1 import (
    common_pb2,
    detection_pb2,
    detection_pb2_grpc,
    embedding_pb2,
    embedding_pb2_grpc,
    similarity_pb2,
    similarity_pb2_grpc,
)
from aurum_ml.testing.serverproc import ROOT, ServerProcess

#: One load: runs against ``server`` until the event is set.
Load = Callable[[ServerProcess, threading.Event], None]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


@dataclass(frozen=True, slots=True)
class Seen:
    """What the probe saw while a load ran (latencies in seconds, RSS in MiB)."""

    health: list[float]
    detect: list[float]
    #: Probe calls that failed, as "method: code".
    failures: list[str]
    rss_before: float
    rss_peak: float

    @property
    def health_p99(self) -> float:
        return percentile(self.health, 0.99)

    @property
    def detect_p99(self) -> float:
        return percentile(self.detect, 0.99)


def small_jpeg() -> bytes:
    image = cv2.imread(str(ROOT / "models" / "photos" / "yaoming.jpg"))
    assert image is not None
    ok, data = cv2.imencode(".jpg", image)
    assert ok
    return data.tobytes()


def _probe(
    target: str,
    seconds: float | None,
    out: mp.Queue[tuple[list[float], ...] | list[str]],
    stop: EventType | None = None,
    connected: EventType | None = None,
    detect_every: int = 1,
) -> None:
    channel = grpc.insecure_channel(target)
    health = health_pb2_grpc.HealthStub(channel)
    detect = detection_pb2_grpc.FaceDetectionStub(channel)
    request = detection_pb2.DetectRequest(image=common_pb2.Image(data=small_jpeg()))
    health.Check(health_pb2.HealthCheckRequest(), timeout=30)  # connected before timing
    if connected is not None:
        connected.set()
    h: list[float] = []
    d: list[float] = []
    failures: list[str] = []
    end = None if seconds is None else time.monotonic() + seconds
    rounds = 0
    while (end is None or time.monotonic() < end) and (stop is None or not stop.is_set()):
        calls: list[tuple[str, Callable[[], object], list[float]]] = [
            ("Health.Check", lambda: health.Check(health_pb2.HealthCheckRequest(), timeout=10), h)
        ]
        if rounds % detect_every == 0:
            calls.append(("Detect", lambda: detect.Detect(request, timeout=10), d))
        rounds += 1
        for name, call, into in calls:
            began = time.monotonic()
            try:
                call()
            except grpc.RpcError as e:
                failures.append(f"{name}: {e.code().name} {e.details()}")
            into.append(time.monotonic() - began)
        time.sleep(0.02)
    channel.close()
    out.put((h, d))
    out.put(failures)


class Probe:
    """The probe of :func:`measure`, run from :meth:`start` until :meth:`stop`
    instead of for a number of seconds: for a load that ends when its work is
    done (a bulk enrol, an index build). A Detect every ``detect_every``
    health checks, so that the probing itself takes little of the CPU the
    load is measured on."""

    def __init__(self, target: str, detect_every: int = 1) -> None:
        ctx = mp.get_context("spawn")  # no fork of a process with gRPC threads
        self._out: mp.Queue[tuple[list[float], ...] | list[str]] = ctx.Queue()
        self._stop = ctx.Event()
        self._connected = ctx.Event()
        self._proc = ctx.Process(
            target=_probe,
            args=(target, None, self._out, self._stop, self._connected, detect_every),
        )

    def start(self, timeout: float = 60.0) -> None:
        """Start probing; returns once the probe's first call has answered."""
        self._proc.start()
        if not self._connected.wait(timeout):
            self._proc.kill()
            raise RuntimeError("the probe process did not reach the server")

    def stop(self) -> tuple[list[float], list[float], list[str]]:
        """Stop probing; returns the health and Detect latencies (seconds) and
        the failed calls, as "method: code details"."""
        self._stop.set()
        timings = self._out.get(timeout=30)
        failures = self._out.get(timeout=30)
        self._proc.join(30)
        assert isinstance(timings, tuple) and isinstance(failures, list)
        return timings[0], timings[1], failures


def measure(server: ServerProcess, load: Load, seconds: float = 6.0, warmup: float = 1.0) -> Seen:
    """Run ``load`` and probe the server for ``seconds`` once it is under way."""
    ctx = mp.get_context("spawn")  # no fork of a process with gRPC threads
    out: mp.Queue[tuple[list[float], ...] | list[str]] = ctx.Queue()
    pid = server.proc.pid
    before = rss_mib(pid)
    peak = before
    stop = threading.Event()
    errors: list[BaseException] = []

    def run_load() -> None:
        try:
            load(server, stop)
        except BaseException as e:
            errors.append(e)

    loader = threading.Thread(target=run_load, daemon=True)
    loader.start()
    time.sleep(warmup)
    probe = ctx.Process(target=_probe, args=(server.grpc_target, seconds, out))
    probe.start()
    while probe.is_alive():
        peak = max(peak, rss_mib(pid))
        time.sleep(0.05)
    stop.set()
    loader.join(60)
    if errors:
        raise errors[0]
    timings = out.get(timeout=10)
    failures = out.get(timeout=10)
    assert isinstance(timings, tuple) and isinstance(failures, list)
    return Seen(timings[0], timings[1], failures, before, peak)


# -- the loads -------------------------------------------------------------------------


def _repeat(call: Callable[[], None], stop: threading.Event) -> None:
    while not stop.is_set():
        call()


def compare_many_load(message_bytes: int = int(7.9 * 1024 * 1024)) -> Load:
    """CompareMany calls of ``message_bytes`` (512-value candidates), back to back."""

    def run(server: ServerProcess, stop: threading.Event) -> None:
        rng = np.random.default_rng(0)
        n = message_bytes // (512 * 4 + 6)
        request = similarity_pb2.CompareManyRequest(
            query=rng.random(512).tolist(),
            candidates=[similarity_pb2.Embedding(values=v) for v in rng.random((n, 512)).tolist()],
        )
        options = [("grpc.max_send_message_length", 2 * message_bytes)]
        with grpc.insecure_channel(server.grpc_target, options=options) as channel:
            stub = similarity_pb2_grpc.SimilarityStub(channel)

            def call() -> None:
                reply = stub.CompareMany(request, timeout=60)
                assert len(reply.scores) == n

            _repeat(call, stop)

    return run


def flat_png(side: int = 5000) -> bytes:
    """A side x side grey PNG: tens of KB that decode to side² x 3 bytes."""
    ok, data = cv2.imencode(".png", np.full((side, side, 3), 128, np.uint8))
    assert ok
    return data.tobytes()


def embed_batch_load(items: int = 16, side: int = 5000) -> Load:
    """EmbedBatch calls of ``items`` flat side x side PNGs, back to back; each
    item is answered NOT_FOUND (no face) after its full decode."""

    def run(server: ServerProcess, stop: threading.Event) -> None:
        image = common_pb2.Image(data=flat_png(side))
        request = embedding_pb2.EmbedBatchRequest(
            requests=[embedding_pb2.EmbedRequest(image=image)] * items
        )
        with grpc.insecure_channel(server.grpc_target) as channel:
            stub = embedding_pb2_grpc.FaceEmbeddingStub(channel)

            def call() -> None:
                reply = stub.EmbedBatch(request, timeout=120)
                codes = {r.error.code for r in reply.results}
                assert codes == {"NOT_FOUND"}, codes

            _repeat(call, stop)

    return run


@contextmanager
def half_open(port: int, count: int, first_bytes: bytes) -> Iterator[list[socket.socket]]:
    """``count`` connections that send ``first_bytes`` and then nothing."""
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(first_bytes)
            sockets.append(s)
        yield sockets
    finally:
        for s in sockets:
            s.close()


def open_count(sockets: list[socket.socket]) -> int:
    """How many of ``sockets`` the server has not closed yet."""
    alive = 0
    for s in sockets:
        s.setblocking(False)
        try:
            if s.recv(1 << 16) != b"":
                alive += 1  # an answer (an error page) is not a close
        except BlockingIOError:
            alive += 1
        except OSError:
            pass
    return alive


#: An HTTP/1.1 request that never finishes its headers.
SLOW_REST_REQUEST = b"GET /api/health HTTP/1.1\r\nHost: x\r\n"
#: The start of the HTTP/2 connection preface, and nothing more.
SLOW_GRPC_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n"


def half_open_load(transport: str, count: int) -> Load:
    """``count`` half-open connections to the REST or gRPC port, kept open
    (or reopened as the server closes them) while the load runs."""
    payload = SLOW_REST_REQUEST if transport == "rest" else SLOW_GRPC_PREFACE

    def run(server: ServerProcess, stop: threading.Event) -> None:
        port = server.rest_port if transport == "rest" else server.grpc_port
        assert port is not None
        while not stop.is_set():
            with half_open(port, count, payload) as sockets:
                while not stop.is_set() and open_count(sockets) == count:
                    stop.wait(0.2)

    return run


def rest_compare_many_load(candidates: int, dim: int, random: bool = True) -> Load:
    """REST calculate-similarity calls with ``candidates`` x ``dim`` values,
    random ones (6 decimals) or all 0.5 (the most candidates per byte)."""

    def run(server: ServerProcess, stop: threading.Event) -> None:
        rng = np.random.default_rng(0)
        rows = rng.random((candidates, dim)).round(6).tolist() if random else [[0.5] * dim]
        body = json.dumps(
            {
                "query": rng.random(dim).round(6).tolist(),
                "candidates": rows if random else rows * candidates,
            }
        ).encode()

        def call() -> None:
            request = urllib.request.Request(
                f"{server.rest_url}/api/calculate-similarity",
                data=body,
                headers={"content-type": "application/json"},
            )
            try:
                with urllib.request.urlopen(request, timeout=60) as reply:
                    assert reply.status == 200
            except urllib.error.HTTPError as e:
                if e.code != 400:  # too many candidates is the answer expected
                    raise

        _repeat(call, stop)

    return run


def hostile_loads() -> dict[str, Load]:
    """The loads the hardening is measured under, by name: the four of its
    done-when, and two REST bodies of the largest accepted size."""
    return {
        "7.9 MiB CompareMany": compare_many_load(),
        "16 x 25 Mpx EmbedBatch": embed_batch_load(),
        "400 half-open REST connections": half_open_load("rest", 400),
        "50 half-open gRPC connections": half_open_load("grpc", 50),
        "4 MiB REST calculate-similarity": rest_compare_many_load(900, 512),
        "6.7 MiB 1M-candidate REST calculate-similarity": rest_compare_many_load(
            1_000_000, 1, random=False
        ),
    }
