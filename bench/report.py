"""The printed report: one function per section of the text, each a list of lines,
the tables laid out by ``table``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from harness import IMAGES, MB, MIB


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    def fmt(v: object) -> str:
        if v is None:
            return "-"
        if isinstance(v, float):
            return "nan" if math.isnan(v) else f"{v:.2f}" if abs(v) < 1000 else f"{v:.0f}"
        return str(v)

    cells = [[fmt(v) for v in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    lines = [
        "  ".join(
            h.ljust(w) if i == 0 else h.rjust(w)
            for i, (h, w) in enumerate(zip(headers, widths, strict=True))
        )
    ]
    lines.append("  ".join("-" * w for w in widths))
    for r in cells:
        lines.append(
            "  ".join(
                v.ljust(w) if i == 0 else v.rjust(w)
                for i, (v, w) in enumerate(zip(r, widths, strict=True))
            )
        )
    return "\n".join(lines)


def report(r: dict[str, Any]) -> str:
    sections = (
        _header(r),
        _server_cells(r),
        _floors(r),
        _embed_breakdown(r),
        _ratios(r),
        _compare_many(r),
        _memory(r),
        _jobs(r),
        _sanity(r),
        _targets(r),
    )
    return "\n".join(line for section in sections for line in section)


def _header(r: dict[str, Any]) -> list[str]:
    m, o, s = r["machine"], r["onnxruntime"], r["settings"]
    sess = o["session"]
    intra = sess["intra_op_threads"]
    return [
        "aurum-ml serving benchmark",
        f"machine     : {m['cpu_model']}, {m['cpus']} CPUs ({m['cpus_usable']} usable), "
        f"{m['mem_gib']} GiB, Linux {m['kernel']}, Python {m['python']}",
        f"onnxruntime : {o['version']} ({o['distribution']}), provider {o['provider']} "
        f"(server reports {r['sanity'].get('server_provider') or '?'})",
        f"ORT session : intra_op_threads={intra}{' (ORT default: one per core)' * (intra == 0)}"
        f", inter_op_threads=1, spinning={'on' if sess['spin'] else 'off'}, "
        f"{sess['graph_optimization']}; the same for the in-process floors, InsightFace "
        "tuned and a server call that runs alone (its solo session); under load each of "
        f"the server's pool sessions has {sess['server_pool_intra_op_threads']} thread(s) "
        "(InsightFace as shipped keeps its own settings)",
        "server      : " + ", ".join(f"{k}={v}" for k, v in s.items() if k != "providers"),
        f"server env  : {' '.join(f'{k}={v}' for k, v in r['server_env'].items()) or '(defaults)'}"
        f"; for isolation: {' '.join(f'{k}={v}' for k, v in r['server_env_isolation'].items())}",
        f"load        : load average {r['load_average_start']} at start, "
        f"{r['load_average_end']} at end; run took {r['duration_s']:.0f} s",
        f"client      : grpc.aio in this process (one asyncio loop), "
        f"{r['callers_per_channel']} callers per channel, {r['requests_per_cell']} requests "
        "per cell; 1-client cells are interleaved with the in-process runs",
    ]


#: The grid table: (header, key of a cell in the JSON).
_SERVER_COLUMNS = (
    ("rpc", "rpc"),
    ("image", "image"),
    ("clients", "concurrency"),
    ("chan", "channels"),
    ("p50 ms", "p50_ms"),
    ("p99 ms", "p99_ms"),
    ("p99/p50", "p99_over_p50"),
    ("req/s", "throughput_rps"),
    ("busy-rej", "rejected_busy"),
    ("srv CPU", "server_cpu_ms_per_req"),
    ("cli CPU", "client_cpu_ms_per_req"),
    ("busy%", "machine_busy_pct"),
    ("others%", "others_busy_pct"),
    ("peak MiB", "server_peak_rss_mib_after"),
)


def _server_cells(r: dict[str, Any]) -> list[str]:
    rows = [tuple(c[key] for _, key in _SERVER_COLUMNS) for c in r["server"]]
    return [
        "",
        "== Server over gRPC (loopback) ==",
        "srv/cli CPU: CPU ms per request of the server process / of this client process;",
        "busy%: all CPUs busy; others%: busy not from server or client (other load);",
        "busy-rej: RESOURCE_EXHAUSTED answers (admission limit), retried with 5-100 ms backoff;",
        "peak MiB: the server's VmHWM during the cell (reset before each grid cell where "
        "the kernel allows; otherwise the peak so far, cells running top to bottom).",
        table(tuple(h for h, _ in _SERVER_COLUMNS), rows),
    ]


_RAW_LABELS = {
    "scrfd": "raw ORT: SCRFD session.run, the server's input",
    "arcface_x1": "raw ORT: ArcFace session.run, 1 crop",
    "arcface_x1_published": "raw ORT: ArcFace x1, the file as published (PRelu)",
    "scrfd_plus_arcface_x1": "raw ORT: SCRFD + ArcFace x1",
    "arcface_all": "raw ORT: ArcFace session.run, all crops in 1 batch",
    "yunet": "raw ORT: YuNet session.run, the server's input (permissive set)",
    "sface_x1": "raw ORT: SFace session.run, 1 crop (permissive set)",
    "yunet_plus_sface_x1": "raw ORT: YuNet + SFace x1 (permissive set)",
}

_SINGLE_LABELS = {
    "core_detect": "core Detect: FacePipeline.detect (decode, SCRFD)",
    "core_embed": "core Embed: FacePipeline.embed (prominent face, +quality)",
    "core_detect_permissive": "core Detect, permissive set (decode, YuNet)",
    "core_embed_permissive": "core Embed, permissive set (YuNet, SFace, +quality)",
    "pipeline_all_faces": "pipeline @640: decode, SCRFD, norm-crop, ArcFace (published files)",
    "pipeline_all_faces_rewritten": "pipeline @640, the server's rewritten embedder file",
    "insightface": "InsightFace FaceAnalysis.get as shipped (published files, ORT defaults)",
    "insightface_tuned": "InsightFace FaceAnalysis.get, the server's models + ORT settings",
    "server_detect": "server Detect over gRPC, 1 client (interleaved)",
    "server_embed": "server Embed over gRPC, 1 client (interleaved)",
    "core_detect_adjacent": "core Detect, in blocks next to the grid cells",
    "core_embed_adjacent": "core Embed, in blocks next to the grid cells",
}


def _floors(r: dict[str, Any]) -> list[str]:
    rows = _raw_ort_rows(r) + _single_stream_rows(r)
    out = [
        "",
        "== In-process floors (single stream, same ORT settings, no server) ==",
        table(("what", "image", "p50 ms", "p99 ms", "req/s", "CPU ms"), rows),
        "CPU ms: CPU time per call of the process doing the work (all its threads; the "
        "server's for the server rows); raw ORT rows: not measured.",
    ]
    if r["insightface"]["status"] == "ok":
        i = r["insightface"]
        out.append(
            f"InsightFace {i.get('version')} (onnxruntime {i.get('onnxruntime')}, "
            f"{i.get('where')}); it embeds every face (players.jpg: 22 ArcFace runs), "
            "the server's Embed only the most prominent one."
        )
    return out


def _raw_ort_rows(r: dict[str, Any]) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for img, raw in r["raw_ort"].items():
        for k, label in _RAW_LABELS.items():
            if k in raw:
                st = raw[k]
                extra = f" ({raw['faces']})" if k == "arcface_all" else ""
                rows.append(
                    (label + extra, img, st["p50_ms"], st["p99_ms"], st["single_stream_rps"], None)
                )
    return rows


def _single_stream_rows(r: dict[str, Any]) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for img, methods in r["single_client"].items():
        for k, label in _SINGLE_LABELS.items():
            if k in methods:
                st = methods[k]
                rows.append(
                    (
                        label,
                        img,
                        st["p50_ms"],
                        st["p99_ms"],
                        st["single_stream_rps"],
                        st["cpu_ms_per_call"],
                    )
                )
            elif k == "insightface":
                rows.append((label, img, r["insightface"]["status"], None, None, None))
    return rows


def _embed_breakdown(r: dict[str, Any]) -> list[str]:
    breakdown = r["embed_breakdown_p50_ms"]
    stages = list(next(iter(breakdown.values())).keys())
    return [
        "",
        "== Where the in-process Embed time goes (p50 ms per stage) ==",
        table(
            ("stage", *breakdown.keys()),
            [(st, *(b[st] for b in breakdown.values())) for st in stages],
        ),
    ]


_RATIO_LABELS = {
    "latency_c1_p50_server_embed_over_pipeline_all_faces": (
        "1-client Embed p50: server / in-process pipeline @640"
    ),
    "latency_c1_p50_server_embed_over_core_embed": (
        "1-client Embed p50: server / in-process core (same work)"
    ),
    "latency_c1_p50_server_embed_over_insightface": (
        "1-client Embed p50: server / InsightFace as shipped"
    ),
    "latency_c1_p50_server_embed_over_insightface_tuned": (
        "1-client Embed p50: server / InsightFace with the server's models + ORT"
    ),
    "latency_c1_p50_server_embed_over_raw_ort": "1-client Embed p50: server / raw ORT",
    "latency_c1_p50_server_detect_over_core_detect": (
        "1-client Detect p50: server / in-process core"
    ),
    "latency_c1_p50_server_detect_over_raw_ort": "1-client Detect p50: server / raw ORT",
    "throughput_c16_detect_over_core_single_stream": (
        "16-client Detect req/s / in-process core single stream (next to the grid)"
    ),
    "throughput_c16_embed_over_core_single_stream": (
        "16-client Embed req/s / in-process core single stream (next to the grid)"
    ),
    "throughput_c16_embed_over_pipeline_all_faces_single_stream": (
        "16-client Embed req/s / in-process pipeline @640 single stream"
    ),
    "throughput_c16_embed_over_insightface_single_stream": (
        "16-client Embed req/s / InsightFace as shipped, single stream"
    ),
    "throughput_c16_embed_over_insightface_tuned_single_stream": (
        "16-client Embed req/s / InsightFace with the server's models + ORT"
    ),
}


def _ratios(r: dict[str, Any]) -> list[str]:
    return [
        "",
        "== Ratios (lower is better for latency, higher for throughput) ==",
        table(
            ("ratio", *r["ratios"].keys()),
            [
                (label, *(v.get(k) for v in r["ratios"].values()))
                for k, label in _RATIO_LABELS.items()
            ],
        ),
        "players.jpg: the pipeline @640 and InsightFace embed all 22 faces, the server's Embed "
        "one, so only the 'core' ratios compare equal work there.",
    ]


def _compare_many(r: dict[str, Any]) -> list[str]:
    cm = r["compare_many"]
    rows = []
    for k in ("top_k_0", "top_k_10"):
        v = cm[k]
        rows.append(
            (
                k.replace("_", "=", 1).replace("top=k", "top_k"),
                v["rpc_round_trip"]["p50_ms"],
                v["rpc_round_trip"]["p99_ms"],
                v["core_compute"]["p50_ms"],
                v["server_decode_candidates"]["p50_ms"],
                v["server_encode_response"]["p50_ms"],
                v["request_bytes"],
            )
        )
    headers = (
        "call",
        "RPC p50 ms",
        "RPC p99 ms",
        "core compute p50",
        "candidates_in p50",
        "response pb p50",
        "request bytes",
    )
    return [
        "",
        f"== Similarity.CompareMany, {cm['candidates']} candidates x {cm['dim']}-d ==",
        table(headers, rows),
        "core compute = similarity.as_vector + similarity.compare_many in-process "
        "(what Core.compare_many runs); the wire carries no server-side time.",
    ]


def _memory(r: dict[str, Any]) -> list[str]:
    mem = r["server_memory"]
    return [
        "",
        "== Server memory ==",
        f"peak RSS (VmHWM) at 16 clients: {mem['peak_rss_16_clients_bytes'] / MIB:.1f} MiB "
        f"({mem['peak_rss_16_clients_bytes'] / MB:.1f} MB); over the whole run, 64 clients "
        f"included: {mem['peak_rss_bytes'] / MIB:.1f} MiB "
        f"({mem['peak_rss_bytes'] / MB:.1f} MB); after warm-up "
        f"{mem['peak_rss_after_warmup_bytes'] / MIB:.1f} MiB, during CompareMany "
        f"{mem['peak_rss_compare_many_bytes'] / MIB:.1f} MiB; RSS now "
        f"{mem['rss_bytes'] / MIB:.1f} MiB",
    ]


def _jobs(r: dict[str, Any]) -> list[str]:
    j = r.get("jobs", {"status": "not run"})
    out = ["", "== Job queue (BullMQ faceScoring on a local Redis; a second server) =="]
    if j["status"] != "ok":
        return [*out, f"not measured: {j['status']}"]
    alone, direct, loaded = j["drain_alone"], j["embed_direct"], j["drain_with_burst"]
    added = {"AURUM_QUEUE_REDIS_URL": "(its Redis)", **j["server_env_added"]}
    lat = [
        (label, b["completed"], b["failed"], b["jobs_per_s"], b["enqueue_s"], *_cols(b, _JOB_LAT))
        for label, b in (("alone", alone), ("under the RPC burst", loaded))
    ]
    burst = [_cols(c, _BURST) for c in j["rpc_burst"]]

    cpu = "server {server_cpu_ms_per_req}, Redis {redis_cpu_ms_per_req}, bench "
    cpu += "{client_cpu_ms_per_req} (busy {machine_busy_pct}%, others {others_busy_pct}%)"
    return [
        *out,
        f"{j['jobs']:,} jobs of {j['image']} (base64, attempts 1) added to the paused queue, "
        f"then released; queue concurrency {j['queue_concurrency']}; Redis without an "
        f"append-only file; the server also has {' '.join(map('='.join, added.items()))}.",
        f"throughput: {alone['jobs_per_s']} jobs/s draining alone (release to the last "
        f"finishedOn) vs {direct['throughput_rps']} Embed calls/s over gRPC from "
        f"{direct['concurrency']} callers (same server and image): "
        f"{j['jobs_per_s_over_embed_per_s']}x",
        f"CPU ms per job: {cpu.format(**alone)}; per Embed call: {cpu.format(**direct)}",
        "Job latency, ms, from BullMQ's timestamps (e2e: added to finishedOn; wait: to "
        "processedOn; run: processedOn to finishedOn; all are queued at once, so the wait is "
        "mostly the queue ahead of each job):",
        table(("jobs", "done", "failed", "jobs/s", "add s", *(h for h, _ in _JOB_LAT)), lat),
        f"RPC burst: {j['burst_clients']} clients, {j['burst_requests']} calls per RPC, "
        f"without jobs, then while the jobs drain ({loaded['left_when_burst_ended']} of "
        f"{j['jobs']:,} left when it ended); jobs done: finished during the cell. Peak memory: "
        f"the server {j['server_peak_rss_bytes'] / MIB:.1f} MiB (VmHWM), Redis "
        f"{j['redis']['memory']['peak_bytes'] / MIB:.1f} MiB (used_memory_peak).",
        table([h for h, _ in _BURST], burst),
    ]


def _cols(d: dict[str, Any], columns: Sequence[tuple[str, str]]) -> tuple[object, ...]:
    """``d``'s values for ``columns`` of (header, key); "group.key" for a nested key."""
    out = []
    for _, key in columns:
        group, _, leaf = key.rpartition(".")
        out.append((d[group] if group else d).get(leaf))
    return tuple(out)


