"""One client's hostile load must not stall or bloat the server for everyone
else: with each load in flight, a health check and a small Detect from
another process keep answering, no probe call fails, and the server's RSS
stays under its decode budget plus 300 MiB. After a burst of large
malformed requests the server gives its memory back once idle.

The loads and the probe live in aurum_ml.testing.hostile, shared with
bench/hostile_bench.py, which reports the same figures.
"""

from __future__ import annotations

import struct
import time
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import grpc
import httpx
import pytest

from aurum.ml.v1 import (
    common_pb2,
    detection_pb2,
    detection_pb2_grpc,
    embedding_pb2,
    embedding_pb2_grpc,
    face_store_pb2,
    face_store_pb2_grpc,
    similarity_pb2,
    similarity_pb2_grpc,
)
from aurum_ml.testing import ServerProcess, running_server
from aurum_ml.testing.hostile import (
    SLOW_GRPC_PREFACE,
    Load,
    half_open,
    hostile_loads,
    measure,
    open_count,
    rss_mib,
)

BUDGET_MB = 512
HANDSHAKE_S = 3.0


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    env = {
        "AURUM_DECODE_BUDGET_MB": str(BUDGET_MB),
        "AURUM_GRPC_HANDSHAKE_TIMEOUT_S": str(HANDSHAKE_S),
        "AURUM_REST_READ_TIMEOUT_S": "3",
        "AURUM_HEAP_TRIM_INTERVAL_S": "5",
    }
    with running_server(env=env) as s:
        yield s


LOADS: dict[str, Load] = hostile_loads()


@pytest.mark.parametrize("name", list(LOADS))
def test_health_and_detect_keep_answering(server: ServerProcess, name: str) -> None:
    seen = measure(server, LOADS[name], seconds=5.0)
    assert not seen.failures, seen.failures
    assert len(seen.health) >= 20
    # Health needs only the event loop: a freeze of it shows here (a full
    # garbage collection held it 200 ms). The bound is 50 ms, which
    # bench/hostile_bench.py reports on a quiet machine; on a shared 2-core
    # CI runner scheduling noise alone reaches that, so the suite allows 100.
    assert seen.health_p99 < 0.1, sorted(seen.health)[-5:]
    # A Detect needs a worker thread and a core; it must not queue behind
    # the load (seconds before the large-image lane and the decode budget).
    assert seen.detect_p99 < 0.25, sorted(seen.detect)[-5:]
    assert seen.rss_peak < BUDGET_MB + 300, (seen.rss_before, seen.rss_peak)


def test_half_open_grpc_connections_are_closed_after_the_handshake_timeout(
    server: ServerProcess,
) -> None:
    with half_open(server.grpc_port, 50, SLOW_GRPC_PREFACE) as sockets:
        began = time.monotonic()
        while open_count(sockets) and time.monotonic() - began < HANDSHAKE_S + 10:
            time.sleep(0.2)
        assert open_count(sockets) == 0
        assert time.monotonic() - began < HANDSHAKE_S + 3
        # A well-behaved client is served meanwhile.
        with grpc.insecure_channel(server.grpc_target) as channel:
            stub = similarity_pb2_grpc.SimilarityStub(channel)
            reply = stub.Compare(
                similarity_pb2.CompareRequest(embedding_a=[1.0, 0.0], embedding_b=[1.0, 0.0]),
                timeout=5,
            )
            assert reply.score == pytest.approx(1.0)


def test_small_methods_refuse_big_requests_before_parsing(server: ServerProcess) -> None:
    with grpc.insecure_channel(server.grpc_target) as channel:
        compare = similarity_pb2_grpc.SimilarityStub(channel).Compare
        big = similarity_pb2.CompareRequest(embedding_a=[0.5] * 20_000, embedding_b=[0.5] * 20_000)
        with pytest.raises(grpc.RpcError) as e:
            compare(big, timeout=10)
        assert e.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert "/aurum.ml.v1.Similarity/Compare accepts at most 65536 bytes" in e.value.details()
        store = face_store_pb2_grpc.FaceStoreStub(channel)
        with pytest.raises(grpc.RpcError) as e:
            store.GetGallery(face_store_pb2.GetGalleryRequest(name="x" * 70_000), timeout=10)
        assert e.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        # At the limit's edge the method still works.
        ok = similarity_pb2.CompareRequest(embedding_a=[0.5] * 4096, embedding_b=[0.5] * 4096)
        assert compare(ok, timeout=10).score == pytest.approx(1.0)


def test_rest_refuses_a_million_candidates_before_parsing(server: ServerProcess) -> None:
    body = b'{"query": [1.0], "candidates": [' + b",".join([b"[0.5]"] * 1_000_000) + b"]}"
    began = time.monotonic()
    r = httpx.post(
        f"{server.rest_url}/api/calculate-similarity",
        content=body,
        headers={"content-type": "application/json"},
        timeout=30,
    )
    assert r.status_code == 400
    assert "1000002 JSON arrays; at most 100016 are accepted" in r.json()["message"]
    assert time.monotonic() - began < 2.0


