"""FaceService: the async face of the core that both transports call.

Each call runs the synchronous pipeline in a bounded worker pool so the event
loop stays free for I/O; similarity is cheap numpy and runs inline.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from aurum_ml import similarity
from aurum_ml.core.admission import Admission, Deadline
from aurum_ml.core.operations import DetectorName, ImageFormat, ImageInput, Operation
from aurum_ml.core.pipeline import FacePipeline, PipelineConfig
from aurum_ml.errors import AurumError, DeadlineExceeded, InvalidInput
from aurum_ml.images import ImageLimits
from aurum_ml.manifest import load_manifest
from aurum_ml.models import (
    ArcFaceEmbedder,
    FaceDetector,
    Landmark106,
    MtcnnDetector,
    ScrfdDetector,
)
from aurum_ml.runtime import Runner, SessionOptions, SessionPool
from aurum_ml.runtime.batcher import BatchingRunner
from aurum_ml.runtime.registry import ModelRegistry
from aurum_ml.settings import Settings
from aurum_ml.types import (
    CompareManyResult,
    Detection,
    EmbeddingResult,
    FloatArray,
    ModelInfo,
    ProcessedImage,
    SimilarityResult,
)

if TYPE_CHECKING:
    from aurum_ml.observability import Metrics

log = logging.getLogger(__name__)
T = TypeVar("T")

#: The services the server exposes, by their short name.
SERVICES = ("detection", "embedding", "processing", "similarity", "faces")


@dataclass(frozen=True, slots=True)
class LoadedModel:
    role: str
    info: ModelInfo
    loaded: bool
    error: str = ""


#: One DetectBatch item: image, min_confidence, max_faces, detector, landmarks_106.
DetectItem = tuple[ImageInput, float, int, DetectorName | None, bool]

#: Manifest roles on every Detect and Embed path.
PRIMARY_ROLES = frozenset({"detector", "embedder"})


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def pool_threads(settings: Settings) -> int:
    """Intra-op threads of each detector and embedder pool session: the setting,
    or the usable CPUs shared out among the pool."""
    if settings.intra_op_threads:
        return settings.intra_op_threads
    return max(1, usable_cpus() // settings.pool_size)


def solo_threads(settings: Settings) -> int | None:
    """Intra-op threads of the solo session, one per usable CPU, or None where it
    would have no more threads than a pool session."""
    cpus = usable_cpus()
    if not settings.solo_session or cpus <= pool_threads(settings):
        return None
    return cpus


class FaceService:
    def __init__(self, settings: Settings, registry: ModelRegistry) -> None:
        self.settings = settings
        self.registry = registry
        self.started_at = time.time()
        self.shutting_down = False
        self.requests: Counter[str] = Counter()
        #: The runner of each loaded detector/embedder, by model file name.
        self.runners: dict[str, SessionPool | BatchingRunner] = {}
        self.admission = Admission(settings.max_pending_requests)
        self._executor = ThreadPoolExecutor(
            max_workers=settings.workers, thread_name_prefix="aurum-work"
        )
        self.pipeline = self._build_pipeline()
        #: Whether the face store answers; set by whoever opens it (app.py, via
        #: core.faces.FaceSearch). None: this process runs no face store.
        self.faces_serving: Callable[[], bool] | None = None

    @classmethod
    def create(cls, settings: Settings) -> FaceService:
        manifest = load_manifest(settings.manifest_path)
        options = SessionOptions(
            pool_size=settings.pool_size,
            intra_op_threads=pool_threads(settings),
            spin=settings.spin,
            providers=tuple(settings.providers),
            solo_intra_op_threads=solo_threads(settings),
            shared_arena=True,
        )
        # The detector and the embedder carry every Detect/Embed; the other
        # models (MTCNN, the 106-point landmarks) get their own, smaller pools,
        # no solo session, and malloc: P-Net meets a new input shape at every
        # pyramid level, which no arena should keep.
        secondary = SessionOptions(
            pool_size=settings.secondary_pool_size,
            intra_op_threads=settings.intra_op_threads,
            spin=settings.spin,
            providers=options.providers,
        )
        per_role = {role: secondary for role in manifest.models if role not in PRIMARY_ROLES}
        return cls(settings, ModelRegistry.load(manifest, options, per_role=per_role))

    def _runner(self, pool: SessionPool) -> Runner:
        runner: SessionPool | BatchingRunner = pool
        if self.settings.batching:
            runner = BatchingRunner(
                pool, self.settings.batch_max_size, self.settings.batch_max_wait_ms
            )
        self.runners[pool.path.name] = runner
        return runner

    def _build_pipeline(self) -> FacePipeline:
        reg, specs = self.registry, self.registry.manifest.models
        detectors: dict[DetectorName, FaceDetector] = {}
        unavailable: dict[str, str] = {}
        size = self.settings.detector_input_size
        if (pool := reg.pool("detector")) is not None:
            detectors["scrfd"] = ScrfdDetector(
                self._runner(pool),
                specs["detector"],
                input_size=(size, size),
                padding=self.settings.detector_padding,
            )
        else:
            unavailable["scrfd"] = reg.why_not("detector")
        mtcnn_roles = ("mtcnn_pnet", "mtcnn_rnet", "mtcnn_onet")
        if reg.ready(*mtcnn_roles):
            pnet, rnet, onet = (reg.pools[r] for r in mtcnn_roles)
            spec = specs["mtcnn_pnet"]
            info = ModelInfo("mtcnn", spec.version, pnet.provider)
            detectors["mtcnn"] = MtcnnDetector(pnet, rnet, onet, info)
        else:
            unavailable["mtcnn"] = reg.why_not(*mtcnn_roles)
        embedder = None
        if (pool := reg.pool("embedder")) is not None:
            embedder = ArcFaceEmbedder(self._runner(pool), specs["embedder"])
        else:
            unavailable["embedder"] = reg.why_not("embedder")
        landmarker = None
        if (pool := reg.pool("landmarks106")) is not None:
            landmarker = Landmark106(self._runner(pool), specs["landmarks106"])
        else:
            unavailable["landmarks106"] = reg.why_not("landmarks106")
        config = PipelineConfig(
            limits=ImageLimits(
                max_bytes=self.settings.max_message_bytes,
                max_pixels=self.settings.max_image_pixels,
                max_side=self.settings.max_image_side,
            ),
            allowed_hosts=frozenset(h.lower() for h in self.settings.allowed_image_hosts),
            min_confidence=self.settings.min_confidence,
            max_faces=self.settings.max_faces,
            default_detector=self.settings.detector,
        )
        return FacePipeline(config, detectors, embedder, unavailable, landmarker)

    # -- status ----------------------------------------------------------------

    def serving(self) -> dict[str, bool]:
        """Whether each service can answer; a model that failed to load makes
        the services that need it NOT_SERVING while the rest keep serving."""
        if self.shutting_down:
            return dict.fromkeys(SERVICES, False)
        has_detector = self.settings.detector in self.pipeline.detectors
        return {
            "detection": has_detector,
            "embedding": has_detector and self.pipeline.embedder is not None,
            "processing": True,
            "similarity": True,
            "faces": self.faces_serving is not None and self.faces_serving(),
        }

    def models(self) -> list[LoadedModel]:
        out = []
        for role, spec in self.registry.manifest.models.items():
            pool = self.registry.pool(role)
            info = ModelInfo(spec.name, spec.version, pool.provider if pool else "")
            out.append(
                LoadedModel(role, info, pool is not None, self.registry.errors.get(role, ""))
            )
        return out

    def attach_metrics(self, metrics: Metrics) -> None:
        """Feed the runtime's counters into Prometheus (the core stays free of it
        otherwise: it only calls the hooks it is given)."""
        metrics.admitted.set_function(lambda: float(self.admission.in_flight))
        for name, runner in self.runners.items():
            model = name.removesuffix(".onnx")
            metrics.queue_depth.labels(model).set_function(functools.partial(_depth, runner))
            rows = metrics.batch_rows.labels(model)
            seconds = metrics.inference.labels(model)

            def on_run(n: int, s: float, rows: Any = rows, seconds: Any = seconds) -> None:
                rows.observe(n)
                seconds.observe(s)

            runner.on_run = on_run

    def begin_shutdown(self) -> None:
        self.shutting_down = True

    def uptime_s(self) -> float:
        return time.time() - self.started_at

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    # -- calls -------------------------------------------------------------------

    async def run(self, name: str, fn: Callable[[Deadline], T], timeout: float | None) -> T:
        """Run ``fn`` on a worker thread under admission control and a deadline.

        ``timeout`` is the client's remaining time, capped by the server's
        ``max_request_s``. The worker frees the admission slot when it really
        finishes, even if the caller gave up (deadline or cancellation) before.
        """
        self.requests[name] += 1
        cap = self.settings.max_request_s
        budget = cap if timeout is None else max(0.0, min(timeout, cap))
        deadline = Deadline(budget)
        self.admission.acquire()

        def work() -> T:
            try:
                deadline.check()
                return fn(deadline)
            finally:
                self.admission.release()

        loop = asyncio.get_running_loop()
        try:
            future = loop.run_in_executor(self._executor, work)
        except BaseException:
            self.admission.release()
            raise
        try:
            return await asyncio.wait_for(asyncio.shield(future), budget)
        except TimeoutError:
            deadline.abandon()
            raise DeadlineExceeded(
                f"the request did not finish within its deadline ({budget:.3g} s)"
            ) from None
        except asyncio.CancelledError:
            deadline.abandon()
            raise

    async def detect(
        self,
        image: ImageInput,
        min_confidence: float = 0.0,
        max_faces: int = 0,
        detector: DetectorName | None = None,
        timeout: float | None = None,
        landmarks_106: bool = False,
    ) -> Detection:
        return await self.run(
            "detect",
            lambda d: self.pipeline.detect(
                image, min_confidence, max_faces, detector, d, landmarks_106
            ),
            timeout,
        )

    async def embed(
        self,
        image: ImageInput,
        aligned: bool = False,
        detector: DetectorName | None = None,
        timeout: float | None = None,
    ) -> EmbeddingResult:
        return await self.run(
            "embed", lambda d: self.pipeline.embed(image, aligned, detector, d), timeout
        )

    def _check_batch(self, n: int) -> None:
        if n == 0:
            raise InvalidInput("the batch is empty: send at least one request")
        if n > self.settings.max_batch_items:
            raise InvalidInput(
                f"the batch has {n} items; at most {self.settings.max_batch_items} are accepted"
            )

    async def detect_batch(
        self,
        items: Sequence[DetectItem],
        timeout: float | None = None,
    ) -> list[Detection | AurumError]:
        self._check_batch(len(items))
        calls = [
            self.detect(img, conf, cap, det, timeout, lm106) for img, conf, cap, det, lm106 in items
        ]
        return await _gather_items(calls)

    async def embed_batch(
        self,
        items: Sequence[tuple[ImageInput, bool, DetectorName | None]],
        timeout: float | None = None,
    ) -> list[EmbeddingResult | AurumError]:
        self._check_batch(len(items))
        calls = [self.embed(img, aligned, det, timeout) for img, aligned, det in items]
        return await _gather_items(calls)

    async def process(
        self,
        image: ImageInput,
        operations: Sequence[Operation],
        output_format: ImageFormat | None = None,
        encode_quality: int = 0,
        timeout: float | None = None,
    ) -> ProcessedImage:
        return await self.run(
            "process",
            lambda d: self.pipeline.process(image, operations, output_format, encode_quality, d),
            timeout,
        )

    def _threshold(self, metric: similarity.Metric, threshold: float | None) -> float:
        if threshold is None:
            return similarity.default_threshold(metric, self.settings.match_threshold)
        if not np.isfinite(threshold):
            raise InvalidInput("threshold must be a finite number")
        return threshold

    def compare(
        self,
        a: Sequence[float] | FloatArray,
        b: Sequence[float] | FloatArray,
        metric: str = "cosine",
        threshold: float | None = None,
    ) -> SimilarityResult:
        self.requests["compare"] += 1
        m = similarity.check_metric(metric)
        va, vb = similarity.as_vector(a, "embedding_a"), similarity.as_vector(b, "embedding_b")
        return similarity.compare(va, vb, m, self._threshold(m, threshold))

    def compare_many(
        self,
        query: Sequence[float] | FloatArray,
        candidates: FloatArray,
        metric: str = "cosine",
        threshold: float | None = None,
        top_k: int = 0,
    ) -> CompareManyResult:
        self.requests["compare_many"] += 1
        m = similarity.check_metric(metric)
        q = similarity.as_vector(query, "query")
        return similarity.compare_many(q, candidates, m, self._threshold(m, threshold), top_k)


def _depth(runner: SessionPool | BatchingRunner) -> float:
    return float(runner.queue_depth())


async def _gather_items(calls: Sequence[asyncio.Future[T] | object]) -> list[T | AurumError]:
    results = await asyncio.gather(*calls, return_exceptions=True)  # type: ignore[arg-type]
    out: list[T | AurumError] = []
    for r in results:
        if isinstance(r, AurumError):
            out.append(r)
        elif isinstance(r, BaseException):
            raise r
        else:
            out.append(r)
    return out
