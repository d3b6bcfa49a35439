"""The soak: mixed valid and malformed traffic over both transports, with a few
slow clients, for AURUM_SOAK_MINUTES (20) minutes. The server's RSS is sampled
each minute; it passes when RSS stays within 50 MiB of the first sample and
no call fails wrongly (each call has the one answer it must get).

Each sample is taken in a pause of the traffic, after the idle heap trim
(AURUM_HEAP_TRIM_INTERVAL_S=2 here): what is measured is memory the server
keeps, not the images of the calls in flight at that moment (one 25 Mpx
decode is 75 MB), which would make the samples jump by 100 MB either way.

Run with `make test-slow`; the figures are printed (pytest -s shows them).
"""

from __future__ import annotations

import base64
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack

import grpc
import httpx
import pytest

from aurum.ml.v1 import (
    common_pb2,
    detection_pb2,
    detection_pb2_grpc,
    embedding_pb2,
    embedding_pb2_grpc,
    similarity_pb2,
    similarity_pb2_grpc,
)
from aurum_ml.testing import ServerProcess, running_server
from aurum_ml.testing.hostile import (
    SLOW_GRPC_PREFACE,
    SLOW_REST_REQUEST,
    flat_png,
    half_open,
    rss_mib,
    small_jpeg,
)
from tests.integration.test_hostile_load import _truncated_png

pytestmark = pytest.mark.slow

MINUTES = float(os.environ.get("AURUM_SOAK_MINUTES", "20"))
GROWTH_MIB = 50


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    env = {
        "AURUM_REST_READ_TIMEOUT_S": "3",
        "AURUM_GRPC_HANDSHAKE_TIMEOUT_S": "3",
        "AURUM_HEAP_TRIM_INTERVAL_S": "2",
    }
    with running_server(env=env) as s:
        yield s


Call = Callable[[], None]


def _traffic(server: ServerProcess, stack: ExitStack) -> dict[str, Call]:
    """Each call asserts the one answer it must get; ``stack`` closes the clients."""
    channel = stack.enter_context(
        grpc.insecure_channel(
            server.grpc_target, options=[("grpc.max_send_message_length", 16 << 20)]
        )
    )
    detect = detection_pb2_grpc.FaceDetectionStub(channel).Detect
    embed = embedding_pb2_grpc.FaceEmbeddingStub(channel)
    similarity = similarity_pb2_grpc.SimilarityStub(channel)
    rest = stack.enter_context(httpx.Client(base_url=server.rest_url, timeout=60))
    face = common_pb2.Image(data=small_jpeg())
    face_b64 = base64.b64encode(small_jpeg()).decode("ascii")
    garbage = common_pb2.Image(data=b"\xff\xd8\xff\xe0" + bytes(range(256)) * (6 * 4096))
    truncated = common_pb2.Image(data=_truncated_png())
    big_flat = common_pb2.Image(data=flat_png())

    def status(call: Callable[[], object], code: grpc.StatusCode) -> Call:
        def run() -> None:
            try:
                call()
            except grpc.RpcError as e:
                assert e.code() == code, (e.code(), e.details())
            else:
                raise AssertionError(f"expected {code.name}, the call succeeded")

        return run

    def detect_ok() -> None:
        assert len(detect(detection_pb2.DetectRequest(image=face), timeout=60).faces) == 1

    def embed_ok() -> None:
        reply = embed.Embed(embedding_pb2.EmbedRequest(image=face), timeout=60)
        assert len(reply.embedding) == 512

    def compare_many_ok() -> None:
        request = similarity_pb2.CompareManyRequest(
            query=[0.5] * 512, candidates=[similarity_pb2.Embedding(values=[0.5] * 512)] * 2000
        )
        assert len(similarity.CompareMany(request, timeout=60).scores) == 2000

    def rest_detect_ok() -> None:
        r = rest.post("/api/detect-face", json={"image": face_b64})
        assert r.status_code == 200 and len(r.json()["faces"]) == 1, r.text

    def rest_bad_json() -> None:
        r = rest.post(
            "/api/calculate-similarity",
            content=b'{"query": [' + b"0.5," * 300_000,
            headers={"content-type": "application/json"},
        )
        assert r.status_code == 400, r.text

    def rest_bad_image() -> None:
        r = rest.post(
            "/api/detect-face", json={"image": base64.b64encode(b"\x89PNG" * 1000).decode()}
        )
        assert r.status_code == 415, r.text  # not a PNG signature: an unrecognised format

    invalid = grpc.StatusCode.INVALID_ARGUMENT
    return {
        "Detect": detect_ok,
        "Embed": embed_ok,
        "CompareMany": compare_many_ok,
        "REST detect": rest_detect_ok,
        "Detect garbage JPEG": status(
            lambda: detect(detection_pb2.DetectRequest(image=garbage), timeout=60), invalid
        ),
        "Detect truncated 25 Mpx PNG": status(
            lambda: detect(detection_pb2.DetectRequest(image=truncated), timeout=60), invalid
        ),
        "Embed 25 Mpx without a face": status(
            lambda: embed.Embed(embedding_pb2.EmbedRequest(image=big_flat), timeout=60),
            grpc.StatusCode.NOT_FOUND,
        ),
        "REST broken JSON": rest_bad_json,
        "REST not an image": rest_bad_image,
    }


def test_soak(server: ServerProcess) -> None:
    with ExitStack() as stack:
        _soak(server, list(_traffic(server, stack).items()))


def _soak(server: ServerProcess, calls: list[tuple[str, Call]]) -> None:
    stop = threading.Event()
    running = threading.Event()  # cleared while a sample is taken
    running.set()
    done: Counter[str] = Counter()
    wrong: list[str] = []
    lock = threading.Lock()

    def client(offset: int) -> None:
        i = offset
        while not stop.is_set():
            running.wait()
            name, call = calls[i % len(calls)]
            i += 1
            try:
                call()
            except Exception as e:  # every failure is reported, none stops the soak
                with lock:
                    wrong.append(f"{name}: {e!r}"[:300])
            else:
                with lock:
                    done[name] += 1

    def slow_clients() -> None:
        # A few connections that never finish a request, reopened as the
        # server closes them.
        while not stop.is_set():
            with (
                half_open(server.rest_port or 0, 5, SLOW_REST_REQUEST),
                half_open(server.grpc_port, 5, SLOW_GRPC_PREFACE),
            ):
                stop.wait(5)

    threads = [threading.Thread(target=client, args=(k * 3,)) for k in range(3)]
    threads.append(threading.Thread(target=slow_clients))
    for t in threads:
        t.start()
    samples: list[float] = []
    try:
        end = time.monotonic() + MINUTES * 60
        while time.monotonic() < end:
            stop.wait(min(60.0, max(0.0, end - time.monotonic())))
            running.clear()
            time.sleep(8)  # calls in flight end, then two quiet trim intervals
            samples.append(rss_mib(server.proc.pid))
            running.set()
            print(
                f"soak minute {len(samples)}: RSS {samples[-1]:.0f} MiB, calls {sum(done.values())}"
            )
    finally:
        stop.set()
        running.set()
        for t in threads:
            t.join(120)
    print("soak calls:", dict(done))
    print("soak RSS samples (MiB):", [round(s) for s in samples])
    assert not wrong, wrong[:10]
    assert all(done[name] > 0 for name, _ in calls)
    assert max(samples) - samples[0] <= GROWTH_MIB, samples
    assert server.proc.poll() is None
