"""The face store's engines side by side: Qdrant Edge (the embedded default)
and qdrant-client's local mode (the embedded engine before it). Not a test.

    .venv/bin/python bench/store_bench.py --n 100000 --path /tmp/aurum-store-bench
    .venv/bin/python bench/store_bench.py --n 1000000 --engines edge --queries 300

Per engine, on real-like vectors (near-duplicates of the real embeddings of
the bundled photos, spread as a gallery of distinct people is): bulk enrol
rate (embeddings given, enroll_batch), index build time (Edge: in its
builder process), re-open time, Identify top-5 p50/p99 unfiltered and
subject-filtered (Verify), recall@5 against exact search (numpy over every
vector), peak and steady RSS of the process that holds the engine, disk.
For Edge it then starts the real server on the folder and times Identify
over gRPC (with the store-side search time above reported separately), and
the server's RSS (server plus store process).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
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

from aurum_ml.store import FaceEmbedding, FaceStore, StoreConfig, open_store
from aurum_ml.store.edge import EdgeEngine

GALLERY = "bench"
#: The server's embedder, as real_embeddings finds it (the gRPC phase needs it).
MODEL = ("", "")
Vectors = npt.NDArray[np.float32]


def _unit(v: Vectors) -> Vectors:
    out: Vectors = (v / np.linalg.norm(v, axis=-1, keepdims=True)).astype(np.float32)
    return out


def real_embeddings() -> Vectors:
    """Every face of the bundled photos, embedded by the server's model."""
    from aurum_ml.bootstrap import default_detector, served_models
    from aurum_ml.core import ImageInput
    from aurum_ml.local import open_core, roles_for
    from aurum_ml.settings import Settings

    settings = Settings()
    detector = default_detector(settings, served_models(settings))
    core = open_core(settings, roles_for("embed", detector))
    global MODEL
    try:
        embedded = [
            core.pipeline.embed_image(ImageInput(data=p.read_bytes()), all_faces=True)
            for p in sorted(settings.models_dir.glob("photos/*.jpg"))
        ]
    finally:
        core.close()
    MODEL = (embedded[0].model.name, embedded[0].model.version)
    return _unit(np.concatenate([e.vectors for e in embedded]))


def gallery_vectors(real: Vectors, n: int, seed: int) -> Vectors:
    """n distinct people: each a real face plus as much noise again, so two
    of them score ~0.1 (real strangers: 0-0.3) and the set has the
    structure of real embeddings rather than of uniform noise."""
    rng = np.random.default_rng(seed)
    base = real[rng.integers(0, len(real), n)]
    noise = rng.standard_normal((n, real.shape[1]), dtype=np.float32) / np.sqrt(real.shape[1])
    return _unit(base + 1.2 * noise)


def probes(gallery: Vectors, count: int, seed: int) -> tuple[npt.NDArray[np.int64], Vectors]:
    """Another photo of enrolled people: cosine ~0.75 to their enrolled face."""
    rng = np.random.default_rng(seed + 1)
    which = rng.integers(0, len(gallery), count)
    noise = rng.standard_normal((count, gallery.shape[1]), dtype=np.float32)
    return which, _unit(gallery[which] + 0.9 * noise / np.sqrt(gallery.shape[1]))


def _exact_top5(queries: Vectors, gallery: Vectors) -> npt.NDArray[np.int64]:
    """The exact top-5 of each query by brute force, in chunks (1M x 512 fits)."""
    out = []
    for start in range(0, len(queries), 64):
        scores = queries[start : start + 64] @ gallery.T
        out.append(np.argpartition(-scores, 5, axis=1)[:, :5])
    return np.concatenate(out)


def _subject(i: int) -> str:
    return f"person-{i:08d}"


def _pct(values: list[float], q: float) -> float:
    return round(float(np.percentile(np.asarray(values), q)) * 1e3, 2)


