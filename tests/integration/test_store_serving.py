"""Serving is never stalled by the embedded engine: while a bulk enrol runs
and index builds run, health, Detect and Identify keep answering (a real
server, its store process and index builder, over real ports).

The engine holds the GIL for as long as each call lasts (an index build:
minutes), which is why it lives in a store process of its own; this test is
what shows it: health and Detect stay fast (p99 <= 50 ms) and Identify
answers throughout.

Health and Detect are measured from a process of their own (the probe of
aurum_ml.testing.hostile): in this one, the enrolling client's Python work
holds the GIL the probe's threads need, and that wait would be blamed on
the server.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import grpc
import numpy as np
import pytest

from aurum.ml.v1 import common_pb2, detection_pb2, detection_pb2_grpc, face_store_pb2
from aurum.ml.v1 import face_store_pb2_grpc as fs_grpc
from aurum_ml.testing import ROOT, running_server
from aurum_ml.testing.hostile import Probe

PHOTO = ROOT / "models" / "photos" / "yaoming.jpg"


def _unit(rng: np.random.Generator) -> list[float]:
    v = rng.standard_normal(512).astype(np.float32)
    return (v / np.linalg.norm(v)).tolist()


def _p99(values: list[float]) -> float:
    return float(np.percentile(np.asarray(values), 99))


def _measure_while(
    busy: threading.Event, fn, pause: float, out: list[float], errors: list[str]
) -> None:
    while busy.is_set():
        start = time.perf_counter()
        try:
            fn()
        except grpc.RpcError as exc:
            errors.append(f"{exc.code()}: {exc.details()}")
        out.append(time.perf_counter() - start)
        time.sleep(pause)


def _serving_during_bulk_enrol(
    tmp_path: Path, faces: int, health_p99: float, detect_p99: float
) -> None:
    env = {
        "AURUM_DATA_DIR": str(tmp_path),
        # Index builds start during the enrol, several times over.
        "AURUM_STORE_INDEX_THRESHOLD": str(faces // 4),
        "AURUM_MAX_PENDING_REQUESTS": "64",
    }
    image = common_pb2.Image(data=PHOTO.read_bytes())
    with running_server(env) as srv, srv.channel() as channel:
        store = fs_grpc.FaceStoreStub(channel)
        detect = detection_pb2_grpc.FaceDetectionStub(channel)
        rng = np.random.default_rng(5)
        probe = _unit(rng)
        store.Enroll(
            face_store_pb2.EnrollRequest(
                gallery="bulk", subject_id="probe", embedding={"values": probe}
            )
        )
        # Detect on an idle server first: on a shared 2-core machine its
        # latency is the machine's as much as ours, so it is the yardstick.
        idle: list[float] = []
        for _ in range(20):
            start = time.perf_counter()
            detect.Detect(detection_pb2.DetectRequest(image=image))
            idle.append(time.perf_counter() - start)
            time.sleep(0.05)

        busy = threading.Event()
        busy.set()
        identify_s: list[float] = []
        errors: list[str] = []
        # Identify from this process: its latency is not asserted, only that
        # it answers. A Detect every tenth health check (about 5 a second):
        # a rate that leaves the two cores to the enrol rather than to the
        # measuring.
        watcher = threading.Thread(
            target=_measure_while,
            args=(
                busy,
                lambda: store.Identify(
                    face_store_pb2.IdentifyRequest(gallery="bulk", embedding={"values": probe}),
                    timeout=10,
                ),
                0.05,
                identify_s,
                errors,
            ),
        )
        prober = Probe(srv.grpc_target, detect_every=10)
        prober.start()
        watcher.start()

        def enrol(part: int, parts: int) -> None:
            r = np.random.default_rng(100 + part)
            for i in range(part, faces, parts):
                store.Enroll(
                    face_store_pb2.EnrollRequest(
                        gallery="bulk", subject_id=f"s{i:06d}", embedding={"values": _unit(r)}
                    ),
                    timeout=30,
                )

        started = time.perf_counter()
        try:
            # One import client sending Enroll after Enroll, as fast as answered.
            enrollers = [threading.Thread(target=enrol, args=(0, 1))]
            for t in enrollers:
                t.start()
            for t in enrollers:
                t.join()
            enrol_s = time.perf_counter() - started
            # Keep measuring until the index build the enrol started is done.
            deadline = time.monotonic() + 300
            while "index build of aurum_bulk done" not in srv.log() and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            busy.clear()
            watcher.join()
            health_s, detect_s, failures = prober.stop()
        log = srv.log()
        assert "index build of aurum_bulk started" in log, log[-3000:]
        assert "index build of aurum_bulk done" in log, log[-3000:]
        assert errors == []
        assert failures == []
        identified = store.Identify(
            face_store_pb2.IdentifyRequest(gallery="bulk", embedding={"values": probe})
        )
        assert identified.matches[0].subject_id == "probe"
        count = store.GetGallery(face_store_pb2.GetGalleryRequest(name="bulk"))
        assert count.face_count == faces + 1
    timings = {"health": health_s, "detect": detect_s, "identify": identify_s}
    summary = {
        name: (len(t), round(_p99(t) * 1e3, 1), round(max(t) * 1e3, 1))
        for name, t in timings.items()
    }
    idle_p99 = _p99(idle[5:])
    print(
        f"\n{faces} faces enrolled in {enrol_s:.1f} s; Detect p99 idle {idle_p99 * 1e3:.1f} ms; "
        f"during the enrol and builds (calls, p99 ms, max ms): {summary}"
    )
    assert all(len(t) >= 10 for t in timings.values()), summary
    # Health needs no CPU to speak of: any stall of the serving interpreter
    # would show here first (an in-process engine froze it for seconds).
    assert _p99(timings["health"]) <= health_p99, summary
    # Detect shares the two cores with the enrol itself (client, server and
    # store process), and runs on a one-thread pool session instead of the
    # idle server's two-thread solo session.
    assert _p99(timings["detect"]) <= detect_p99, (idle_p99, summary)


def test_health_and_detect_answer_during_bulk_enrol_and_index_builds(tmp_path: Path) -> None:
    # Loose enough for two cores shared with the load itself (and, on a
    # developer's machine, with other work): a stall of the serving
    # interpreter by the engine lasts seconds (an index build: minutes).
    _serving_during_bulk_enrol(tmp_path, 2000, health_p99=0.300, detect_p99=0.600)


@pytest.mark.slow
def test_health_and_detect_answer_during_10k_bulk_enrol_and_index_builds(tmp_path: Path) -> None:
    # The bar of the design: on a machine that does nothing else.
    _serving_during_bulk_enrol(tmp_path, 10_000, health_p99=0.050, detect_p99=0.050)
