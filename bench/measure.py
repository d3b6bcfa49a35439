"""What the benchmark measures on the running server: a sanity check against the
in-process core, the single-client rounds interleaved with the in-process runs and
InsightFace, the grid of (RPC, image, concurrency) cells, and CompareMany.
"""

from __future__ import annotations

import argparse
import math
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
from floors import InProcess
from harness import (
    CANDIDATES,
    DIM,
    IMAGES,
    MIN_SAMPLES,
    ROUNDS,
    CpuMeter,
    Memory,
    Stats,
    budgeted,
    log,
    proc_mem,
    reset_peak,
    self_cpu_s,
    stats,
    timed,
    timed_into,
)
from load import Call, Cell, Client, Rejections, drive, drive_seq
from reference import IF_VARIANTS, InsightFaceSide

if TYPE_CHECKING:
    from aurum.ml.v1.similarity_pb2 import CompareManyRequest
    from aurum_ml.types import CompareManyResult

#: What each 1-client round times, in the order the JSON lists them.
_SINGLE_KEYS = (
    "server_detect",
    "core_detect",
    "server_embed",
    "core_embed",
    "core_detect_permissive",
    "core_embed_permissive",
    "pipeline_all_faces",
    "pipeline_all_faces_rewritten",
    "insightface",
    "insightface_tuned",
)


async def measure_server(
    args: argparse.Namespace,
    inproc: InProcess,
    insight: InsightFaceSide,
    client: Client,
    pid: int,
    conc: list[int],
) -> tuple[dict[str, dict[str, Stats]], list[Cell], dict[str, Any]]:
    n = args.requests
    log("warming the server up")
    for name in IMAGES:
        await drive_seq(client.call("Detect", name, 0), 5)
        await drive_seq(client.call("Embed", name, 0), 5)
    await drive_seq(client.call("Compare", "", 0), 20)
    sanity = await _sanity(inproc, insight, client, pid)

    single: dict[str, dict[str, Stats]] = {}
    cells: list[Cell] = []
    for name in IMAGES:
        log(f"single client, interleaved: {name}")
        single[name], det_cell, emb_cell = await _interleaved(name, n, inproc, insight, client, pid)
        if 1 in conc:
            cells += [det_cell, emb_cell]
    cells += await _grid(args, inproc, client, pid, conc, single)
    order = {"Detect": 0, "Embed": 1, "Compare": 2}
    cells.sort(key=lambda c: (order[c.rpc], c.image != IMAGES[0], c.concurrency))
    return single, cells, sanity


async def _sanity(
    inproc: InProcess, insight: InsightFaceSide, client: Client, pid: int
) -> dict[str, Any]:
    """Same answers as the in-process core (and InsightFace) before timing anything."""
    from aurum.ml.v1 import common_pb2, detection_pb2, embedding_pb2

    sanity: dict[str, Any] = {"rss": proc_mem(pid).get("VmHWM", 0)}
    provider = ""
    for name in IMAGES:
        det = await client.det[0].Detect(
            detection_pb2.DetectRequest(image=common_pb2.Image(data=inproc.images[name]))
        )
        emb = await client.emb[0].Embed(
            embedding_pb2.EmbedRequest(image=common_pb2.Image(data=inproc.images[name]))
        )
        provider = det.model.execution_provider
        ours = inproc.core_embed(name)
        theirs = insight.info.get("embedding", {}).get(name)
        sanity[name] = {
            "faces_server": len(det.faces),
            "faces_inprocess": inproc.core_detect(name),
            "faces_insightface": insight.info.get("faces", {}).get(name),
            "cos_server_vs_inprocess": round(float(np.dot(np.asarray(emb.embedding), ours)), 5),
            "cos_insightface_vs_inprocess": (
                round(float(np.dot(np.asarray(theirs), ours)), 5) if theirs else None
            ),
        }
    sanity["server_provider"] = provider
    return sanity