def _status_mib(pid: int) -> dict[str, float]:
    """The memory lines of /proc/PID/status, MiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if value.strip().endswith("kB"):
            fields[key] = int(value.split()[0]) / 1024
    return fields


def _rss_mib(pid: int) -> tuple[float, float]:
    """(current, peak) resident set of a process, MiB."""
    fields = _status_mib(pid)
    return fields["VmRSS"], fields["VmHWM"]


def _anon_mib(pid: int) -> float:
    """The anonymous part of a process's resident set: what the kernel cannot
    drop under pressure (the rest is file pages, the engine's mapped vectors
    and index, which it reclaims and reads back)."""
    return _status_mib(pid)["RssAnon"]


def _disk_mib(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20, 1)


def _open(engine: str, folder: Path, ef: int | None = None) -> FaceStore:
    if engine == "edge":
        # Index builds are started by the benchmark, to time them.
        config = StoreConfig(location=str(folder), index_threshold=0)
        return open_store(config if ef is None else dataclasses.replace(config, hnsw_ef=ef))
    from qdrant_client import QdrantClient

    from aurum_ml.store.qdrant_engine import QdrantClientEngine

    return FaceStore(QdrantClientEngine(QdrantClient(path=str(folder)), local=True), StoreConfig())


def _holder_rss(store: FaceStore) -> tuple[float, float]:
    engine = store.engine
    return _rss_mib(engine.pid if isinstance(engine, EdgeEngine) else os.getpid())


def measure(
    engine: str, folder: Path, gallery: Vectors, args: argparse.Namespace
) -> dict[str, Any]:
    out: dict[str, Any] = {"engine": engine}
    n = len(gallery)
    store = _open(engine, folder)
    store.create_gallery(GALLERY, *MODEL, gallery.shape[1])
    started = time.perf_counter()
    for start in range(0, n, args.batch):
        subjects = [
            (_subject(i), [FaceEmbedding(gallery[i], f"{i:064x}", 0, 0.9, {})])
            for i in range(start, min(n, start + args.batch))
        ]
        store.enroll_batch(GALLERY, subjects, *MODEL)
    out["bulk_enrol_faces_per_s"] = round(n / (time.perf_counter() - started))
    if engine == "edge":
        assert isinstance(store.engine, EdgeEngine)
        started = time.perf_counter()
        store.engine.build_index(store.collection(GALLERY))
        while True:
            state = store.index_state(GALLERY)
            if not state.building and state.indexed >= n:
                break
            time.sleep(0.5)
        out["index_build_s"] = round(time.perf_counter() - started, 1)
    store.close()

    started = time.perf_counter()
    store = _open(engine, folder)
    out["reopen_s"] = round(time.perf_counter() - started, 2)
    # Local mode scans every point in Python per call (~1 s for a filtered one
    # at 100k): fewer queries keep its run to minutes.
    count = args.queries if engine == "edge" else min(args.queries, args.local_queries)
    which, queries = probes(gallery, count, args.seed)
    # Exact top-5 by brute force over every vector: what recall is measured against.
    exact = _exact_top5(queries, gallery)
    out.update(_identify(store, which, queries, exact))
    lat: list[float] = []
    for i, q in zip(which, queries, strict=True):
        t = time.perf_counter()
        store.verify(GALLERY, _subject(int(i)), q, *MODEL)
        lat.append(time.perf_counter() - t)
    out["verify_subject_filter_p50_ms"] = _pct(lat, 50)
    out["verify_subject_filter_p99_ms"] = _pct(lat, 99)
    # The first page reads what is left of the subjects (Edge: what its
    # store process has not read into its roster between the calls above;
    # local mode: all of them, every page); the next page and the gallery's
    # subject count are what a client sees after.
    started = time.perf_counter()
    page = store.list_subjects(GALLERY, page_size=100)
    out["list_subjects_first_page_s"] = round(time.perf_counter() - started, 3)
    started = time.perf_counter()
    store.list_subjects(GALLERY, page_size=100, page_token=page.next_page_token)
    out["list_subjects_next_page_ms"] = round((time.perf_counter() - started) * 1e3, 2)
    started = time.perf_counter()
    store.get_gallery(GALLERY)
    out["gallery_subject_count_ms"] = round((time.perf_counter() - started) * 1e3, 2)
    steady, peak = _holder_rss(store)
    out["rss_steady_mib"], out["rss_peak_mib"] = round(steady), round(peak)
    if isinstance(store.engine, EdgeEngine):
        out["rss_anon_mib"] = round(_anon_mib(store.engine.pid))
    store.close()
    if engine == "edge":
        # The same index searched with other ef: recall against latency.
        for ef in args.ef:
            store = _open(engine, folder, ef)
            try:
                out[f"hnsw_ef_{ef}"] = _identify(store, which, queries, exact)
            finally:
                store.close()
    out["disk_mib"] = _disk_mib(folder)
    return out


def _identify(
    store: FaceStore, which: npt.NDArray[np.int64], queries: Vectors, exact: npt.NDArray[np.int64]
) -> dict[str, float]:
    """Identify top-5 p50/p99 and recall@5 against ``exact``, on one store."""
    for q in queries[:10]:  # warm caches
        store.identify(GALLERY, q, *MODEL, top_k=5)
    lat: list[float] = []
    found: list[list[str]] = []
    for q in queries:
        t = time.perf_counter()
        found.append([m.subject_id for m in store.identify(GALLERY, q, *MODEL, top_k=5)])
        lat.append(time.perf_counter() - t)
    hits = [len({_subject(int(j)) for j in e} & set(f)) for e, f in zip(exact, found, strict=True)]
    return {
        "identify_top5_p50_ms": _pct(lat, 50),
        "identify_top5_p99_ms": _pct(lat, 99),
        "recall_at_5": round(sum(hits) / (5 * len(found)), 4),
        "top1_is_the_person": round(
            float(np.mean([f[0] == _subject(int(i)) for f, i in zip(found, which, strict=True)])),
            4,
        ),
    }


def over_grpc(folder: Path, gallery: Vectors, args: argparse.Namespace) -> dict[str, Any]:
    """Identify through the real server on the Edge folder: what a client sees."""
    from aurum.ml.v1 import face_store_pb2, face_store_pb2_grpc
    from aurum_ml.testing import start_server

    env = {"AURUM_QDRANT_LOCATION": str(folder), "AURUM_STORE_INDEX_THRESHOLD": "0"}
    env["AURUM_LOG_LEVEL"] = "WARNING"
    started = time.perf_counter()
    server = start_server(env, timeout=600)
    out: dict[str, Any] = {"server_start_s": round(time.perf_counter() - started, 1)}
    try:
        with server.channel() as channel:
            stub = face_store_pb2_grpc.FaceStoreStub(channel)
            _, queries = probes(gallery, args.queries, args.seed + 7)
            lat: list[float] = []
            for k, q in enumerate(queries):
                t = time.perf_counter()
                stub.Identify(
                    face_store_pb2.IdentifyRequest(
                        gallery=GALLERY, embedding={"values": q.tolist()}, top_k=5
                    ),
                    timeout=30,
                )
                if k >= 10:
                    lat.append(time.perf_counter() - t)
            out["grpc_identify_top5_p50_ms"] = _pct(lat, 50)
            out["grpc_identify_top5_p99_ms"] = _pct(lat, 99)
        pids = [server.proc.pid, *_children(server.proc.pid)]
        out["server_rss_mib"] = round(sum(_rss_mib(p)[0] for p in pids))
        out["server_rss_peak_mib"] = round(sum(_rss_mib(p)[1] for p in pids))
        out["server_rss_anon_mib"] = round(sum(_anon_mib(p) for p in pids))
    finally:
        server.stop()
    return out


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in path.read_text().split()] if path.exists() else []


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--n", type=int, default=100_000, help="faces (one person each)")
    p.add_argument("--path", default="/tmp/aurum-store-bench", help="scratch folder (replaced)")
    p.add_argument("--engines", default="edge,local", help="edge, local, or both (edge,local)")
    p.add_argument("--batch", type=int, default=1000, help="faces per enroll_batch call")
    p.add_argument("--queries", type=int, default=500)
    p.add_argument("--local-queries", type=int, default=100, help="at most, for local mode")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-grpc", action="store_true", help="skip the server over gRPC")
    p.add_argument("--keep", action="store_true", help="leave the scratch folder in place")
    p.add_argument(
        "--ef",
        type=lambda v: [int(x) for x in v.split(",") if x],
        default=[],
        help="Edge: also search the built index with these hnsw_ef (e.g. 512,1024)",
    )
    args = p.parse_args(argv)
    warnings.filterwarnings("ignore", message="Local mode is not recommended")

    root = Path(args.path)
    if root.exists():
        shutil.rmtree(root)
    real = real_embeddings()
    gallery = gallery_vectors(real, args.n, args.seed)
    result: dict[str, Any] = {
        "n": args.n,
        "dim": int(gallery.shape[1]),
        "real_embeddings": len(real),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}",
    }
    for engine in args.engines.split(","):
        print(f"measuring {engine} at {args.n:,} faces ...", file=sys.stderr)
        result[engine] = measure(engine, root / engine, gallery, args)
        print(json.dumps(result[engine]), file=sys.stderr)
    if "edge" in result and not args.no_grpc:
        result["edge"].update(over_grpc(root / "edge", gallery, args))
    result["bench_process_peak_rss_mib"] = round(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    )
    print(json.dumps(result, indent=2))
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
