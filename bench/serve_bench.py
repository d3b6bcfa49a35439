"""Serving benchmark: the real server over gRPC against the in-process ONNX Runtime floor.

    .venv/bin/python bench/serve_bench.py                     # what `make bench` runs
    .venv/bin/python bench/serve_bench.py --requests 60 --concurrency 1,16 \\
        --server-env AURUM_INTRA_OP_THREADS=1 --json /tmp/bench.json

In one run on one machine it

1. measures the in-process floors with the server's own model classes on plain
   SessionPools and the server's ORT thread settings: raw ``session.run`` of
   SCRFD (on the input the server's policy makes) and ArcFace on prepared
   tensors, a stage breakdown of the Embed path, the core's own
   ``FacePipeline.detect`` / ``embed``, and the reference pipeline with
   InsightFace's square 640 letterbox; and the same raw ORT and core rows for
   the permissive model set (YuNet, SFace), so the cost of each set shows;
2. starts ``aurum-ml serve`` (a real process; gRPC over loopback), warms it up,
   and measures Detect and Embed on yaoming.jpg (1 face) and players.jpg
   (22 faces) at each concurrency with grpc.aio callers, plus a tiny Compare
   call as the gRPC transport floor;
3. at one client, interleaves the server with the in-process pipeline and
   InsightFace's FaceAnalysis in rounds so machine noise hits them alike;
   InsightFace runs twice: as shipped (its ONNX Runtime defaults) and with the
   server's session options;
4. measures Similarity.CompareMany against 1,000 candidates (round trip and
   the core's compute) and the server's peak RSS;
5. with a real Redis and a second server consuming its BullMQ ``faceScoring``
   queue (unless ``--skip-jobs``): jobs/s draining ``--jobs`` queued jobs against
   direct Embed calls/s from as many callers as the queue's concurrency, and the
   p99 of a burst of RPCs without jobs and while the jobs drain;

and prints the ratios and the targets as PASS/FAIL lines (informational: the exit
status is 0 unless something crashed).

InsightFace runs in-process when ``import insightface`` works; otherwise
``--insightface-python`` may name another interpreter that has it (it must not
share a venv with onnxruntime-gpu), and bench/reference.py runs there as a worker.

This script parses the command line and runs the steps in order; the parts live
beside it: harness.py (photos, timing, percentiles, CPU and RSS accounting, the
machine), server_settings.py (the server's environment and ORT threads),
floors.py (the in-process floors), reference.py (InsightFace), load.py (the
grpc.aio load driver), measure.py (what is measured on the server), jobs.py (the
job queue), targets.py (ratios and targets) and report.py (the printed tables).
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import json
import math
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from floors import InProcess, published_models
from harness import (
    IMAGES,
    PHOTOS,
    ROOT,
    Memory,
    Stats,
    log,
    machine_info,
    ort_info,
    proc_mem,
    reset_peak,
    stats,
)
from jobs import job_queue
from load import Cell, Client
from measure import compare_many, measure_server
from reference import InsightFaceSide, make_model_pack, open_insightface
from report import report
from server_settings import (
    apply_server_env,
    pool_session_threads,
    settings_json,
    single_stream_threads,
)
from targets import ratios, targets

if TYPE_CHECKING:
    from aurum_ml.testing import ServerProcess


async def run_bench(args: argparse.Namespace) -> dict[str, Any]:
    from aurum_ml.settings import Settings

    t_start = time.perf_counter()
    load_start = os.getloadavg()
    server_env, isolation = apply_server_env(args.server_env)
    no_overrides: dict[str, Any] = {}
    settings = Settings(**no_overrides)  # reads AURUM_* from the environment
    images = {n: (PHOTOS / n).read_bytes() for n in IMAGES}
    n = args.requests
    conc: list[int] = args.concurrency
    result: dict[str, Any] = {
        "machine": machine_info(),
        "onnxruntime": ort_info(),
        "server_env": server_env,
        "server_env_isolation": isolation,
        "settings": settings_json(settings),
        "requests_per_cell": n,
        "concurrency": conc,
        "callers_per_channel": args.callers_per_channel,
        "load_average_start": [round(x, 2) for x in load_start],
    }
    log(f"load average {load_start}; settings {result['settings']}")

    # In-process floors, before the server exists --------------------------------------
    log("loading the in-process models")
    scratch = Path(tempfile.mkdtemp(prefix="aurum-bench-"))
    atexit.register(shutil.rmtree, scratch, True)
    published = published_models(scratch / "published")
    inproc = InProcess.load(settings, images, published)
    result["onnxruntime"]["provider"] = inproc.provider
    result["onnxruntime"]["session"] = {
        "intra_op_threads": single_stream_threads(settings),
        "server_pool_intra_op_threads": pool_session_threads(settings),
        "inter_op_threads": 1,
        "spin": settings.spin,
        "graph_optimization": "ORT_ENABLE_ALL",
    }
    raw, breakdown = inprocess_floors(inproc, n)

    if_roots = {
        "shipped": str(make_model_pack(scratch / "if-shipped", published)),
        "tuned": str(make_model_pack(scratch / "if-tuned", ROOT / "models")),
    }
    insight = open_insightface(args, settings, if_roots)
    log(f"InsightFace: {insight.status}")

    # The server ------------------------------------------------------------------------
    env = {**server_env, **isolation}
    single, cells, code = await measure_on_server(args, result, env, inproc, insight, images)

    result["server_exit_code"] = code
    job_image = (PHOTOS / args.jobs_image).read_bytes()
    result["jobs"] = await job_queue(args, settings, env, job_image)
    result["raw_ort"] = {
        img: {k: (v.as_json() if isinstance(v, Stats) else v) for k, v in r.items()}
        for img, r in raw.items()
    }
    result["embed_breakdown_p50_ms"] = {
        img: {k: round(v, 3) for k, v in b.items()} for img, b in breakdown.items()
    }
    result["single_client"] = {
        img: {k: v.as_json() for k, v in methods.items()} for img, methods in single.items()
    }
    result["insightface"] = {
        "status": insight.status,
        **{k: v for k, v in insight.info.items() if k != "embedding"},
    }
    result["server"] = [c.as_json() for c in cells]
    result["ratios"] = ratios(result)
    result["targets"] = targets(result)
    result["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    result["duration_s"] = round(time.perf_counter() - t_start, 1)
    return result


def inprocess_floors(
    inproc: InProcess, n: int
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, float]]]:
    """(raw ORT per image, the Embed stage breakdown per image), after a warm-up."""
    for name in IMAGES:
        for _ in range(3):
            inproc.core_detect(name)
            inproc.core_embed(name)
            inproc.permissive.core_detect(name)
            inproc.permissive.core_embed(name)
            inproc.pipeline_all_faces(name)
            inproc.embed_stages(name)
    log("raw ORT and the Embed stage breakdown")
    raw: dict[str, dict[str, Any]] = {}
    breakdown: dict[str, dict[str, float]] = {}
    for name in IMAGES:
        raw[name] = inproc.raw_ort(name, n)
        raw[name].update(inproc.permissive.raw_ort(name, n))
        per = [inproc.embed_stages(name) for _ in range(n)]
        breakdown[name] = {k: stats([p[k] for p in per]).p50_ms for k in per[0]}
    return raw, breakdown


async def measure_on_server(
    args: argparse.Namespace,
    result: dict[str, Any],
    env: dict[str, str],
    inproc: InProcess,
    insight: InsightFaceSide,
    images: dict[str, bytes],
) -> tuple[dict[str, dict[str, Stats]], list[Cell], int]:
    """Start the server and measure it, adding sanity, compare_many and server_memory
    to ``result``; stop it and InsightFace. (single-client stats, cells, exit code)."""
    from aurum_ml.testing import start_server

    conc: list[int] = args.concurrency
    log("starting the server")
    server: ServerProcess | None = None
    client: Client | None = None
    code = 0
    try:
        server = start_server(env=env, timeout=120.0)
        pid = server.proc.pid
        max_ch = max(1, math.ceil(max(conc) / args.callers_per_channel))
        client = Client(server.grpc_target, max_ch, images)
        single, cells, sanity = await measure_server(args, inproc, insight, client, pid, conc)
        result["server_rss_after_warmup"] = sanity.pop("rss")
        result["sanity"] = sanity
        reset_peak(pid)
        log("CompareMany against 1,000 candidates")
        result["compare_many"] = await compare_many(client, args.requests)
        mem = proc_mem(pid)
        under16 = [c.peak_rss for c in cells if c.concurrency == 16 and c.rpc != "Compare"]
        result["server_memory"] = {
            "peak_rss_bytes": max(Memory.peak, mem.get("VmHWM", 0)),
            "peak_rss_16_clients_bytes": max(under16, default=0),
            "peaks_per_cell": Memory.per_cell,
            "rss_bytes": mem.get("VmRSS", 0),
            "peak_rss_after_warmup_bytes": result.pop("server_rss_after_warmup"),
            "peak_rss_compare_many_bytes": mem.get("VmHWM", 0),
        }
    finally:
        if client is not None:
            await client.close()
        if server is not None:
            code = server.stop()
            if code != 0:
                log(f"server exited with {code}:\n{server.log()[-3000:]}")
        insight.close()
    return single, cells, code


# -- command line ----------------------------------------------------------------------


def _conc(s: str) -> list[int]:
    try:
        vals = sorted({int(x) for x in s.split(",") if x.strip()})
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"expected numbers like 1,4,16,64: {e}") from e
    if not vals or vals[0] < 1:
        raise argparse.ArgumentTypeError("concurrency values must be positive")
    return vals


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Throughput and latency of the aurum-ml server over gRPC against the "
        "in-process ONNX Runtime floor and InsightFace, in one run on this machine.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument(
        "--requests",
        type=int,
        default=250,
        help="requests per cell (per RPC, image and concurrency); also the in-process sample "
        "count and the job queue's RPC burst per RPC. The default run takes about 4-5 minutes "
        "on 2 cores (the job queue about 1 of them).",
    )
    p.add_argument(
        "--concurrency",
        type=_conc,
        default="1,4,16,64",
        help="comma-separated numbers of concurrent in-flight callers",
    )
    p.add_argument(
        "--callers-per-channel",
        type=int,
        default=16,
        help="callers sharing one gRPC channel (TCP connection)",
    )
    p.add_argument(
        "--json", metavar="PATH", help="also write the results as JSON; '-' prints to stdout"
    )
    p.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="KEY=VAL",
        help="environment for the server (repeatable), e.g. AURUM_INTRA_OP_THREADS=1; "
        "the in-process floors use the same ORT settings",
    )
    p.add_argument("--skip-insightface", action="store_true", help="do not measure InsightFace")
    p.add_argument(
        "--insightface-python",
        metavar="PYTHON",
        default=os.environ.get("AURUM_BENCH_INSIGHTFACE_PYTHON"),
        help="when insightface cannot be imported here, an interpreter that has it; "
        "read from $AURUM_BENCH_INSIGHTFACE_PYTHON when not given",
    )
    _job_args(p)
    args = p.parse_args(argv)
    if args.jobs < 10:
        p.error("--jobs must be at least 10")
    if args.jobs_clients < 1:
        p.error("--jobs-clients must be at least 1")
    if args.requests < 4:
        p.error("--requests must be at least 4")
    if args.callers_per_channel < 1:
        p.error("--callers-per-channel must be at least 1")
    return args


def _job_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group(
        "job queue",
        "a real Redis (redis-server, `make install`) and a second server consuming its "
        "BullMQ faceScoring queue; about 1 minute on 2 cores with the defaults",
    )
    g.add_argument("--skip-jobs", action="store_true", help="do not measure the job queue")
    g.add_argument(
        "--jobs",
        type=int,
        default=1000,
        metavar="N",
        help="jobs queued at once, drained alone and again under the RPC burst; also the "
        "number of direct Embed calls they are compared with",
    )
    g.add_argument(
        "--jobs-clients",
        type=int,
        default=4,
        metavar="C",
        help="concurrent gRPC callers of the RPC burst (each on its own channel); the burst "
        "is --requests calls per RPC (Compare, Detect, Embed), without and with jobs",
    )
    g.add_argument(
        "--jobs-image",
        default="yaoming.jpg",
        choices=sorted(f.name for f in PHOTOS.glob("*.jpg")),
        help="the bundled photo every job carries (base64) and the RPCs send",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    result = asyncio.run(run_bench(args))
    text = report(result)
    to_stdout = args.json == "-"
    print(text, file=sys.stderr if to_stdout else sys.stdout, flush=True)
    if args.json:
        payload = json.dumps(result, indent=2, default=str)
        if to_stdout:
            print(payload)
        else:
            Path(args.json).write_text(payload + "\n")
            log(f"JSON written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
