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
   InsightFace's square 640 letterbox;
2. starts ``aurum-ml serve`` (a real process; gRPC over loopback), warms it up,
   and measures Detect and Embed on yaoming.jpg (1 face) and players.jpg
   (22 faces) at each concurrency with grpc.aio callers, plus a tiny Compare
   call as the gRPC transport floor;
3. at one client, interleaves the server with the in-process pipeline and
   InsightFace's FaceAnalysis in rounds so machine noise hits them alike;
   InsightFace runs twice: as shipped (its ONNX Runtime defaults) and with the
   server's session options;
4. measures Similarity.CompareMany against 1,000 candidates (round trip and
   the core's compute), the server's peak RSS, and prints the ratios and the
   targets as PASS/FAIL lines (informational: the exit status is 0 unless
   something crashed).

InsightFace runs in-process when ``import insightface`` works; otherwise
``--insightface-python`` may name another interpreter that has it (it must not
share a venv with onnxruntime-gpu), and this file is re-run there as a worker.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import importlib.util
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import cv2
import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from aurum.ml.v1.similarity_pb2 import CompareManyRequest
    from aurum_ml.core.pipeline import FacePipeline
    from aurum_ml.models import ArcFaceEmbedder, ScrfdDetector
    from aurum_ml.runtime import SessionPool
    from aurum_ml.settings import Settings
    from aurum_ml.types import CompareManyResult
    from tests.serverproc import ServerProcess

ROOT = Path(__file__).resolve().parent.parent
PHOTOS = ROOT / "models" / "photos"
IMAGES = ("yaoming.jpg", "players.jpg")
DETECTOR_FILE = "scrfd_500m_bnkps.onnx"
EMBEDDER_FILE = "w600k_mbf.onnx"
IF_PACK = "aurum-bench"
DET_SIZE = 640
ALIGNED = 112
#: Single-client comparisons run in this many rounds, so drift in machine load is shared.
ROUNDS = 10
#: Seconds at most per (method, image) for the slow single-client baselines
#: (all-faces pipeline and InsightFace on players.jpg embed 22 faces each call).
SLOW_BUDGET_S = 6.0
MIN_SAMPLES = 12
CANDIDATES = 1000
DIM = 512
MB = 1_000_000
MIB = 1024 * 1024

Call = Callable[[], Awaitable[object]]


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# -- statistics ------------------------------------------------------------------------


@dataclass(frozen=True)
class Stats:
    n: int
    p50_ms: float
    p99_ms: float
    mean_ms: float
    min_ms: float
    cpu_ms: float | None = None
    """CPU (all threads of the process that did the work) per call, where measured."""

    @property
    def rps(self) -> float:
        """Single-stream throughput: requests per second one caller achieves."""
        return 1000.0 / self.mean_ms if self.mean_ms > 0 else 0.0

    def as_json(self) -> dict[str, float | None]:
        return {
            "n": self.n,
            "p50_ms": round(self.p50_ms, 3),
            "p99_ms": round(self.p99_ms, 3),
            "mean_ms": round(self.mean_ms, 3),
            "min_ms": round(self.min_ms, 3),
            "single_stream_rps": round(self.rps, 2),
            "cpu_ms_per_call": None if self.cpu_ms is None else round(self.cpu_ms, 3),
        }


def stats(samples_s: Sequence[float], cpu_s: float | None = None) -> Stats:
    a = np.asarray(samples_s, dtype=np.float64) * 1000.0
    if a.size == 0:
        nan = float("nan")
        return Stats(0, nan, nan, nan, nan)
    return Stats(
        cpu_ms=None if cpu_s is None else 1000.0 * cpu_s / a.size,
        n=int(a.size),
        p50_ms=float(np.percentile(a, 50)),
        p99_ms=float(np.percentile(a, 99)),
        mean_ms=float(a.mean()),
        min_ms=float(a.min()),
    )


def timed(fn: Callable[[], object], n: int) -> list[float]:
    out: list[float] = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def timed_into(
    samples: dict[str, list[float]],
    cpu_s: dict[str, float],
    key: str,
    fn: Callable[[], object],
    n: int,
) -> None:
    """``n`` timed calls of ``fn`` in this process, latencies and CPU added under ``key``."""
    c0 = _self_cpu_s()
    samples[key] += timed(fn, n)
    cpu_s[key] += _self_cpu_s() - c0


def budgeted(n: int, est_s: float, budget_s: float = SLOW_BUDGET_S) -> int:
    """At most ``n`` samples, fewer when each costs ``est_s`` and the budget is short."""
    if est_s <= 0:
        return n
    return max(min(n, MIN_SAMPLES), min(n, int(budget_s / est_s)))


# -- CPU accounting (who used the two cores while a cell ran) --------------------------

_CLK = os.sysconf("SC_CLK_TCK")


def _proc_cpu_s(pid: int) -> float:
    """CPU seconds of a whole process: the sum of its threads' scheduler run time
    (nanoseconds, /proc/PID/task/*/schedstat), or utime + stime in clock ticks
    where schedstat is missing."""
    total_ns = 0
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError):
                total_ns += int((task / "schedstat").read_text().split()[0])
    except OSError:
        total_ns = 0
    if total_ns:
        return total_ns / 1e9
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLK


