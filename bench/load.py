"""The gRPC load driver: grpc.aio stubs over several channels, concurrent callers that
share a number of requests (retrying admission-control rejections), and the cell
one (RPC, image, concurrency) measurement is recorded in.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from harness import DIM, MIB, CpuMeter, stats

Call = Callable[[], Awaitable[object]]


class Client:
    """grpc.aio stubs over ``n`` channels, each its own TCP connection."""

    def __init__(self, target: str, n: int, images: dict[str, bytes]) -> None:
        import grpc

        from aurum.ml.v1 import (
            common_pb2,
            detection_pb2,
            detection_pb2_grpc,
            embedding_pb2,
            embedding_pb2_grpc,
            similarity_pb2,
            similarity_pb2_grpc,
        )

        opts = [
            ("grpc.max_send_message_length", 64 * MIB),
            ("grpc.max_receive_message_length", 64 * MIB),
            # Without this, channels to one target share one subchannel (connection).
            ("grpc.use_local_subchannel_pool", 1),
        ]
        self.channels = [grpc.aio.insecure_channel(target, options=opts) for _ in range(n)]
        self.det = [detection_pb2_grpc.FaceDetectionStub(c) for c in self.channels]
        self.emb = [embedding_pb2_grpc.FaceEmbeddingStub(c) for c in self.channels]
        self.sim = [similarity_pb2_grpc.SimilarityStub(c) for c in self.channels]
        self.detect_req = {
            k: detection_pb2.DetectRequest(image=common_pb2.Image(data=v))
            for k, v in images.items()
        }
        self.embed_req = {
            k: embedding_pb2.EmbedRequest(image=common_pb2.Image(data=v)) for k, v in images.items()
        }
        rng = np.random.default_rng(7)
        a, b = rng.standard_normal((2, DIM)).astype(np.float32)
        self.compare_req = similarity_pb2.CompareRequest(
            embedding_a=a.tolist(), embedding_b=b.tolist()
        )

    def call(self, rpc: str, image: str, ch: int) -> Call:
        i = ch % len(self.channels)
        if rpc == "Detect":
            det, dreq = self.det[i], self.detect_req[image]
            return lambda: det.Detect(dreq)
        if rpc == "Embed":
            emb, ereq = self.emb[i], self.embed_req[image]
            return lambda: emb.Embed(ereq)
        if rpc == "Compare":
            sim, creq = self.sim[i], self.compare_req
            return lambda: sim.Compare(creq)
        raise ValueError(rpc)

    async def close(self) -> None:
        for c in self.channels:
            await c.close(None)


class Rejections:
    """RESOURCE_EXHAUSTED answers (the server's admission limit) seen while driving."""

    count = 0


async def drive(calls: Sequence[Call], total: int) -> tuple[list[float], float]:
    """``len(calls)`` concurrent callers share ``total`` successful requests;
    (latencies of those, wall). A caller the server turns away as busy
    (RESOURCE_EXHAUSTED, its admission limit) retries with jittered exponential
    backoff from 5 to 100 ms, as the error asks; rejections are counted in
    ``Rejections.count`` and are not latency samples."""
    import grpc

    lat: list[float] = []
    left = total
    rng = np.random.default_rng(5)

    async def caller(call: Call) -> None:
        nonlocal left
        while left > 0:
            left -= 1
            backoff = 0.005
            while True:
                t = time.perf_counter()
                try:
                    await call()
                except grpc.aio.AioRpcError as e:
                    if e.code() != grpc.StatusCode.RESOURCE_EXHAUSTED:
                        raise
                    Rejections.count += 1
                    await asyncio.sleep(backoff * float(rng.uniform(0.5, 1.0)))
                    backoff = min(backoff * 2, 0.1)
                    continue
                lat.append(time.perf_counter() - t)
                break

    t0 = time.perf_counter()
    await asyncio.gather(*(caller(c) for c in calls))
    return lat, time.perf_counter() - t0


async def drive_seq(call: Call, n: int) -> list[float]:
    lat, _ = await drive([call], n)
    return lat


@dataclass
class Cell:
    """One (RPC, image, concurrency) measurement: latencies, CPU, the server's peak RSS."""

    rpc: str
    image: str
    concurrency: int
    channels: int
    lat_s: list[float] = field(default_factory=list)
    meter: CpuMeter = field(default_factory=lambda: CpuMeter(None))
    rejected: int = 0
    peak_rss: int = 0

    def as_json(self) -> dict[str, Any]:
        s = stats(self.lat_s)
        n = len(self.lat_s)
        rps = n / self.meter.wall_s if self.meter.wall_s else float("nan")
        return {
            "rpc": self.rpc,
            "image": self.image,
            "concurrency": self.concurrency,
            "channels": self.channels,
            "requests": n,
            "rejected_busy": self.rejected,
            "p50_ms": round(s.p50_ms, 3),
            "p99_ms": round(s.p99_ms, 3),
            "mean_ms": round(s.mean_ms, 3),
            "throughput_rps": round(rps, 2),
            "p99_over_p50": round(s.p99_ms / s.p50_ms, 2) if s.p50_ms else None,
            "wall_s": round(self.meter.wall_s, 3),
            "server_peak_rss_mib_after": round(self.peak_rss / MIB, 1),
            **self.meter.as_json(n),
        }