#: The job latency table: (header, key of a batch in the JSON).
_JOB_LAT = tuple(
    (f"{short} {pct}", f"latency_{group}.{pct}_ms")
    for short, group, pcts in (
        ("e2e", "enqueue_to_finished", ("p50", "p90", "p99", "max")),
        ("wait", "wait", ("p50", "p99")),
        ("run", "run", ("p50", "p99")),
    )
    for pct in pcts
)
#: The RPC burst table: (header, key of a cell in the JSON).
_BURST = (
    ("rpc", "rpc"),
    ("image", "image"),
    ("clients", "concurrency"),
    ("queue", "queue"),
    ("p50 ms", "p50_ms"),
    ("p99 ms", "p99_ms"),
    ("p99/p50", "p99_over_p50"),
    ("req/s", "throughput_rps"),
    ("busy-rej", "rejected_busy"),
    ("jobs done", "jobs_done"),
    ("jobs/s", "jobs_per_s"),
    ("busy%", "machine_busy_pct"),
    ("others%", "others_busy_pct"),
)


def _sanity(r: dict[str, Any]) -> list[str]:
    out = ["", "== Sanity (server vs in-process vs InsightFace) =="]
    for img in IMAGES:
        sa = r["sanity"][img]
        out.append(
            f"{img}: faces server/in-process/InsightFace = {sa['faces_server']}/"
            f"{sa['faces_inprocess']}/{sa['faces_insightface'] or '-'}; cosine of the Embed "
            f"vector server vs in-process {sa['cos_server_vs_inprocess']}, "
            f"InsightFace vs in-process {sa['cos_insightface_vs_inprocess'] or '-'}"
        )
    return out


def _targets(r: dict[str, Any]) -> list[str]:
    out = ["", "== Targets (informational) =="]
    for t in r["targets"]:
        word = {True: "PASS", False: "FAIL", None: "SKIP"}[t["passed"]]
        out.append(f"{word}  {t['target']}: {t['detail']}")
    return out