def _self_cpu_s() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _machine_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies over all CPUs since boot, from /proc/stat."""
    parts = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    total = sum(parts)
    idle = parts[3] + parts[4]
    return total - idle, total


@dataclass
class CpuMeter:
    """Accumulates wall time and CPU of the bench (client), the server and the
    machine over one or more measured blocks."""

    server_pid: int | None
    wall_s: float = 0.0
    client_s: float = 0.0
    server_s: float = 0.0
    busy_j: int = 0
    total_j: int = 0

    @contextlib.contextmanager
    def block(self) -> Iterator[None]:
        w0, c0 = time.perf_counter(), _self_cpu_s()
        s0 = _proc_cpu_s(self.server_pid) if self.server_pid else 0.0
        b0, t0 = _machine_jiffies()
        try:
            yield
        finally:
            self.wall_s += time.perf_counter() - w0
            self.client_s += _self_cpu_s() - c0
            if self.server_pid:
                self.server_s += _proc_cpu_s(self.server_pid) - s0
            b1, t1 = _machine_jiffies()
            self.busy_j += b1 - b0
            self.total_j += t1 - t0

    def as_json(self, requests: int) -> dict[str, float]:
        n = max(requests, 1)
        busy_s = self.busy_j / _CLK
        total_s = self.total_j / _CLK
        busy_pct = 100.0 * busy_s / total_s if total_s else float("nan")
        others = busy_s - self.client_s - self.server_s
        others_pct = 100.0 * max(others, 0.0) / total_s if total_s else float("nan")
        return {
            "server_cpu_ms_per_req": round(1000.0 * self.server_s / n, 3),
            "client_cpu_ms_per_req": round(1000.0 * self.client_s / n, 3),
            "machine_busy_pct": round(busy_pct, 1),
            "others_busy_pct": round(others_pct, 1),
        }


# -- machine description ---------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem_kib = 0
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    return {
        "cpu_model": model,
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "mem_gib": round(mem_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def ort_info() -> dict[str, str]:
    import importlib.metadata as md

    import onnxruntime as ort

    dist = "onnxruntime"
    for name in ("onnxruntime-gpu", "onnxruntime"):
        with contextlib.suppress(md.PackageNotFoundError):
            md.version(name)
            dist = name
            break
    return {"version": str(ort.__version__), "distribution": dist}


# -- in-process floors -------------------------------------------------------------------


@dataclass
class InProcess:
    """The server's model classes on plain SessionPools, no server and no gRPC."""

    settings: Settings
    det_pool: SessionPool
    emb_pool: SessionPool
    #: The reference: the square 640 letterbox, as InsightFace feeds SCRFD.
    detector: ScrfdDetector
    #: The reference's embedder: the file as its package publishes it, without the
    #: set-up graph rewrites (aurum_ml.modelpatch) the server's copy has.
    ref_emb_pool: SessionPool
    ref_embedder: ArcFaceEmbedder
    #: What the server runs (AURUM_DETECTOR_PADDING and input size).
    core_detector: ScrfdDetector
    embedder: ArcFaceEmbedder
    pipeline: FacePipeline
    images: dict[str, bytes]
    provider: str = ""
    min_conf: float = 0.5

    @classmethod
    def load(cls, settings: Settings, images: dict[str, bytes], published: Path) -> InProcess:
        from aurum_ml.core.pipeline import FacePipeline, PipelineConfig
        from aurum_ml.images import ImageLimits
        from aurum_ml.manifest import load_manifest
        from aurum_ml.models import ArcFaceEmbedder, ScrfdDetector
        from aurum_ml.runtime import SessionOptions, SessionPool

        manifest = load_manifest(ROOT / "models" / "manifest.json")
        options = SessionOptions(
            pool_size=1,
            intra_op_threads=single_stream_threads(settings),
            spin=settings.spin,
            providers=tuple(settings.providers),
        )
        det_pool = SessionPool(manifest.model_path("detector"), options)
        emb_pool = SessionPool(manifest.model_path("embedder"), options)
        ref_emb_pool = SessionPool(published / EMBEDDER_FILE, options)
        size = settings.detector_input_size
        spec = manifest.models["detector"]
        detector = ScrfdDetector(det_pool, spec, input_size=(DET_SIZE, DET_SIZE), padding="square")
        core_detector = ScrfdDetector(
            det_pool, spec, input_size=(size, size), padding=settings.detector_padding
        )
        embedder = ArcFaceEmbedder(emb_pool, manifest.models["embedder"])
        ref_embedder = ArcFaceEmbedder(ref_emb_pool, manifest.models["embedder"])
        config = PipelineConfig(
            limits=ImageLimits(
                max_bytes=settings.max_message_bytes,
                max_pixels=settings.max_image_pixels,
                max_side=settings.max_image_side,
            ),
            allowed_hosts=frozenset(),
            min_confidence=settings.min_confidence,
            max_faces=settings.max_faces,
            default_detector="scrfd",
        )
        pipeline = FacePipeline(config, {"scrfd": core_detector}, embedder, {})
        return cls(
            settings=settings,
            det_pool=det_pool,
            emb_pool=emb_pool,
            detector=detector,
            ref_emb_pool=ref_emb_pool,
            ref_embedder=ref_embedder,
            core_detector=core_detector,
            embedder=embedder,
            pipeline=pipeline,
            images=images,
            provider=det_pool.provider,
            min_conf=settings.min_confidence,
        )

    # The core calls, exactly what the server's worker threads run per request.

    def core_detect(self, name: str) -> int:
        from aurum_ml.core import ImageInput

        return len(self.pipeline.detect(ImageInput(data=self.images[name])).faces)

    def core_embed(self, name: str) -> npt.NDArray[np.float32]:
        from aurum_ml.core import ImageInput

        return self.pipeline.embed(ImageInput(data=self.images[name])).embedding

    def pipeline_all_faces(self, name: str, rewritten: bool = False) -> int:
        """decode -> SCRFD 640 -> norm-crop each face -> ArcFace (one batched run).

        The plain pipeline people write: InsightFace's square letterbox and the
        model files as published; ``rewritten`` swaps in the server's embedder file.
        """
        from aurum_ml.align import align_face
        from aurum_ml.images import decode_image

        image = decode_image(self.images[name], self.pipeline.config.limits).image
        faces = self.detector.detect(image, self.min_conf, self.settings.max_faces)
        crops = [align_face(image, f.landmarks, ALIGNED) for f in faces]
        embedder = self.embedder if rewritten else self.ref_embedder
        return int(embedder.embed(crops).shape[0])

    def embed_stages(self, name: str) -> dict[str, float]:
        """FacePipeline.embed taken apart, with each stage timed (seconds)."""
        from aurum_ml import quality
        from aurum_ml.align import align_face
        from aurum_ml.images import decode_image

        pc = time.perf_counter
        marks = [pc()]
        image = decode_image(self.images[name], self.pipeline.config.limits).image
        marks.append(pc())
        tensor, scale = self.core_detector.preprocess(image)
        marks.append(pc())
        outs = self.det_pool.run({self.det_pool.input_names[0]: tensor})
        marks.append(pc())
        faces = self.core_detector.postprocess(
            outs, scale, image.shape, self.min_conf, self.settings.max_faces
        )
        marks.append(pc())
        face = max(faces, key=lambda f: f.bbox.area * f.confidence)
        crop = align_face(image, face.landmarks, ALIGNED)
        marks.append(pc())
        x = self.embedder.preprocess([crop])
        marks.append(pc())
        raw = self.emb_pool.run({self.emb_pool.input_names[0]: x})[0]
        marks.append(pc())
        self.embedder.postprocess(raw, 1)
        marks.append(pc())
        quality.assess(crop, face.bbox, face.landmarks)
        marks.append(pc())
        names = (
            "decode",
            "scrfd_pre",
            "scrfd_run",
            "scrfd_post",
            "align",
            "arcface_pre",
            "arcface_run",
            "arcface_post",
            "quality",
        )
        out = {k: marks[i + 1] - marks[i] for i, k in enumerate(names)}
        out["total"] = marks[-1] - marks[0]
        return out

    def raw_tensors(
        self, name: str
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], int]:
        """The SCRFD input, the prominent face's ArcFace input, the face count."""
        from aurum_ml.align import align_face
        from aurum_ml.images import decode_image

        image = decode_image(self.images[name], self.pipeline.config.limits).image
        tensor, _ = self.core_detector.preprocess(image)
        faces = self.core_detector.detect(image, self.min_conf, self.settings.max_faces)
        face = max(faces, key=lambda f: f.bbox.area * f.confidence)
        crops = [align_face(image, face.landmarks, ALIGNED)]
        crops += [align_face(image, f.landmarks, ALIGNED) for f in faces if f is not face]
        return tensor, self.embedder.preprocess(crops), len(faces)

    def raw_ort(self, name: str, n: int) -> dict[str, Any]:
        det_tensor, crops, n_faces = self.raw_tensors(name)
        det_in = {self.det_pool.input_names[0]: det_tensor}
        one = {self.emb_pool.input_names[0]: np.ascontiguousarray(crops[:1])}
        for _ in range(10):
            self.det_pool.run(det_in)
            self.emb_pool.run(one)
            self.ref_emb_pool.run(one)
        det_s: list[float] = []
        emb_s: list[float] = []
        ref_s: list[float] = []
        for _ in range(n):
            t0 = time.perf_counter()
            self.det_pool.run(det_in)
            t1 = time.perf_counter()
            self.emb_pool.run(one)
            t2 = time.perf_counter()
            self.ref_emb_pool.run(one)
            t3 = time.perf_counter()
            det_s.append(t1 - t0)
            emb_s.append(t2 - t1)
            ref_s.append(t3 - t2)
        out: dict[str, Any] = {
            "faces": n_faces,
            "scrfd": stats(det_s),
            "arcface_x1": stats(emb_s),
            "arcface_x1_published": stats(ref_s),
            "scrfd_plus_arcface_x1": stats([a + b for a, b in zip(det_s, emb_s, strict=True)]),
        }
        if n_faces > 1:
            alln = {self.emb_pool.input_names[0]: crops}
            self.emb_pool.run(alln)
            est = timed(lambda: self.emb_pool.run(alln), 2)
            k = budgeted(n, float(np.mean(est)), SLOW_BUDGET_S / 2)
            out["arcface_all"] = stats(timed(lambda: self.emb_pool.run(alln), k))
        return out


