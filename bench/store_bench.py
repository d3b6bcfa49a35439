"""Benchmark of the face store in embedded (local folder) mode. Not a test.

    python bench/store_bench.py --n 100000 --path /tmp/aurum-store-bench

Enrolls N random unit vectors (one subject each) in batches, times a sample of
single-subject Enroll calls (what one Enroll RPC costs), re-opens the folder
(server start-up time), then runs Identify queries with noisy copies of
enrolled vectors and reports latency percentiles and top-1 accuracy.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import shutil
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from aurum_ml.store import FaceStore, StoreConfig, embedding_sha256

GALLERY = "bench"
MODEL_NAME = "bench-model"
MODEL_VERSION = "1"


def _batch_vectors(seed: int, batch: int, size: int, dim: int) -> npt.NDArray[np.float32]:
    # Seeded per batch so any enrolled vector can be regenerated as a probe
    # without keeping N x dim floats in memory.
    rng = np.random.default_rng([seed, batch])
    v = rng.standard_normal((size, dim), dtype=np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return v


def _subject(i: int) -> str:
    return f"subject-{i:08d}"


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def run(args: argparse.Namespace) -> dict[str, Any]:
    path = Path(args.path)
    if path.exists() and any(path.iterdir()):
        if not args.overwrite:
            sys.exit(f"{path} is not empty; pass --overwrite to replace it")
        if not (path / "meta.json").exists():
            sys.exit(f"{path} does not look like a Qdrant folder; refusing to delete it")
        shutil.rmtree(path)

    cfg = StoreConfig(location=str(path))
    store = FaceStore.open(cfg)
    store.create_gallery(GALLERY, MODEL_NAME, MODEL_VERSION, args.dim)

    n_batches = (args.n + args.batch - 1) // args.batch
    enrolled = 0
    trend: list[dict[str, float]] = []
    t0 = time.perf_counter()
    next_report = 0.1
    stopped_early = False
    for b in range(n_batches):
        size = min(args.batch, args.n - b * args.batch)
        vecs = _batch_vectors(args.seed, b, size, args.dim)
        subjects: list[tuple[str, list[tuple[Any, str, int, float, dict[str, str]]]]] = [
            (_subject(b * args.batch + j), [(v, embedding_sha256(v), 0, 0.9, {})])
            for j, v in enumerate(vecs)
        ]
        tb = time.perf_counter()
        store.enroll_batch(GALLERY, subjects, MODEL_NAME, MODEL_VERSION)
        batch_s = time.perf_counter() - tb
        enrolled += size
        elapsed = time.perf_counter() - t0
        if enrolled >= next_report * args.n or b == n_batches - 1:
            trend.append(
                {
                    "enrolled": enrolled,
                    "elapsed_s": round(elapsed, 2),
                    "last_batch_vectors_per_s": round(size / batch_s, 1),
                }
            )
            print(
                f"  {enrolled:>8d} enrolled  {elapsed:7.1f} s  "
                f"last batch {size / batch_s:8.0f} vectors/s",
                file=sys.stderr,
            )
            next_report += 0.1
        if args.max_seconds and elapsed > args.max_seconds:
            stopped_early = True
            print(f"  stopping: over --max-seconds {args.max_seconds}", file=sys.stderr)
            break
    bulk_s = time.perf_counter() - t0

    # Single-subject Enroll calls, each a full check + retrieve + upsert.
    rng = np.random.default_rng([args.seed, 10**6])
    single_lat: list[float] = []
    for i in range(args.single):
        v = rng.standard_normal(args.dim).astype(np.float32)
        v /= np.linalg.norm(v)
        ts = time.perf_counter()
        store.enroll(GALLERY, f"single-{i:06d}", [(v, embedding_sha256(v), 0, 0.9, {})], *_model())
        single_lat.append(time.perf_counter() - ts)
    total_points = store.count(GALLERY)
    store.close()

    # Start-up: embedded mode loads every point from sqlite into memory.
    t_open = time.perf_counter()
    store = FaceStore.open(cfg)
    reopen_s = time.perf_counter() - t_open

    # Identify: noisy copies of enrolled vectors; report latency and whether
    # the source subject ranks first.
    qrng = np.random.default_rng([args.seed, 2 * 10**6])
    last_full_batch = max(0, enrolled // args.batch - 1)
    for _ in range(args.warmup):
        store.identify(GALLERY, _batch_vectors(args.seed, 0, 1, args.dim)[0], *_model())
    id_lat: list[float] = []
    top1 = 0
    for _ in range(args.queries):
        b = int(qrng.integers(0, last_full_batch + 1))
        j = int(qrng.integers(0, min(args.batch, enrolled - b * args.batch)))
        src = _batch_vectors(args.seed, b, min(args.batch, enrolled - b * args.batch), args.dim)[j]
        probe = src + 0.3 * qrng.standard_normal(args.dim).astype(np.float32) / np.sqrt(args.dim)
        probe /= np.linalg.norm(probe)
        tq = time.perf_counter()
        matches = store.identify(GALLERY, probe, *_model(), top_k=args.top_k)
        id_lat.append(time.perf_counter() - tq)
        top1 += bool(matches) and matches[0].subject_id == _subject(b * args.batch + j)
    store.close()

    return {
        "n_requested": args.n,
        "n_bulk_enrolled": enrolled,
        "points_total": total_points,
        "stopped_early": stopped_early,
        "dim": args.dim,
        "batch": args.batch,
        "bulk_enroll_s": round(bulk_s, 2),
        "bulk_enroll_vectors_per_s": round(enrolled / bulk_s, 1),
        "single_enroll_calls": args.single,
        "single_enroll_p50_ms": round(_pct(single_lat, 50) * 1e3, 2),
        "single_enroll_p99_ms": round(_pct(single_lat, 99) * 1e3, 2),
        "single_enroll_calls_per_s": round(len(single_lat) / sum(single_lat), 1)
        if single_lat
        else None,
        "reopen_s": round(reopen_s, 2),
        "identify_queries": args.queries,
        "identify_top_k": args.top_k,
        "identify_p50_ms": round(_pct(id_lat, 50) * 1e3, 2),
        "identify_p99_ms": round(_pct(id_lat, 99) * 1e3, 2),
        "identify_mean_ms": round(float(np.mean(id_lat)) * 1e3, 2) if id_lat else None,
        "identify_top1_accuracy": round(top1 / args.queries, 4) if args.queries else None,
        "enroll_trend": trend,
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "disk_mib": round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20, 1),
        "python": platform.python_version(),
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
    }


def _model() -> tuple[str, str]:
    return MODEL_NAME, MODEL_VERSION


def _table(r: dict[str, Any]) -> str:
    rows = [
        ("vectors enrolled (bulk)", f"{r['n_bulk_enrolled']:,} x {r['dim']}-d"),
        (
            "bulk enroll",
            f"{r['bulk_enroll_vectors_per_s']:,.0f} vectors/s ({r['bulk_enroll_s']} s)",
        ),
        (
            "single Enroll call",
            f"p50 {r['single_enroll_p50_ms']} ms, p99 {r['single_enroll_p99_ms']} ms "
            f"({r['single_enroll_calls_per_s']} calls/s)",
        ),
        ("re-open (load)", f"{r['reopen_s']} s for {r['points_total']:,} points"),
        (
            f"identify top-{r['identify_top_k']}",
            f"p50 {r['identify_p50_ms']} ms, p99 {r['identify_p99_ms']} ms "
            f"({r['identify_queries']} queries)",
        ),
        ("identify top-1 accuracy", f"{r['identify_top1_accuracy']:.3f}"),
        ("max RSS / disk", f"{r['max_rss_mib']} MiB / {r['disk_mib']} MiB"),
    ]
    width = max(len(k) for k, _ in rows)
    lines = [f"{k:<{width}}  {v}" for k, v in rows]
    if r["stopped_early"]:
        lines.append(f"(stopped early: {r['n_bulk_enrolled']:,} of {r['n_requested']:,})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--n", type=int, default=100_000, help="vectors to enroll (one subject each)")
    p.add_argument("--path", default="/tmp/aurum-store-bench", help="embedded store folder")
    p.add_argument("--overwrite", action="store_true", help="replace an existing store folder")
    p.add_argument("--dim", type=int, default=512)
    p.add_argument("--batch", type=int, default=256, help="subjects per enroll_batch call")
    p.add_argument("--single", type=int, default=200, help="single-subject Enroll calls to time")
    p.add_argument("--queries", type=int, default=200)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--top-k", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--max-seconds", type=float, default=0.0, help="stop bulk enroll after this")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = p.parse_args(argv)

    # Embedded Qdrant warns above 20k points; that limit is what is measured.
    warnings.filterwarnings("ignore", message="Local mode is not recommended")
    result = run(args)
    print(json.dumps(result, indent=2) if args.json else _table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
