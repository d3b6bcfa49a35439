"""Backpressure, deadlines and graceful shutdown against real server processes."""

from __future__ import annotations

import asyncio
import signal
import time

import grpc
import pytest

from aurum.ml.v1 import common_pb2, embedding_pb2, embedding_pb2_grpc
from aurum_ml.testing import running_server, start_server


def _embed_req(photos, name: str = "players.jpg") -> embedding_pb2.EmbedRequest:
    return embedding_pb2.EmbedRequest(image=common_pb2.Image(data=(photos / name).read_bytes()))


async def _burst(target: str, req: embedding_pb2.EmbedRequest, n: int) -> list[object]:
    async with grpc.aio.insecure_channel(target) as ch:
        stub = embedding_pb2_grpc.FaceEmbeddingStub(ch)

        async def one() -> object:
            started = time.monotonic()
            try:
                await stub.Embed(req, timeout=120)
                return ("ok", time.monotonic() - started)
            except grpc.aio.AioRpcError as e:
                return (e.code(), time.monotonic() - started)

        return await asyncio.gather(*(one() for _ in range(n)))


def test_overload_rejected_quickly_while_admitted_calls_succeed(photos):
    env = {"AURUM_MAX_PENDING_REQUESTS": "4", "AURUM_WORKERS": "2"}
    with running_server(env=env) as srv:
        results = asyncio.run(_burst(srv.grpc_target, _embed_req(photos), 64))
    ok = [t for code, t in results if code == "ok"]
    rejected = [t for code, t in results if code == grpc.StatusCode.RESOURCE_EXHAUSTED]
    assert len(ok) + len(rejected) == 64, results
    assert len(ok) >= 4
    assert len(rejected) >= 32
    # Rejection is decided before any work: it must not wait behind the queue.
    assert sorted(rejected)[len(rejected) // 2] < min(max(ok), 1.0)


def test_deadline_exceeded_releases_the_slot(photos):
    env = {"AURUM_MAX_PENDING_REQUESTS": "1", "AURUM_WORKERS": "1"}
    with running_server(env=env) as srv, srv.channel() as ch:
        stub = embedding_pb2_grpc.FaceEmbeddingStub(ch)
        with pytest.raises(grpc.RpcError) as e:
            stub.Embed(_embed_req(photos), timeout=0.005)
        assert e.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        # The abandoned work still holds the only slot until it really stops,
        # then gives it back: calls are refused for a moment, never forever.
        deadline = time.monotonic() + 10
        while True:
            try:
                resp = stub.Embed(_embed_req(photos, "yaoming.jpg"), timeout=30)
                break
            except grpc.RpcError as e:
                assert e.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
                assert time.monotonic() < deadline, "slot never released"
                time.sleep(0.05)
        assert len(resp.embedding) == 512


def test_abandoned_calls_log_one_line_and_no_traceback(photos):
    with running_server() as srv:
        with srv.channel() as ch:
            stub = embedding_pb2_grpc.FaceEmbeddingStub(ch)
            for _ in range(5):
                with pytest.raises(grpc.RpcError) as e:
                    stub.Embed(_embed_req(photos), timeout=0.005)
                assert e.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
            # The abandoned work has ended once a call gets through again.
            assert len(stub.Embed(_embed_req(photos, "yaoming.jpg"), timeout=30).embedding) == 512
        time.sleep(0.5)
        log = srv.log()
    assert "never retrieved" not in log and "Traceback" not in log, log[-3000:]
    assert "work of an abandoned call" in log


def test_server_caps_the_deadline(photos):
    env = {"AURUM_MAX_REQUEST_S": "0.001"}
    with running_server(env=env) as srv, srv.channel() as ch:
        with pytest.raises(grpc.RpcError) as e:
            embedding_pb2_grpc.FaceEmbeddingStub(ch).Embed(_embed_req(photos), timeout=60)
        assert e.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        assert "deadline" in e.value.details()


def test_sigterm_drains_calls_in_flight(photos):
    srv = start_server(env={"AURUM_SHUTDOWN_GRACE_S": "20"})

    async def scenario() -> list[object]:
        async with grpc.aio.insecure_channel(srv.grpc_target) as ch:
            stub = embedding_pb2_grpc.FaceEmbeddingStub(ch)
            calls = [
                asyncio.ensure_future(stub.Embed(_embed_req(photos), timeout=60)) for _ in range(6)
            ]
            await asyncio.sleep(0.3)  # let them reach the server
            srv.proc.send_signal(signal.SIGTERM)
            await asyncio.sleep(0.3)
            try:
                await stub.Embed(_embed_req(photos, "yaoming.jpg"), timeout=10)
                late: object = "ok"
            except grpc.aio.AioRpcError as e:
                late = e.code()
            results = await asyncio.gather(*calls, return_exceptions=True)
            return [*results, late]

    outcome = asyncio.run(scenario())
    code = srv.stop(timeout=40)
    *drained, late = outcome
    assert all(isinstance(r, embedding_pb2.EmbedResponse) for r in drained), drained
    assert late == grpc.StatusCode.UNAVAILABLE
    assert code == 0, srv.log()


def test_batching_on_gives_each_caller_its_own_answer(photos):
    """With the micro-batcher on, concurrent calls share ORT runs but each gets
    exactly the answer a lone call gets."""

    async def scenario(target: str) -> tuple[list[object], list[object]]:
        async with grpc.aio.insecure_channel(target) as ch:
            stub = embedding_pb2_grpc.FaceEmbeddingStub(ch)
            names = ["yaoming.jpg", "players.jpg"] * 6
            together = await asyncio.gather(
                *(stub.Embed(_embed_req(photos, n), timeout=60) for n in names)
            )
            alone = [await stub.Embed(_embed_req(photos, n), timeout=60) for n in names[:2]]
            return list(together), alone

    env = {"AURUM_BATCHING": "true", "AURUM_BATCH_MAX_WAIT_MS": "5", "AURUM_POOL_SIZE": "1"}
    with running_server(env=env) as srv:
        together, alone = asyncio.run(scenario(srv.grpc_target))
    for i, resp in enumerate(together):
        want = alone[i % 2]
        assert resp.face.bbox.x == pytest.approx(want.face.bbox.x, abs=1e-3)
        assert list(resp.embedding) == pytest.approx(list(want.embedding), abs=1e-4)