# -- InsightFace -----------------------------------------------------------------------


#: InsightFace as people run it (FaceAnalysis's own ONNX Runtime defaults: intra-op
#: spinning on), and with the server's session options, so neither comparison hides.
IF_VARIANTS = ("shipped", "tuned")


class InsightFaceApp:
    """FaceAnalysis on the bench's model files: times cv2.imdecode + app.get."""

    def __init__(
        self, root: str, intra: int, spin: bool, images: dict[str, str], tuned: bool
    ) -> None:
        """``root`` holds the model pack: the published files for "shipped", the
        server's rewritten ones for "tuned"."""
        import insightface  # type: ignore[import-untyped,import-not-found,unused-ignore]
        import onnxruntime as ort
        from insightface.app import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
            FaceAnalysis,
        )

        so = ort.SessionOptions()
        so.intra_op_num_threads = intra
        so.inter_op_num_threads = 1
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        so.log_severity_level = 3
        if not spin:
            so.add_session_config_entry("session.intra_op.allow_spinning", "0")
            so.add_session_config_entry("session.inter_op.allow_spinning", "0")
        extra = {"sess_options": so} if tuned else {}
        self.app = FaceAnalysis(
            name=IF_PACK,
            root=root,
            allowed_modules=["detection", "recognition"],
            providers=["CPUExecutionProvider"],
            **extra,
        )
        self.app.prepare(ctx_id=-1, det_size=(DET_SIZE, DET_SIZE))
        self.data = {k: Path(p).read_bytes() for k, p in images.items()}
        self.version = str(insightface.__version__)
        self.ort_version = str(ort.__version__)

    def get(self, name: str) -> list[Any]:
        img = cv2.imdecode(np.frombuffer(self.data[name], dtype=np.uint8), cv2.IMREAD_COLOR)
        return list(self.app.get(img))

    def describe(self) -> dict[str, Any]:
        faces: dict[str, int] = {}
        embedding: dict[str, list[float]] = {}
        for name in self.data:
            got = self.get(name)
            faces[name] = len(got)
            if got:
                best = max(got, key=lambda f: _area(f.bbox) * float(f.det_score))
                embedding[name] = [float(v) for v in best.normed_embedding]
        return {
            "version": self.version,
            "onnxruntime": self.ort_version,
            "faces": faces,
            "embedding": embedding,
        }

    def time(self, name: str, n: int) -> list[float]:
        return timed(lambda: self.get(name), n)


