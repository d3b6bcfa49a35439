"""The ratios and the performance targets, computed from the result of a run.

The targets are those of the performance issue; they are informational (the bench
exits 0 whatever they say).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from harness import IMAGES, MB, MIB


def _cell(result: dict[str, Any], rpc: str, image: str, c: int) -> dict[str, Any] | None:
    for cell in result["server"]:
        if (cell["rpc"], cell["image"], cell["concurrency"]) == (rpc, image, c):
            return dict(cell)
    return None


def _r(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or not b or math.isnan(a) or math.isnan(b):
        return None
    return round(a / b, 3)


def ratios(result: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in IMAGES:
        s = result["single_client"][name]

        def p50(k: str, s: dict[str, Any] = s) -> float | None:
            return float(s[k]["p50_ms"]) if k in s else None

        def rps(k: str, s: dict[str, Any] = s) -> float | None:
            return float(s[k]["single_stream_rps"]) if k in s else None

        raw = result["raw_ort"][name]
        r: dict[str, Any] = {
            "latency_c1_p50_server_embed_over_pipeline_all_faces": _r(
                p50("server_embed"), p50("pipeline_all_faces")
            ),
            "latency_c1_p50_server_embed_over_core_embed": _r(
                p50("server_embed"), p50("core_embed")
            ),
            "latency_c1_p50_server_embed_over_insightface": _r(
                p50("server_embed"), p50("insightface")
            ),
            "latency_c1_p50_server_embed_over_insightface_tuned": _r(
                p50("server_embed"), p50("insightface_tuned")
            ),
            "latency_c1_p50_server_detect_over_core_detect": _r(
                p50("server_detect"), p50("core_detect")
            ),
            "latency_c1_p50_server_embed_over_raw_ort": _r(
                p50("server_embed"), raw["scrfd_plus_arcface_x1"]["p50_ms"]
            ),
            "latency_c1_p50_server_detect_over_raw_ort": _r(
                p50("server_detect"), raw["scrfd"]["p50_ms"]
            ),
        }
        for rpc, core in (("Detect", "core_detect"), ("Embed", "core_embed")):
            if f"{core}_adjacent" in s:
                core = f"{core}_adjacent"  # measured next to the cells
            c16 = _cell(result, rpc, name, 16)
            tput = c16["throughput_rps"] if c16 else None
            r[f"throughput_c16_{rpc.lower()}_over_core_single_stream"] = _r(tput, rps(core))
            if rpc == "Embed":
                r["throughput_c16_embed_over_pipeline_all_faces_single_stream"] = _r(
                    tput, rps("pipeline_all_faces")
                )
                r["throughput_c16_embed_over_insightface_single_stream"] = _r(
                    tput, rps("insightface")
                )
                r["throughput_c16_embed_over_insightface_tuned_single_stream"] = _r(
                    tput, rps("insightface_tuned")
                )
        out[name] = r
    return out


def targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def add(name: str, ok: bool | None, detail: str) -> None:
        out.append({"target": name, "passed": ok, "detail": detail})

    y = result["single_client"]["yaoming.jpg"]
    srv = y["server_embed"]["p50_ms"]
    pipe = y["pipeline_all_faces"]["p50_ms"]
    same = y["pipeline_all_faces_rewritten"]["p50_ms"]
    add(
        "single-client Embed yaoming <= 1.15x in-process pipeline @640",
        srv <= 1.15 * pipe,
        f"server p50 {srv:.2f} ms vs in-process on the published model files {pipe:.2f} ms"
        f" = {srv / pipe:.3f}x (the same pipeline on the server's rewritten files: "
        f"{same:.2f} ms, {srv / same:.3f}x)",
    )
    if "insightface" in y:
        ins = y["insightface"]["p50_ms"]
        detail = (
            f"server p50 {srv:.2f} ms vs InsightFace as shipped {ins:.2f} ms = {srv / ins:.3f}x"
        )
        if "insightface_tuned" in y:
            tuned = y["insightface_tuned"]["p50_ms"]
            detail += (
                f" (InsightFace given this server's models and ORT settings: {tuned:.2f} ms, "
                f"{srv / tuned:.3f}x)"
            )
        add("single-client Embed yaoming <= 0.75x InsightFace", srv <= 0.75 * ins, detail)
    else:
        add("single-client Embed yaoming <= 0.75x InsightFace", None, "InsightFace not measured")
    for name in ("players.jpg", "yaoming.jpg"):
        c16 = _cell(result, "Embed", name, 16)
        sc = result["single_client"][name]
        base = sc.get("core_embed_adjacent", sc["core_embed"])["single_stream_rps"]
        if c16 is None:
            add(f"16-client Embed {name} throughput >= 1.15x", None, "16 clients not measured")
            add(f"16-client Embed {name} p99 <= 3x p50", None, "16 clients not measured")
            continue
        t = c16["throughput_rps"]
        add(
            f"16-client Embed {name} throughput >= 1.15x in-process single stream",
            t >= 1.15 * base,
            f"{t:.1f} req/s vs {base:.1f} req/s = {t / base:.3f}x",
        )
        p50, p99 = c16["p50_ms"], c16["p99_ms"]
        add(
            f"16-client Embed {name} p99 <= 3x p50",
            p99 <= 3 * p50,
            f"p99 {p99:.1f} ms, p50 {p50:.1f} ms = {p99 / p50:.3f}x",
        )
    mem = result["server_memory"]
    peak16, peak = mem["peak_rss_16_clients_bytes"], mem["peak_rss_bytes"]
    scope = "the 16-client cells" if mem["peaks_per_cell"] else "the run so far (no per-cell reset)"
    add(
        "server peak RSS < 400 MB at 16 clients",
        peak16 < 400 * MB if peak16 else None,
        f"VmHWM over {scope} {peak16 / MB:.1f} MB ({peak16 / MIB:.1f} MiB); "
        f"whole run incl. 64 clients {peak / MB:.1f} MB",
    )
    core = result["compare_many"]["top_k_0"]["core_compute"]["p50_ms"]
    add("CompareMany(1,000) core compute < 1 ms", core < 1.0, f"p50 {core:.3f} ms (top_k=0)")
    _job_targets(result.get("jobs", {}), add)
    return out


def _job_targets(jobs: dict[str, Any], add: Callable[[str, bool | None, str], None]) -> None:
    """The job-queue issue: RPCs keep their p99 within 3x of their p99 without jobs."""
    if jobs.get("status") != "ok":
        add(
            "RPC p99 while jobs drain <= 3x p99 without jobs",
            None,
            f"job queue not measured: {jobs.get('status', 'not run')}",
        )
        return
    cells = {(c["rpc"], c["with_jobs"]): c for c in jobs["rpc_burst"]}
    for rpc in (c["rpc"] for c in jobs["rpc_burst"] if not c["with_jobs"]):
        base, busy = cells[rpc, False], cells.get((rpc, True))
        name = (
            f"{rpc} x{base['concurrency']} p99 while {jobs['jobs']:,} jobs drain "
            "<= 3x p99 without jobs"
        )
        if busy is None or not busy["jobs_left_at_start"]:
            add(name, None, "the jobs had drained before this RPC's burst began")
            continue
        a, b = base["p99_ms"], busy["p99_ms"]
        detail = (
            f"p99 {b:.2f} ms with jobs vs {a:.2f} ms without = {b / a:.2f}x "
            f"(p50 {busy['p50_ms']:.2f} vs {base['p50_ms']:.2f} ms); {busy['jobs_done']} jobs "
            f"finished during the cell ({busy['jobs_per_s']:.1f} jobs/s), "
            f"{busy['jobs_left_at_end']} left at its end"
        )
        if busy["jobs_left_at_end"] <= 0:
            detail += " (the jobs ran out before the cell ended: partial overlap)"
        add(name, b <= 3 * a, detail)
