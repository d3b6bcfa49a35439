"""The synchronous face pipeline: decode -> detect -> align (once) -> embed -> quality.

Everything here runs on a worker thread (ONNX Runtime, OpenCV and numpy
release the GIL), one request per call. Models are looked up in the registry
at call time and pinned for the call (``registry.handle``), never kept: a
model that is swapped or unloaded takes effect at the next call, and one that
failed to load fails only the calls that need it, with UNAVAILABLE naming why.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import TypeVar

import cv2
import numpy as np

from aurum_ml import quality
from aurum_ml.align import ARCFACE_TEMPLATE, align_face
from aurum_ml.core import rules
from aurum_ml.core.budget import PixelBudget
from aurum_ml.core.config import CoreConfig
from aurum_ml.core.operations import DEFAULT_MODEL, DetectorName, ImageInput, ModelChoice
from aurum_ml.core.workers import Deadline
from aurum_ml.errors import AurumError, FailedPrecondition, InvalidInput, ModelUnavailable
from aurum_ml.images import DecodedImage, decode_planned, inspect_image, plan_decode, sniff
from aurum_ml.manifest import ModelSet, ModelSpec
from aurum_ml.models import (
    FaceDetector,
    FaceEmbedder,
    Landmark106,
    LetterboxDetector,
    MtcnnDetector,
)
from aurum_ml.runtime.registry import ModelHandle, ModelRegistry, ModelState
from aurum_ml.runtime.session_pool import SessionPool
from aurum_ml.types import (
    BGRImage,
    BoundingBox,
    Detection,
    EmbeddingResult,
    Face,
    FloatArray,
    Landmarks,
    ModelInfo,
    Point,
    QualityReport,
)

ALIGNED_SIZE = 112

#: The registry roles each detector needs; a model set has a detector when it
#: has all of its roles, each holding a model of the detector's family.
DETECTOR_ROLES: dict[DetectorName, tuple[str, ...]] = {
    "scrfd": ("detector",),
    "yunet": ("detector",),
    "mtcnn": ("mtcnn_pnet", "mtcnn_rnet", "mtcnn_onet"),
}
EMBEDDER_ROLE = "embedder"
LANDMARKS_106_ROLE = "landmarks106"
#: Detect decodes a large JPEG at reduced size, down to this longer side: the
#: detectors look at 640 px at most, and twice that keeps the downscale's
#: anti-aliasing. Embedding decodes at full size (the aligned crop needs the
#: face's own pixels).
DETECT_DECODE_SIDE = 1280


def detectors_in(model_set: ModelSet) -> list[DetectorName]:
    """The detectors a model set has (its own single-shot detector first)."""
    families = model_set.families()
    return [
        name
        for name, roles in DETECTOR_ROLES.items()
        if all(families.get(role) == name for role in roles)
    ]


def detector_roles(model_set: ModelSet, name: DetectorName) -> tuple[str, ...]:
    """The roles of detector ``name``; FailedPrecondition naming the detectors
    the set has when it has not this one."""
    have = detectors_in(model_set)
    if name not in have:
        raise FailedPrecondition(
            f"the {name} face detector is not in the model set '{model_set.name}' this "
            f"server runs; its detectors: {', '.join(have) or 'none'}"
        )
    return DETECTOR_ROLES[name]


M = TypeVar("M")


@dataclass(frozen=True, slots=True)
class EmbeddedFaces:
    """Faces of one image, each aligned once, embedded and assessed."""

    image_sha256: str
    #: The faces' positions in the detector's output (highest confidence first).
    indices: list[int]
    #: None for an aligned crop given as the image.
    faces: list[Face | None]
    vectors: FloatArray  # (n, dim)
    quality: list[QualityReport]
    model: ModelInfo
    #: The aligned 112x112 crop each vector was computed from (BGR).
    crops: list[BGRImage] = dataclasses.field(default_factory=list)


class FacePipeline:
    def __init__(self, config: CoreConfig, registry: ModelRegistry) -> None:
        self.config = config
        self.registry = registry
        self.budget = PixelBudget(config.decode_budget_bytes)

    # -- models, looked up per call ------------------------------------------------

    def named_specs(self, role: str, name: str, version: str = "") -> list[ModelSpec]:
        """The manifest's versions of model ``name`` for ``role`` (only
        ``version`` when given); InvalidInput when it lists none."""
        listed = [
            s
            for s in self.registry.catalogue
            if s.role == role and s.name == name and (not version or s.version == version)
        ]
        if not listed:
            pinned = f"{name} {version}".strip()
            raise InvalidInput(f"there is no {role} model {pinned!r} in the manifest")
        return listed

    def named_spec(self, role: str, name: str, version: str = "") -> ModelSpec:
        """One version of model ``name``: ``version``, else the newest listed."""
        return self.named_specs(role, name, version)[-1]

    def version_of(self, role: str, choice: ModelChoice) -> str | None:
        """The version a pinned ``choice`` names for ``role`` (None: not
        pinned). A pinned name without a version means the loaded version of
        that name, the default first; InvalidInput when the manifest lists
        no such model for the role, ModelUnavailable when it is not loaded."""
        if not choice.name:
            if choice.version:
                raise InvalidInput("a pinned model version needs the model's name")
            return None
        listed = self.named_specs(role, choice.name, choice.version)
        default = self.registry.defaults().get(role)
        ready = [
            s.version
            for s in listed
            if (e := self.registry.entry(role, s.version)) is not None
            and e.state is ModelState.READY
        ]
        if not ready:
            pinned = f"{choice.name} {choice.version}".strip()
            raise ModelUnavailable(f"the {role} model {pinned} is not loaded")
        return default if default in ready else ready[0]

    @contextmanager
    def detector(
        self, name: DetectorName | None = None, model: ModelChoice = DEFAULT_MODEL
    ) -> Iterator[FaceDetector]:
        """The detector ``name`` (None: the server's default), pinned for the
        block; ``model`` picks the version of its single-shot model."""
        chosen = name or self.config.default_detector
        roles = detector_roles(self.registry.model_set, chosen)
        what = f"{chosen} face detector"
        version = self.version_of(roles[0], model) if chosen != "mtcnn" else None
        if version is None and not self.registry.ready(*roles):
            why = self.registry.why_not(*roles)
            raise ModelUnavailable(f"the {what} is not available: {why}")
        with ExitStack() as stack:
            handles = [
                stack.enter_context(self.registry.handle(r, what, version, model.routing_key))
                for r in roles
            ]
            if chosen != "mtcnn":
                yield _model(handles[0], LetterboxDetector)
            else:
                pnet, rnet, onet = (_model(h, SessionPool) for h in handles)
                info = ModelInfo(
                    "mtcnn", handles[0].spec.version, handles[0].info.execution_provider
                )
                yield MtcnnDetector(pnet, rnet, onet, info)

    @contextmanager
    def embedder(self, model: ModelChoice = DEFAULT_MODEL) -> Iterator[FaceEmbedder]:
        version = self.version_of(EMBEDDER_ROLE, model)
        with self.registry.handle(
            EMBEDDER_ROLE, "face embedding model", version, model.routing_key
        ) as h:
            yield _model(h, FaceEmbedder)

    @contextmanager
    def landmarker(self) -> Iterator[Landmark106]:
        with self.registry.handle(LANDMARKS_106_ROLE, "106-point landmark model") as h:
            yield _model(h, Landmark106)

    def match_threshold(self, model: ModelInfo | None = None) -> float:
        """The default cosine match threshold: the operator's, else the one the
        manifest states for ``model`` (the embedder that produced the scores;
        None: the one the server serves by default), so the threshold follows
        the model."""
        if self.config.match_threshold is not None:
            return self.config.match_threshold
        if model is not None:
            for listed in self.registry.catalogue:
                if (
                    listed.role == EMBEDDER_ROLE
                    and (listed.name, listed.version) == (model.name, model.version)
                    and listed.match_threshold is not None
                ):
                    return listed.match_threshold
        entry = self.registry.entry(EMBEDDER_ROLE)
        spec = (
            entry.spec if entry is not None else self.registry.model_set.models.get(EMBEDDER_ROLE)
        )
        if spec is None or spec.match_threshold is None:
            raise FailedPrecondition(
                f"the model set '{self.registry.model_set.name}' has no embedding model "
                "with a match threshold; pass a threshold"
            )
        return spec.match_threshold

    # -- steps -----------------------------------------------------------------

    def read_image(self, source: ImageInput) -> bytes:
        return rules.image_bytes(source, self.config)

    @contextmanager
    def decoded(
        self, data: bytes, deadline: Deadline, reduce_to: int = 0
    ) -> Iterator[DecodedImage]:
        """The decoded image, its pixels counted against the decode budget
        until the block ends."""
        plan = inspect_image(data, self.config.limits, reduce_to)
        with self.budget.hold(plan.nbytes, deadline):
            yield decode_planned(data, plan)

    def is_large(self, source: ImageInput, reduce_to: int = 0) -> bool:
        """Whether the image, by its header, decodes to more than the large
        image threshold. Unknown sizes (a URL, a header that is not an
        image's) count as small: the decode budget still bounds them."""
        if source.data is None:
            return False
        try:
            plan = plan_decode(sniff(source.data), reduce_to)
        except AurumError:
            return False
        return plan.width * plan.height > self.config.large_image_pixels

    def find_faces(self, detector: FaceDetector, image: BGRImage) -> list[Face]:
        """Every face at the server's default confidence and cap."""
        conf, cap = rules.detect_limits(0.0, 0, self.config)
        return detector.detect(image, min_confidence=conf, max_faces=cap)

    def prominent_face(self, image: BGRImage) -> Face:
        """The most prominent face, found by the default detector."""
        with self.detector() as det:
            faces = self.find_faces(det, image)
        return faces[rules.most_prominent(faces)]

    def embed_faces(
        self, embedder: FaceEmbedder, image: BGRImage, faces: Sequence[Face]
    ) -> tuple[FloatArray, list[QualityReport], list[BGRImage]]:
        """Embeddings (one batched run), quality and aligned crops of faces of
        one image; the one aligned crop of each face serves both."""
        crops = [align_face(image, f.landmarks, ALIGNED_SIZE) for f in faces]
        vectors = embedder.embed(crops)
        reports = [
            quality.assess(c, f.bbox, f.landmarks) for c, f in zip(crops, faces, strict=True)
        ]
        return vectors, reports, crops

    # -- use cases ---------------------------------------------------------------

    def detect(
        self,
        source: ImageInput,
        min_confidence: float = 0.0,
        max_faces: int = 0,
        detector: DetectorName | None = None,
        deadline: Deadline | None = None,
        landmarks_106: bool = False,
        model: ModelChoice = DEFAULT_MODEL,
    ) -> Detection:
        deadline = deadline or Deadline.never()
        conf, cap = rules.detect_limits(min_confidence, max_faces, self.config)
        # The models are pinned before decoding, so a request for one that is
        # not serving fails before any work.
        with ExitStack() as stack:
            det = stack.enter_context(self.detector(detector, model))
            lm = stack.enter_context(self.landmarker()) if landmarks_106 else None
            decoded = stack.enter_context(
                self.decoded(self.read_image(source), deadline, DETECT_DECODE_SIDE)
            )
            image = decoded.image
            deadline.check()
            faces = det.detect(image, min_confidence=conf, max_faces=cap)
            if lm is not None and faces:
                deadline.check()
                faces = _with_landmarks_106(lm, image, faces)
            if decoded.scale != 1.0:
                faces = [scale_face(f, decoded.scale) for f in faces]
            return Detection(
                faces=faces,
                image_width=decoded.width,
                image_height=decoded.height,
                model=det.info,
            )

    def embed(
        self,
        source: ImageInput,
        aligned: bool = False,
        detector: DetectorName | None = None,
        deadline: Deadline | None = None,
        model: ModelChoice = DEFAULT_MODEL,
    ) -> EmbeddingResult:
        """The embedding of the image's most prominent face (or of the image
        itself, taken as an aligned crop)."""
        out = self.embed_image(
            source, aligned=aligned, detector=detector, deadline=deadline, model=model
        )
        face = out.faces[0]
        return EmbeddingResult(
            embedding=out.vectors[0],
            quality=out.quality[0],
            confidence=face.confidence if face is not None else 1.0,
            face=face,
            model=out.model,
        )

    def embed_image(
        self,
        source: ImageInput,
        *,
        aligned: bool = False,
        all_faces: bool = False,
        detector: DetectorName | None = None,
        deadline: Deadline | None = None,
        with_sha256: bool = False,
        model: ModelChoice = DEFAULT_MODEL,
    ) -> EmbeddedFaces:
        """Embeddings of an image's most prominent face, or of all its faces
        (one batched run), or of the image as an aligned crop. ``model``
        chooses the embedder's version; the detector is the default's."""
        deadline = deadline or Deadline.never()
        with ExitStack() as stack:
            embedder = stack.enter_context(self.embedder(model))
            det = None if aligned else stack.enter_context(self.detector(detector))
            data = self.read_image(source)
            sha = hashlib.sha256(data).hexdigest() if with_sha256 else ""
            image = stack.enter_context(self.decoded(data, deadline)).image
            deadline.check()
            if det is None:
                crop = to_aligned_size(image)
                full = BoundingBox(0.0, 0.0, float(ALIGNED_SIZE), float(ALIGNED_SIZE))
                report = quality.assess(crop, full, Landmarks.from_array(ARCFACE_TEMPLATE))
                vectors = embedder.embed([crop])
                return EmbeddedFaces(sha, [0], [None], vectors, [report], embedder.info, [crop])
            faces = self.find_faces(det, image)
            if all_faces and faces:
                chosen = list(range(len(faces)))
            else:
                chosen = [rules.most_prominent(faces)]
            deadline.check()
            picked = [faces[i] for i in chosen]
            vectors, reports, crops = self.embed_faces(embedder, image, picked)
            return EmbeddedFaces(sha, chosen, list(picked), vectors, reports, embedder.info, crops)


def _model(handle: ModelHandle, kind: type[M]) -> M:
    model = handle.model
    if not isinstance(model, kind):
        raise TypeError(f"{handle.spec.role} holds a {type(model).__name__}, not a {kind.__name__}")
    return model


def _with_landmarks_106(landmarker: Landmark106, image: BGRImage, faces: list[Face]) -> list[Face]:
    """``faces`` with their 106 points; a box clipped to nothing at the image
    edge has no crop to look at and keeps none."""
    usable = [i for i, f in enumerate(faces) if f.bbox.width > 0 and f.bbox.height > 0]
    points = landmarker.predict_many(image, [faces[i].bbox for i in usable])
    out = list(faces)
    for i, p in zip(usable, points, strict=True):
        out[i] = dataclasses.replace(
            faces[i], landmarks_106=tuple(Point(float(x), float(y)) for x, y in p)
        )
    return out


def scale_face(face: Face, s: float) -> Face:
    """``face`` found in an image decoded at 1/s of its size, in full-size pixels."""
    b = face.bbox

    def up(p: Point) -> Point:
        return Point(p.x * s, p.y * s)

    return Face(
        bbox=BoundingBox(b.x * s, b.y * s, b.width * s, b.height * s),
        landmarks=Landmarks.from_array(face.landmarks.as_array() * s),
        confidence=face.confidence,
        landmarks_106=tuple(up(p) for p in face.landmarks_106),
    )


def to_aligned_size(image: BGRImage) -> BGRImage:
    h, w = image.shape[:2]
    if (h, w) == (ALIGNED_SIZE, ALIGNED_SIZE):
        return image
    interp = cv2.INTER_AREA if min(h, w) > ALIGNED_SIZE else cv2.INTER_LINEAR
    return np.asarray(
        cv2.resize(image, (ALIGNED_SIZE, ALIGNED_SIZE), interpolation=interp), dtype=np.uint8
    )