def test_rest_big_bodies_parse_like_small_ones(server: ServerProcess) -> None:
    """Bodies over 64 KiB are parsed off the loop, piece by piece: the same
    answers, and the same 400 for a body that is not JSON."""
    candidates = [[float(i % 7), 1.0, 0.5] for i in range(20_000)]
    url = f"{server.rest_url}/api/calculate-similarity"
    r = httpx.post(url, json={"query": [1.0, 1.0, 0.5], "candidates": candidates, "top_k": 2})
    assert r.status_code == 200, r.text
    out = r.json()
    assert len(out["scores"]) == 20_000
    assert out["matches"][0]["score"] == pytest.approx(1.0)
    assert out["scores"][1] == pytest.approx(out["scores"][8])  # same candidate, same score
    broken = r.request.content[:-2]
    r = httpx.post(url, content=broken, headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert "JSON" in r.json()["message"]


def _truncated_png(side: int = 5000) -> bytes:
    """A valid PNG header claiming side x side pixels, with half the rows: the
    decoder allocates the whole image before it finds out (41 KB here)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = (b"\x00" + b"\x80" * (side * 3)) * (side // 2)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def _malformed_calls(server: ServerProcess) -> list[Callable[[], None]]:
    """Large requests the server must refuse, each with its expected status."""
    channel = grpc.insecure_channel(
        server.grpc_target, options=[("grpc.max_send_message_length", 16 << 20)]
    )
    detect = detection_pb2_grpc.FaceDetectionStub(channel).Detect
    embed_batch = embedding_pb2_grpc.FaceEmbeddingStub(channel).EmbedBatch
    compare_many = similarity_pb2_grpc.SimilarityStub(channel).CompareMany
    garbage_jpeg = b"\xff\xd8\xff\xe0" + bytes(range(256)) * (6 * 4096)
    truncated = common_pb2.Image(data=_truncated_png())
    ragged = similarity_pb2.CompareManyRequest(
        query=[0.5] * 512,
        candidates=[similarity_pb2.Embedding(values=[0.5] * 512)] * 3000
        + [similarity_pb2.Embedding(values=[0.5] * 511)],
    )

    def grpc_call(call: Callable[[], object], code: grpc.StatusCode) -> Callable[[], None]:
        def run() -> None:
            with pytest.raises(grpc.RpcError) as e:
                call()
            assert e.value.code() == code, e.value.details()

        return run

    def batch() -> None:
        reply = embed_batch(
            embedding_pb2.EmbedBatchRequest(
                requests=[embedding_pb2.EmbedRequest(image=truncated)] * 4
            ),
            timeout=60,
        )
        assert {r.error.code for r in reply.results} == {"INVALID_ARGUMENT"}

    def rest_json() -> None:
        body = b'{"query": [' + b"0.5," * 1_500_000 + b"]"
        r = httpx.post(
            f"{server.rest_url}/api/calculate-similarity",
            content=body,
            headers={"content-type": "application/json"},
            timeout=60,
        )
        assert r.status_code == 400

    invalid = grpc.StatusCode.INVALID_ARGUMENT
    return [
        grpc_call(
            lambda: detect(
                detection_pb2.DetectRequest(image=common_pb2.Image(data=garbage_jpeg)), timeout=60
            ),
            invalid,
        ),
        grpc_call(
            lambda: detect(detection_pb2.DetectRequest(image=truncated), timeout=60), invalid
        ),
        grpc_call(lambda: compare_many(ragged, timeout=60), invalid),
        batch,
        rest_json,
    ]


def test_memory_returns_to_baseline_after_a_burst_of_large_malformed_requests(
    server: ServerProcess,
) -> None:
    calls = _malformed_calls(server)
    pid = server.proc.pid

    def burst(n: int) -> None:
        with ThreadPoolExecutor(4) as pool:
            for f in [pool.submit(calls[i % len(calls)]) for i in range(n)]:
                f.result()

    # Warm: every path has run at this concurrency long enough to reach its
    # working set (thread arenas, grpc's buffers, the allocator's free lists:
    # after 40 calls the RSS still rose 36 MiB over the next 1,000 on a busy
    # machine, after 200 it does not), then a heap trim after 5 s idle.
    burst(200)
    time.sleep(12)
    baseline = rss_mib(pid)
    burst(1000)
    after_burst = rss_mib(pid)
    # Idle: the trim runs after 5 s without requests. Within 60 s the RSS
    # must be back within 30 MiB of the warm baseline.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and rss_mib(pid) > baseline + 30:
        time.sleep(1)
    assert rss_mib(pid) <= baseline + 30, (baseline, after_burst, rss_mib(pid))