async def _interleaved(
    name: str,
    n: int,
    inproc: InProcess,
    insight: InsightFaceSide,
    client: Client,
    pid: int,
) -> tuple[dict[str, Stats], Cell, Cell]:
    """One client: the server and its in-process equivalents on one image, in rounds,
    so drift in machine load hits them alike."""
    per_round = max(1, n // ROUNDS)
    samples: dict[str, list[float]] = {k: [] for k in _SINGLE_KEYS}
    det_cell = Cell("Detect", name, 1, 1, meter=CpuMeter(pid))
    emb_cell = Cell("Embed", name, 1, 1, meter=CpuMeter(pid))
    est_all = float(np.mean(timed(partial(inproc.pipeline_all_faces, name), 2)))
    k_all = max(1, budgeted(n, est_all) // ROUNDS)
    k_if = 0
    if insight.timer is not None:
        est_if = float(np.mean(insight.timer(name, 2, "shipped")))
        k_if = max(1, budgeted(n, est_if) // ROUNDS)
    cpu_s: dict[str, float] = dict.fromkeys(samples, 0.0)
    local = partial(timed_into, samples, cpu_s)
    # The 1-client Detect and Embed cells of an image share one peak: their
    # calls interleave.
    Memory.per_cell = reset_peak(pid)
    for _ in range(ROUNDS):
        with det_cell.meter.block():
            det_cell.lat_s += await drive_seq(client.call("Detect", name, 0), per_round)
        local("core_detect", partial(inproc.core_detect, name), per_round)
        with emb_cell.meter.block():
            emb_cell.lat_s += await drive_seq(client.call("Embed", name, 0), per_round)
        local("core_embed", partial(inproc.core_embed, name), per_round)
        local("core_detect_permissive", partial(inproc.permissive.core_detect, name), per_round)
        local("core_embed_permissive", partial(inproc.permissive.core_embed, name), per_round)
        local("pipeline_all_faces", partial(inproc.pipeline_all_faces, name), k_all)
        rewritten = partial(inproc.pipeline_all_faces, name, rewritten=True)
        local("pipeline_all_faces_rewritten", rewritten, k_all)
        if insight.timer is not None:
            for variant in IF_VARIANTS:
                key = "insightface" if variant == "shipped" else "insightface_tuned"
                c0 = insight.cpu()
                samples[key] += insight.timer(name, k_if, variant)
                cpu_s[key] += insight.cpu() - c0
    samples["server_detect"] = det_cell.lat_s
    samples["server_embed"] = emb_cell.lat_s
    cpu_s["server_detect"] = det_cell.meter.server_s
    cpu_s["server_embed"] = emb_cell.meter.server_s
    det_cell.peak_rss = emb_cell.peak_rss = proc_mem(pid).get("VmHWM", 0)
    Memory.peak = max(Memory.peak, det_cell.peak_rss)
    return {k: stats(v, cpu_s[k]) for k, v in samples.items() if v}, det_cell, emb_cell


async def _grid(
    args: argparse.Namespace,
    inproc: InProcess,
    client: Client,
    pid: int,
    conc: list[int],
    single: dict[str, dict[str, Stats]],
) -> list[Cell]:
    """The multi-client cells (and Compare at every concurrency). Before each cell a
    block of the in-process core on the same image, so the single-stream throughput
    the cells are compared with shares their noise; it is added to ``single``."""
    n = args.requests
    cells: list[Cell] = []
    adjacent: dict[tuple[str, str], list[float]] = {}
    adjacent_cpu: dict[tuple[str, str], float] = {}
    core_fn = {"Detect": inproc.core_detect, "Embed": inproc.core_embed}
    for rpc in ("Detect", "Embed", "Compare"):
        for name in IMAGES if rpc != "Compare" else ("2x512-d",):
            for c in conc:
                if c == 1 and rpc != "Compare":
                    continue  # measured above, interleaved
                if rpc in core_fn:
                    k = max(MIN_SAMPLES, n // ROUNDS)
                    c0 = self_cpu_s()
                    adjacent.setdefault((rpc, name), []).extend(
                        timed(partial(core_fn[rpc], name), k)
                    )
                    adjacent_cpu[rpc, name] = adjacent_cpu.get((rpc, name), 0.0) + (
                        self_cpu_s() - c0
                    )
                ch = max(1, math.ceil(c / args.callers_per_channel))
                log(f"{rpc} {name} x{c} clients on {ch} channel(s)")
                cells.append(await _run_cell(client, rpc, name, c, ch, n, pid))
    for (rpc, name), samples_s in adjacent.items():
        single[name][f"core_{rpc.lower()}_adjacent"] = stats(samples_s, adjacent_cpu[rpc, name])
    return cells


async def _run_cell(client: Client, rpc: str, name: str, c: int, ch: int, n: int, pid: int) -> Cell:
    """``c`` callers on ``ch`` channels share ``n`` requests, after a settling burst."""
    calls = [client.call(rpc, name, i % ch) for i in range(c)]
    Memory.per_cell = reset_peak(pid)
    await drive(calls, max(c, 4))  # settle threads, batch shapes, HTTP/2 windows
    cell = Cell(rpc, name, c, ch, meter=CpuMeter(pid))
    before = Rejections.count
    with cell.meter.block():
        cell.lat_s, _ = await drive(calls, n)
    cell.rejected = Rejections.count - before
    cell.peak_rss = proc_mem(pid).get("VmHWM", 0)
    Memory.peak = max(Memory.peak, cell.peak_rss)
    return cell


def _compare_many_call(client: Client, req: CompareManyRequest) -> Call:
    stub = client.sim[0]
    return lambda: stub.CompareMany(req)


async def compare_many(client: Client, n: int) -> dict[str, Any]:
    from aurum.ml.v1 import similarity_pb2
    from aurum_ml import similarity
    from aurum_ml.grpc import converters as cv

    rng = np.random.default_rng(11)
    cands = rng.standard_normal((CANDIDATES, DIM)).astype(np.float32)
    cands /= np.linalg.norm(cands, axis=1, keepdims=True)
    query = cands[123] + 0.3 * rng.standard_normal(DIM).astype(np.float32)
    pb_cands = [similarity_pb2.Embedding(values=row.tolist()) for row in cands]
    out: dict[str, Any] = {"candidates": CANDIDATES, "dim": DIM}
    for top_k in (0, 10):
        req = similarity_pb2.CompareManyRequest(
            query=query.tolist(), candidates=pb_cands, top_k=top_k
        )
        rpc = _compare_many_call(client, req)
        await drive_seq(rpc, 10)
        rtt = stats(await drive_seq(rpc, n))

        # What Core.compare_many runs (the server exposes no server-side time).
        def core(top_k: int = top_k) -> CompareManyResult:
            q = similarity.as_vector(query, "query")
            return similarity.compare_many(q, cands, "cosine", 0.35, top_k)

        timed(core, 20)
        core_s = stats(timed(core, max(n, 200)))
        # The servicer's conversions, on the same data, for the decomposition.
        parsed = similarity_pb2.CompareManyRequest.FromString(req.SerializeToString())
        res = core()
        decode_s = stats(timed(partial(cv.candidates_in, parsed.candidates), 50))
        encode_s = stats(timed(partial(cv.compare_many_pb, res), 50))
        out[f"top_k_{top_k}"] = {
            "rpc_round_trip": rtt.as_json(),
            "core_compute": core_s.as_json(),
            "server_decode_candidates": decode_s.as_json(),
            "server_encode_response": encode_s.as_json(),
            "request_bytes": req.ByteSize(),
        }
    return out