def _area(bbox: Any) -> float:
    return float((bbox[2] - bbox[0]) * (bbox[3] - bbox[1]))


class InsightFaceProxy:
    """The same InsightFaceApp in another interpreter, over JSON lines on stdin/stdout."""

    def __init__(self, python: str, config: dict[str, Any]) -> None:
        self._err = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed in close())
        self.proc = subprocess.Popen(
            [python, str(Path(__file__).resolve()), "--insightface-worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._err,
            text=True,
            cwd=tempfile.gettempdir(),
        )
        self.info = self._ask(config)

    def _ask(self, msg: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(msg) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            self._err.seek(0)
            raise RuntimeError("InsightFace worker died:\n" + self._err.read()[-3000:])
        reply: dict[str, Any] = json.loads(line)
        if "error" in reply:
            raise RuntimeError(f"InsightFace worker: {reply['error']}")
        return reply

    def time(self, name: str, n: int, variant: str) -> list[float]:
        return [float(x) for x in self._ask({"image": name, "n": n, "variant": variant})["s"]]

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._ask({"quit": True})
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(10)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._err.close()


def insightface_worker() -> int:
    """``--insightface-worker``: serve InsightFaceApp timings over stdin/stdout."""
    # The protocol owns the real stdout; anything a library prints goes to stderr.
    proto: TextIO = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def reply(msg: dict[str, Any]) -> None:
        proto.write(json.dumps(msg) + "\n")
        proto.flush()

    apps: dict[str, InsightFaceApp] = {}
    for line in sys.stdin:
        msg = json.loads(line)
        try:
            if msg.get("quit"):
                reply({"ok": True})
                return 0
            if not apps:
                apps = open_apps(msg["roots"], msg["intra"], msg["spin"], msg["images"])
                reply(apps["shipped"].describe())
            else:
                reply({"s": apps[msg["variant"]].time(msg["image"], int(msg["n"]))})
        except Exception as e:
            reply({"error": f"{type(e).__name__}: {e}"})
    return 0


def open_apps(
    roots: dict[str, str], intra: int, spin: bool, images: dict[str, str]
) -> dict[str, InsightFaceApp]:
    return {v: InsightFaceApp(roots[v], intra, spin, images, v == "tuned") for v in IF_VARIANTS}


@dataclass
class InsightFaceSide:
    """Whichever InsightFace is available, or why none is."""

    #: (image, n, variant) -> n timings in seconds.
    timer: Callable[[str, int, str], list[float]] | None
    info: dict[str, Any]
    status: str
    close: Callable[[], None] = lambda: None
    #: CPU seconds so far of the process that runs it.
    cpu: Callable[[], float] = lambda: _self_cpu_s()


def make_model_pack(parent: Path, files: Path) -> Path:
    """A FaceAnalysis model root: <parent>/models/<IF_PACK>/ with two model files."""
    pack = parent / "models" / IF_PACK
    pack.mkdir(parents=True)
    for f in (DETECTOR_FILE, EMBEDDER_FILE):
        shutil.copyfile(files / f, pack / f)
    return parent


def published_models(dest: Path) -> Path:
    """The detector and embedder exactly as their package publishes them, in dest."""
    from aurum_ml.manifest import load_manifest
    from aurum_ml.modelfetch import published_model

    manifest = load_manifest(ROOT / "models" / "manifest.json")
    for role in ("detector", "embedder"):
        published_model(manifest, role, dest)
    return dest


def open_insightface(
    args: argparse.Namespace, settings: Settings, roots: dict[str, str]
) -> InsightFaceSide:
    if args.skip_insightface:
        return InsightFaceSide(None, {}, "skipped (--skip-insightface)")
    images = {n: str(PHOTOS / n) for n in IMAGES}
    config = {
        "roots": roots,
        "intra": single_stream_threads(settings),
        "spin": settings.spin,
        "images": images,
    }
    if importlib.util.find_spec("insightface") is None:
        if not args.insightface_python:
            return InsightFaceSide(None, {}, "InsightFace not installed")
        try:
            proxy = InsightFaceProxy(args.insightface_python, config)
        except Exception as e:
            return InsightFaceSide(None, {}, f"InsightFace not available: {e}")
        info = {**proxy.info, "where": f"worker process ({args.insightface_python})"}
        pid = proxy.proc.pid
        return InsightFaceSide(proxy.time, info, "ok", proxy.close, partial(_proc_cpu_s, pid))
    try:
        apps = open_apps(roots, single_stream_threads(settings), settings.spin, images)
    except Exception as e:
        return InsightFaceSide(None, {}, f"InsightFace failed to load: {e}")

    def timer(name: str, n: int, variant: str) -> list[float]:
        return apps[variant].time(name, n)

    return InsightFaceSide(timer, {**apps["shipped"].describe(), "where": "in-process"}, "ok")


# -- the gRPC client -------------------------------------------------------------------


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


# -- server memory ---------------------------------------------------------------------


def proc_mem(pid: int) -> dict[str, int]:
    out: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            out[key] = int(rest.split()[0]) * 1024
    return out


class Memory:
    """The server's highest VmHWM over the run, whether cells reset it between them."""

    peak = 0
    per_cell = False


def reset_peak(pid: int) -> bool:
    """Start the process's VmHWM again from its current RSS (Linux 4.0+ clear_refs "5").

    Lets each cell report the peak of its own load rather than of every cell so far.
    False where the kernel refuses; the peaks are then cumulative.
    """
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


# -- the run ---------------------------------------------------------------------------


@dataclass
class Cell:
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


#: Settings that keep the bench's server from colliding with others on the machine
#: (a fixed metrics port, the face store's folder lock); applied only where the
#: server has the setting and neither --server-env nor the environment sets it.
ISOLATION_ENV = {"AURUM_METRICS_PORT": "0", "AURUM_QDRANT_LOCATION": ":memory:"}


def apply_server_env(pairs: Sequence[str]) -> tuple[dict[str, str], dict[str, str]]:
    """(the --server-env values, the isolation defaults added), both put into
    os.environ so the bench's own Settings (the in-process ORT options) matches
    the server's."""
    from aurum_ml.settings import Settings

    env: dict[str, str] = {}
    for p in pairs:
        key, sep, val = p.partition("=")
        if not sep or not key:
            raise SystemExit(f"--server-env wants KEY=VALUE, got {p!r}")
        env[key] = val
    fields = {f"AURUM_{name.upper()}" for name in Settings.model_fields}
    extra = {
        k: v
        for k, v in ISOLATION_ENV.items()
        if k in fields and k not in env and k not in os.environ
    }
    os.environ.update(env)
    os.environ.update(extra)
    return env, extra


def single_stream_threads(settings: Settings) -> int:
    """Intra-op threads the server gives a call it has to itself (0: one per core);
    the in-process floors and InsightFace tuned get the same."""
    from aurum_ml.core.service import pool_threads, solo_threads

    solo = solo_threads(settings)
    return pool_threads(settings) if solo is None else solo


def settings_json(s: Settings) -> dict[str, Any]:
    keys = (
        "intra_op_threads",
        "solo_session",
        "pool_size",
        "spin",
        "batching",
        "batch_max_size",
        "batch_max_wait_ms",
        "workers",
        "detector_input_size",
        "max_pending_requests",
        "rate_limit_rps",
        "metrics_enabled",
        "rest_enabled",
        "providers",
    )
    return {k: getattr(s, k) for k in keys if hasattr(s, k)}


async def run_bench(args: argparse.Namespace) -> dict[str, Any]:
    from aurum_ml.core import service
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
        "server_pool_intra_op_threads": service.pool_threads(settings),
        "inter_op_threads": 1,
        "spin": settings.spin,
        "graph_optimization": "ORT_ENABLE_ALL",
    }
    for name in IMAGES:
        for _ in range(3):
            inproc.core_detect(name)
            inproc.core_embed(name)
            inproc.pipeline_all_faces(name)
            inproc.embed_stages(name)
    log("raw ORT and the Embed stage breakdown")
    raw: dict[str, dict[str, Any]] = {}
    breakdown: dict[str, dict[str, float]] = {}
    for name in IMAGES:
        raw[name] = inproc.raw_ort(name, n)
        per = [inproc.embed_stages(name) for _ in range(n)]
        breakdown[name] = {k: stats([p[k] for p in per]).p50_ms for k in per[0]}

    if_roots = {
        "shipped": str(make_model_pack(scratch / "if-shipped", published)),
        "tuned": str(make_model_pack(scratch / "if-tuned", ROOT / "models")),
    }
    insight = open_insightface(args, settings, if_roots)
    log(f"InsightFace: {insight.status}")

    # The server ------------------------------------------------------------------------
    sys.path.insert(0, str(ROOT))
    from tests.serverproc import start_server

    log("starting the server")
    server: ServerProcess | None = None
    client: Client | None = None
    code = 0
    try:
        server = start_server(env={**server_env, **isolation}, timeout=120.0)
        pid = server.proc.pid
        max_ch = max(1, math.ceil(max(conc) / args.callers_per_channel))
        client = Client(server.grpc_target, max_ch, images)
        single, cells, sanity = await measure_server(args, inproc, insight, client, pid, conc)
        result["server_rss_after_warmup"] = sanity.pop("rss")
        result["sanity"] = sanity
        reset_peak(pid)
        log("CompareMany against 1,000 candidates")
        result["compare_many"] = await compare_many(client, n)
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

    result["server_exit_code"] = code
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


async def measure_server(
    args: argparse.Namespace,
    inproc: InProcess,
    insight: InsightFaceSide,
    client: Client,
    pid: int,
    conc: list[int],
) -> tuple[dict[str, dict[str, Stats]], list[Cell], dict[str, Any]]:
    from aurum.ml.v1 import common_pb2, detection_pb2, embedding_pb2

    n = args.requests
    log("warming the server up")
    for name in IMAGES:
        await drive_seq(client.call("Detect", name, 0), 5)
        await drive_seq(client.call("Embed", name, 0), 5)
    await drive_seq(client.call("Compare", "", 0), 20)

    # Same answers as the in-process core (and InsightFace) before timing anything.
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

    # One client: the server and its in-process equivalents, interleaved --------------------
    single: dict[str, dict[str, Stats]] = {}
    cells: list[Cell] = []
    per_round = max(1, n // ROUNDS)
    for name in IMAGES:
        log(f"single client, interleaved: {name}")
        samples: dict[str, list[float]] = {
            k: []
            for k in (
                "server_detect",
                "core_detect",
                "server_embed",
                "core_embed",
                "pipeline_all_faces",
                "pipeline_all_faces_rewritten",
                "insightface",
                "insightface_tuned",
            )
        }
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
        single[name] = {k: stats(v, cpu_s[k]) for k, v in samples.items() if v}
        det_cell.peak_rss = emb_cell.peak_rss = proc_mem(pid).get("VmHWM", 0)
        Memory.peak = max(Memory.peak, det_cell.peak_rss)
        if 1 in conc:
            cells += [det_cell, emb_cell]

    # The grid; before each cell a block of the in-process core on the same image,
    # so the single-stream throughput the cells are compared with shares their noise.
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
                    c0 = _self_cpu_s()
                    adjacent.setdefault((rpc, name), []).extend(
                        timed(partial(core_fn[rpc], name), k)
                    )
                    adjacent_cpu[rpc, name] = adjacent_cpu.get((rpc, name), 0.0) + (
                        _self_cpu_s() - c0
                    )
                ch = max(1, math.ceil(c / args.callers_per_channel))
                log(f"{rpc} {name} x{c} clients on {ch} channel(s)")
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
                cells.append(cell)
    for (rpc, name), samples_s in adjacent.items():
        single[name][f"core_{rpc.lower()}_adjacent"] = stats(samples_s, adjacent_cpu[rpc, name])
    order = {"Detect": 0, "Embed": 1, "Compare": 2}
    cells.sort(key=lambda c: (order[c.rpc], c.image != IMAGES[0], c.concurrency))
    return single, cells, sanity


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

        # What FaceService.compare_many runs (the server exposes no server-side time).
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


# -- ratios and targets ----------------------------------------------------------------


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
    return out


# -- the printed report ----------------------------------------------------------------


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
    m, o, s = r["machine"], r["onnxruntime"], r["settings"]
    sess = o["session"]
    intra = sess["intra_op_threads"]
    out = [
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
        "",
        "== Server over gRPC (loopback) ==",
        "srv/cli CPU: CPU ms per request of the server process / of this client process;",
        "busy%: all CPUs busy; others%: busy not from server or client (other load);",
        "busy-rej: RESOURCE_EXHAUSTED answers (admission limit), retried with 5-100 ms backoff;",
        "peak MiB: the server's VmHWM during the cell (reset before each grid cell where "
        "the kernel allows; otherwise the peak so far, cells running top to bottom).",
    ]
    rows = [
        (
            c["rpc"],
            c["image"],
            c["concurrency"],
            c["channels"],
            c["p50_ms"],
            c["p99_ms"],
            c["p99_over_p50"],
            c["throughput_rps"],
            c["rejected_busy"],
            c["server_cpu_ms_per_req"],
            c["client_cpu_ms_per_req"],
            c["machine_busy_pct"],
            c["others_busy_pct"],
            c["server_peak_rss_mib_after"],
        )
        for c in r["server"]
    ]
    out.append(
        table(
            (
                "rpc",
                "image",
                "clients",
                "chan",
                "p50 ms",
                "p99 ms",
                "p99/p50",
                "req/s",
                "busy-rej",
                "srv CPU",
                "cli CPU",
                "busy%",
                "others%",
                "peak MiB",
            ),
            rows,
        )
    )

    out += ["", "== In-process floors (single stream, same ORT settings, no server) =="]
    rows2: list[tuple[object, ...]] = []
    labels = {
        "scrfd": "raw ORT: SCRFD session.run, the server's input",
        "arcface_x1": "raw ORT: ArcFace session.run, 1 crop",
        "arcface_x1_published": "raw ORT: ArcFace x1, the file as published (PRelu)",
        "scrfd_plus_arcface_x1": "raw ORT: SCRFD + ArcFace x1",
        "arcface_all": "raw ORT: ArcFace session.run, all crops in 1 batch",
    }
    for img, raw in r["raw_ort"].items():
        for k, label in labels.items():
            if k in raw:
                st = raw[k]
                extra = f" ({raw['faces']})" if k == "arcface_all" else ""
                rows2.append(
                    (label + extra, img, st["p50_ms"], st["p99_ms"], st["single_stream_rps"], None)
                )
    single_labels = {
        "core_detect": "core Detect: FacePipeline.detect (decode, SCRFD)",
        "core_embed": "core Embed: FacePipeline.embed (prominent face, +quality)",
        "pipeline_all_faces": "pipeline @640: decode, SCRFD, norm-crop, ArcFace (published files)",
        "pipeline_all_faces_rewritten": "pipeline @640, the server's rewritten embedder file",
        "insightface": "InsightFace FaceAnalysis.get as shipped (published files, ORT defaults)",
        "insightface_tuned": "InsightFace FaceAnalysis.get, the server's models + ORT settings",
        "server_detect": "server Detect over gRPC, 1 client (interleaved)",
        "server_embed": "server Embed over gRPC, 1 client (interleaved)",
        "core_detect_adjacent": "core Detect, in blocks next to the grid cells",
        "core_embed_adjacent": "core Embed, in blocks next to the grid cells",
    }
    for img, methods in r["single_client"].items():
        for k, label in single_labels.items():
            if k in methods:
                st = methods[k]
                rows2.append(
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
                rows2.append((label, img, r["insightface"]["status"], None, None, None))
    out.append(table(("what", "image", "p50 ms", "p99 ms", "req/s", "CPU ms"), rows2))
    out.append(
        "CPU ms: CPU time per call of the process doing the work (all its threads; the "
        "server's for the server rows); raw ORT rows: not measured."
    )
    if r["insightface"]["status"] == "ok":
        i = r["insightface"]
        out.append(
            f"InsightFace {i.get('version')} (onnxruntime {i.get('onnxruntime')}, "
            f"{i.get('where')}); it embeds every face (players.jpg: 22 ArcFace runs), "
            "the server's Embed only the most prominent one."
        )

    out += ["", "== Where the in-process Embed time goes (p50 ms per stage) =="]
    stages = list(next(iter(r["embed_breakdown_p50_ms"].values())).keys())
    out.append(
        table(
            ("stage", *r["embed_breakdown_p50_ms"].keys()),
            [(st, *(b[st] for b in r["embed_breakdown_p50_ms"].values())) for st in stages],
        )
    )

    out += ["", "== Ratios (lower is better for latency, higher for throughput) =="]
    ratio_labels = {
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
    out.append(
        table(
            ("ratio", *r["ratios"].keys()),
            [
                (label, *(v.get(k) for v in r["ratios"].values()))
                for k, label in ratio_labels.items()
            ],
        )
    )
    out.append(
        "players.jpg: the pipeline @640 and InsightFace embed all 22 faces, the server's Embed "
        "one, so only the 'core' ratios compare equal work there."
    )

    cm = r["compare_many"]
    out += ["", f"== Similarity.CompareMany, {cm['candidates']} candidates x {cm['dim']}-d =="]
    rows3 = []
    for k in ("top_k_0", "top_k_10"):
        v = cm[k]
        rows3.append(
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
    out.append(
        table(
            (
                "call",
                "RPC p50 ms",
                "RPC p99 ms",
                "core compute p50",
                "candidates_in p50",
                "response pb p50",
                "request bytes",
            ),
            rows3,
        )
    )
    out.append(
        "core compute = similarity.as_vector + similarity.compare_many in-process "
        "(what FaceService.compare_many runs); the wire carries no server-side time."
    )

    mem = r["server_memory"]
    out += [
        "",
        "== Server memory ==",
        f"peak RSS (VmHWM) at 16 clients: {mem['peak_rss_16_clients_bytes'] / MIB:.1f} MiB "
        f"({mem['peak_rss_16_clients_bytes'] / MB:.1f} MB); over the whole run, 64 clients "
        f"included: {mem['peak_rss_bytes'] / MIB:.1f} MiB "
        f"({mem['peak_rss_bytes'] / MB:.1f} MB); after warm-up "
        f"{mem['peak_rss_after_warmup_bytes'] / MIB:.1f} MiB, during CompareMany "
        f"{mem['peak_rss_compare_many_bytes'] / MIB:.1f} MiB; RSS now "
        f"{mem['rss_bytes'] / MIB:.1f} MiB",
        "",
        "== Sanity (server vs in-process vs InsightFace) ==",
    ]
    for img in IMAGES:
        sa = r["sanity"][img]
        out.append(
            f"{img}: faces server/in-process/InsightFace = {sa['faces_server']}/"
            f"{sa['faces_inprocess']}/{sa['faces_insightface'] or '-'}; cosine of the Embed "
            f"vector server vs in-process {sa['cos_server_vs_inprocess']}, "
            f"InsightFace vs in-process {sa['cos_insightface_vs_inprocess'] or '-'}"
        )

    out += ["", "== Targets (informational) =="]
    for t in r["targets"]:
        word = {True: "PASS", False: "FAIL", None: "SKIP"}[t["passed"]]
        out.append(f"{word}  {t['target']}: {t['detail']}")
    return "\n".join(out)


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
        "count. The default run takes about 3-4 minutes on 2 cores.",
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
    p.add_argument("--insightface-worker", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.requests < 4:
        p.error("--requests must be at least 4")
    if args.callers_per_channel < 1:
        p.error("--callers-per-channel must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.insightface_worker:
        return insightface_worker()
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
