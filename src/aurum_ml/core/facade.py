"""Core: the one facade every door (gRPC, REST, the job queue, the CLI) calls.

Blocking work (decoding, models, the store) runs on the worker pool under
admission control and the caller's deadline; similarity is cheap numpy and
runs inline. Build it with ``aurum_ml.bootstrap.build_core``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping, Sequence
from typing import TypeVar

from aurum_ml import scoring, similarity
from aurum_ml.core import rules
from aurum_ml.core.imageops import ImageOperations
from aurum_ml.core.lifecycle import ModelLifecycle
from aurum_ml.core.migration import GalleryMigrations
from aurum_ml.core.operations import (
    DEFAULT_MODEL,
    DetectorName,
    ImageFormat,
    ImageInput,
    ModelChoice,
    Operation,
)
from aurum_ml.core.pipeline import DETECT_DECODE_SIDE, EmbeddedFaces
from aurum_ml.core.results import LoadedModel, ScoredFace
from aurum_ml.core.workers import Deadline
from aurum_ml.errors import AurumError, InvalidInput
from aurum_ml.runtime.registry import ModelState
from aurum_ml.store import validate_gallery_name, validate_metadata, validate_subject_id
from aurum_ml.types import (
    CompareManyResult,
    Detection,
    EmbeddingResult,
    FloatArray,
    ModelInfo,
    ProcessedImage,
    SimilarityResult,
)

T = TypeVar("T")

#: One DetectBatch item: image, min_confidence, max_faces, detector, landmarks_106.
DetectItem = tuple[ImageInput, float, int, DetectorName | None, bool]
#: One EmbedBatch item: image, aligned, detector.
EmbedItem = tuple[ImageInput, bool, DetectorName | None]


class Core(GalleryMigrations, ModelLifecycle):
    def start(self) -> None:
        """Start the background tasks: the store monitor, and the gallery
        migrations a previous run left unfinished."""
        super().start()
        if self.store is not None:
            self._tasks.append(asyncio.create_task(self.resume_migrations()))

    # -- status ----------------------------------------------------------------------

    def models(self) -> list[LoadedModel]:
        """Every role's serving model and whether it serves, then every other
        version loaded beside it or failed to load (with why)."""
        out = []
        listed = set()
        for role, spec in self.registry.model_set.models.items():
            entry = self.registry.entry(role)
            info = entry.info if entry is not None else ModelInfo(spec.name, spec.version)
            ready = self.registry.ready(role)
            error = "" if ready else self.registry.why_not(role)
            out.append(LoadedModel(role, info, ready, error))
            listed.add((role, info.version))
        for e in self.registry.entries():
            if (e.role, e.version) not in listed:
                ready = e.state is ModelState.READY
                out.append(LoadedModel(e.role, e.info, ready, "" if ready else e.error))
        return out

    # -- detection and embeddings ------------------------------------------------------

    async def detect(
        self,
        image: ImageInput,
        min_confidence: float = 0.0,
        max_faces: int = 0,
        detector: DetectorName | None = None,
        timeout: float | None = None,
        landmarks_106: bool = False,
        model: ModelChoice = DEFAULT_MODEL,
    ) -> Detection:
        return await self.run(
            "detect",
            lambda d: self.pipeline.detect(
                image, min_confidence, max_faces, detector, d, landmarks_106, model
            ),
            timeout,
            image=image,
            reduce_to=DETECT_DECODE_SIDE,
        )

    async def embed(
        self,
        image: ImageInput,
        aligned: bool = False,
        detector: DetectorName | None = None,
        timeout: float | None = None,
        model: ModelChoice = DEFAULT_MODEL,
    ) -> EmbeddingResult:
        return await self.run(
            "embed",
            lambda d: self.pipeline.embed(image, aligned, detector, d, model),
            timeout,
            image=image,
        )

    async def embed_faces(
        self,
        image: ImageInput,
        *,
        aligned: bool = False,
        all_faces: bool = False,
        detector: DetectorName | None = None,
        timeout: float | None = None,
        model: ModelChoice = DEFAULT_MODEL,
    ) -> EmbeddedFaces:
        """Embed's faces with their places in the detector's list: the most
        prominent face, or all of them (one batched run)."""
        return await self.run(
            "embed",
            lambda d: self.pipeline.embed_image(
                image,
                aligned=aligned,
                all_faces=all_faces,
                detector=detector,
                deadline=d,
                model=model,
            ),
            timeout,
            image=image,
        )

    def check_batch(self, n: int) -> None:
        """The batch RPCs' size rule."""
        if n == 0:
            raise InvalidInput("the batch is empty: send at least one request")
        if n > self.config.max_batch_items:
            raise InvalidInput(
                f"the batch has {n} items; at most {self.config.max_batch_items} are accepted"
            )

    async def detect_batch(
        self,
        items: Sequence[DetectItem],
        timeout: float | None = None,
        model: ModelChoice = DEFAULT_MODEL,
    ) -> list[Detection | AurumError]:
        """Each item on its own; ``model`` (pin or sticky key) applies to all."""
        self.check_batch(len(items))
        calls = [
            self.detect(img, conf, cap, det, timeout, lm106, model)
            for img, conf, cap, det, lm106 in items
        ]
        return await _gather_items(calls)

    async def embed_batch(
        self,
        items: Sequence[EmbedItem],
        timeout: float | None = None,
        model: ModelChoice = DEFAULT_MODEL,
    ) -> list[EmbeddingResult | AurumError]:
        """Each item on its own; ``model`` (pin or sticky key) applies to all."""
        self.check_batch(len(items))
        calls = [self.embed(img, aligned, det, timeout, model) for img, aligned, det in items]
        return await _gather_items(calls)

    async def score(
        self,
        image: ImageInput,
        detector: DetectorName | None = None,
        *,
        gallery: str = "",
        subject_id: str = "",
        metadata: Mapping[str, str] | None = None,
        timeout: float | None = None,
        background: bool = False,
        routing_key: str = "",
    ) -> ScoredFace:
        """Embed the most prominent face and score it (scoring.py); with a
        ``gallery``, also enroll it there as ``subject_id`` (a retry stores
        nothing twice), embedded by the gallery's model. ``background``
        (queued jobs): wait for a worker slot instead of being refused, and
        run at lower priority than calls. ``routing_key`` (e.g. the user id)
        goes through the embedder's traffic split when there is no gallery."""
        meta: dict[str, str] = {}
        if gallery:
            validate_gallery_name(gallery)
            validate_subject_id(subject_id)
            meta = validate_metadata(metadata)

        def work(deadline: Deadline) -> ScoredFace:
            bound = self._bound_model(gallery) if gallery else None
            out = self.pipeline.embed_image(
                image,
                detector=detector,
                deadline=deadline,
                with_sha256=True,
                model=bound or ModelChoice(routing_key=routing_key),
            )
            face = out.faces[0]
            assert face is not None  # not an aligned crop
            enrolled = ""
            if gallery:
                deadline.check()
                enrolled = self.enroll_embedded(gallery, subject_id, out, meta)[0]
            model = out.model
            face_id = scoring.face_id(out.image_sha256, out.indices[0], model.name, model.version)
            return ScoredFace(
                embedding=out.vectors[0],
                quality=out.quality[0],
                scores=scoring.score(face),
                confidence=face.confidence,
                face=face,
                face_id=face_id,
                model=model,
                enrolled_face_id=enrolled,
            )

        if gallery:
            return await self._store_call(
                "score", work, timeout, wait=background, background=background
            )
        return await self.run(
            "score", work, timeout, wait=background, background=background, image=image
        )

    # -- image processing ----------------------------------------------------------------

    async def process(
        self,
        image: ImageInput,
        operations: Sequence[Operation],
        output_format: ImageFormat | None = None,
        encode_quality: int = 0,
        timeout: float | None = None,
    ) -> ProcessedImage:
        if not 0 <= encode_quality <= 100:
            raise InvalidInput(f"encode_quality must be 1-100 (0 for 90), got {encode_quality}")
        ops = ImageOperations(self.config.limits, self.pipeline.prominent_face)

        def work(deadline: Deadline) -> ProcessedImage:
            data = self.pipeline.read_image(image)
            with self.pipeline.decoded(data, deadline) as decoded:
                return ops.apply(decoded, operations, output_format, encode_quality, deadline)

        return await self.run("process", work, timeout, image=image)

    # -- similarity ----------------------------------------------------------------------

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
        return similarity.compare(
            va, vb, m, rules.threshold(threshold, self.pipeline.match_threshold, m, score=False)
        )

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
        cut = rules.threshold(threshold, self.pipeline.match_threshold, m, score=False)
        return similarity.compare_many(q, candidates, m, cut, top_k)


async def _gather_items(calls: Sequence[Awaitable[T]]) -> list[T | AurumError]:
    results = await asyncio.gather(*calls, return_exceptions=True)
    out: list[T | AurumError] = []
    for r in results:
        if isinstance(r, AurumError):
            out.append(r)
        elif isinstance(r, BaseException):
            raise r
        else:
            out.append(r)
    return out
