"""The reference: InsightFace's FaceAnalysis on the bench's model files, in this
process when ``import insightface`` works, otherwise in another interpreter that has
it (``--insightface-python``; insightface needs the CPU onnxruntime package, which
must not share a venv with onnxruntime-gpu).

That interpreter runs this file as a worker (``--insightface-worker``), so this
module and what it imports at the top (harness, server_settings) must not import
aurum_ml or grpc at module level.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import cv2
import numpy as np
from harness import (
    DET_SIZE,
    DETECTOR_FILE,
    EMBEDDER_FILE,
    IMAGES,
    PHOTOS,
    proc_cpu_s,
    self_cpu_s,
    timed,
)
from server_settings import single_stream_threads

if TYPE_CHECKING:
    from aurum_ml.settings import Settings

IF_PACK = "aurum-bench"


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
    cpu: Callable[[], float] = lambda: self_cpu_s()


def make_model_pack(parent: Path, files: Path) -> Path:
    """A FaceAnalysis model root: <parent>/models/<IF_PACK>/ with two model files."""
    pack = parent / "models" / IF_PACK
    pack.mkdir(parents=True)
    for f in (DETECTOR_FILE, EMBEDDER_FILE):
        shutil.copyfile(files / f, pack / f)
    return parent


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
        return InsightFaceSide(proxy.time, info, "ok", proxy.close, partial(proc_cpu_s, pid))
    try:
        apps = open_apps(roots, single_stream_threads(settings), settings.spin, images)
    except Exception as e:
        return InsightFaceSide(None, {}, f"InsightFace failed to load: {e}")

    def timer(name: str, n: int, variant: str) -> list[float]:
        return apps[variant].time(name, n)

    return InsightFaceSide(timer, {**apps["shipped"].describe(), "where": "in-process"}, "ok")


if __name__ == "__main__":
    # Started by InsightFaceProxy, in the interpreter that has InsightFace.
    if sys.argv[1:] != ["--insightface-worker"]:
        sys.exit("usage: reference.py --insightface-worker (started by serve_bench.py)")
    sys.exit(insightface_worker())
