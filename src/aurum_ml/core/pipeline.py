"""The synchronous face pipeline: decode -> detect -> align -> embed -> quality.

Everything here runs in a worker thread (ONNX Runtime, OpenCV and numpy
release the GIL), one request per call, so the event loop never waits on it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from aurum_ml import quality
from aurum_ml.align import ARCFACE_TEMPLATE, align_face
from aurum_ml.core.admission import Deadline
from aurum_ml.core.operations import (
    AlignOp,
    ConvertOp,
    DetectorName,
    ImageFormat,
    ImageInput,
    NormalizeOp,
    Operation,
    QualityOp,
    ResizeOp,
)
from aurum_ml.errors import InvalidInput, NoFaceFound, ServiceUnavailable
from aurum_ml.images import ImageLimits, decode_image, encode_image, fetch_image_url
from aurum_ml.models import ArcFaceEmbedder, FaceDetector, Landmark106
from aurum_ml.types import (
    BGRImage,
    BoundingBox,
    Detection,
    EmbeddingResult,
    Face,
    Landmarks,
    Point,
    ProcessedImage,
)

ALIGNED_SIZE = 112
MAX_OUTPUT_SIDE = 10_000
#: Room in a response message for everything but the processed image.
RESPONSE_HEADROOM = 64 * 1024


@dataclass(frozen=True, slots=True)
class PipelineConfig:
    limits: ImageLimits
    allowed_hosts: frozenset[str]
    min_confidence: float
    max_faces: int
    default_detector: DetectorName


@dataclass(frozen=True, slots=True)
class Decoded:
    image: BGRImage
    format: ImageFormat


class FacePipeline:
    """Holds the loaded models; a missing model is ``None`` and its steps fail
    with UNAVAILABLE, naming why."""

    def __init__(
        self,
        config: PipelineConfig,
        detectors: dict[DetectorName, FaceDetector],
        embedder: ArcFaceEmbedder | None,
        unavailable: dict[str, str],
        landmarker: Landmark106 | None = None,
    ) -> None:
        self.config = config
        self.detectors = detectors
        self.embedder = embedder
        self.unavailable = unavailable
        self.landmarker = landmarker

    # -- inputs --------------------------------------------------------------

    def load_image(self, source: ImageInput) -> Decoded:
        if source.data is not None and source.url is not None:
            raise InvalidInput("set either image data or image url, not both")
        if source.url is not None:
            data = fetch_image_url(
                source.url, self.config.allowed_hosts, self.config.limits.max_bytes
            )
        elif source.data is not None:
            data = source.data
        else:
            raise InvalidInput("no image given: set image data (bytes) or url")
        decoded = decode_image(data, self.config.limits)
        return Decoded(image=decoded.image, format=decoded.format)

    # -- detection -----------------------------------------------------------

    def detector(self, name: DetectorName | None) -> FaceDetector:
        chosen = name or self.config.default_detector
        det = self.detectors.get(chosen)
        if det is None:
            why = self.unavailable.get(chosen, "not loaded")
            raise ServiceUnavailable(f"the {chosen} face detector is not available: {why}")
        return det

    def _limits(self, min_confidence: float, max_faces: int) -> tuple[float, int]:
        if not 0.0 <= min_confidence <= 1.0:
            raise InvalidInput(f"min_confidence must be in [0, 1], got {min_confidence}")
        if max_faces < 0:
            raise InvalidInput(f"max_faces must be 0 (server cap) or positive, got {max_faces}")
        conf = min_confidence or self.config.min_confidence
        cap = self.config.max_faces if max_faces == 0 else min(max_faces, self.config.max_faces)
        return conf, cap

    def detect_image(
        self, image: BGRImage, min_confidence: float, max_faces: int, detector: DetectorName | None
    ) -> tuple[list[Face], FaceDetector]:
        conf, cap = self._limits(min_confidence, max_faces)
        det = self.detector(detector)
        return det.detect(image, min_confidence=conf, max_faces=cap), det

    def detect(
        self,
        source: ImageInput,
        min_confidence: float = 0.0,
        max_faces: int = 0,
        detector: DetectorName | None = None,
        deadline: Deadline | None = None,
        landmarks_106: bool = False,
    ) -> Detection:
        deadline = deadline or Deadline.never()
        # Fail fast, before decoding, when a model the request needs is not serving.
        self.detector(detector)
        landmarker = self._landmarker() if landmarks_106 else None
        decoded = self.load_image(source)
        deadline.check()
        faces, det = self.detect_image(decoded.image, min_confidence, max_faces, detector)
        if landmarker is not None and faces:
            deadline.check()
            faces = _with_landmarks_106(landmarker, decoded.image, faces)
        h, w = decoded.image.shape[:2]
        return Detection(faces=faces, image_width=w, image_height=h, model=det.info)

    def prominent_face(self, image: BGRImage, detector: DetectorName | None) -> Face:
        faces, _ = self.detect_image(image, 0.0, 0, detector)
        if not faces:
            raise NoFaceFound("no face found in the image")
        # Prominence: the biggest face, weighted by how sure the detector is.
        return max(faces, key=lambda f: f.bbox.area * f.confidence)

    # -- embedding -----------------------------------------------------------

    def _landmarker(self) -> Landmark106:
        if self.landmarker is None:
            why = self.unavailable.get("landmarks106", "not loaded")
            raise ServiceUnavailable(f"the 106-point landmark model is not available: {why}")
        return self.landmarker

    def _embedder(self) -> ArcFaceEmbedder:
        if self.embedder is None:
            why = self.unavailable.get("embedder", "not loaded")
            raise ServiceUnavailable(f"the face embedding model is not available: {why}")
        return self.embedder

    def embed(
        self,
        source: ImageInput,
        aligned: bool = False,
        detector: DetectorName | None = None,
        deadline: Deadline | None = None,
    ) -> EmbeddingResult:
        deadline = deadline or Deadline.never()
        embedder = self._embedder()
        if not aligned:
            self.detector(detector)
        decoded = self.load_image(source)
        deadline.check()
        if aligned:
            crop = _to_aligned_size(decoded.image)
            full = BoundingBox(0.0, 0.0, float(ALIGNED_SIZE), float(ALIGNED_SIZE))
            landmarks = Landmarks.from_array(ARCFACE_TEMPLATE)
            vec = embedder.embed([crop])[0]
            report = quality.assess(crop, full, landmarks)
            return EmbeddingResult(
                embedding=vec, quality=report, confidence=1.0, face=None, model=embedder.info
            )
        face = self.prominent_face(decoded.image, detector)
        deadline.check()
        crop = align_face(decoded.image, face.landmarks, ALIGNED_SIZE)
        vec = embedder.embed([crop])[0]
        report = quality.assess(crop, face.bbox, face.landmarks)
        return EmbeddingResult(
            embedding=vec,
            quality=report,
            confidence=face.confidence,
            face=face,
            model=embedder.info,
        )

    def embed_faces(self, image: BGRImage, faces: Sequence[Face]) -> np.ndarray:
        """Embeddings of several faces of one image, in one batched run."""
        crops = [align_face(image, f.landmarks, ALIGNED_SIZE) for f in faces]
        return self._embedder().embed(crops)

    # -- image processing ------------------------------------------------------

    def process(
        self,
        source: ImageInput,
        operations: Sequence[Operation],
        output_format: ImageFormat | None,
        encode_quality: int,
        deadline: Deadline | None = None,
    ) -> ProcessedImage:
        deadline = deadline or Deadline.never()
        if not 0 <= encode_quality <= 100:
            raise InvalidInput(f"encode_quality must be 1-100 (0 for 90), got {encode_quality}")
        decoded = self.load_image(source)
        state = _ProcessState(image=decoded.image, fmt=decoded.format)
        result = ProcessedImage(data=b"", format=decoded.format, width=0, height=0)
        for op in operations:
            deadline.check()
            self._apply(op, state, result)
        fmt = output_format or state.fmt
        data = encode_image(state.image, fmt, encode_quality or 90)
        # The answer must fit in one gRPC message like the request did; a
        # 25 MP PNG of a noisy photo is about 75 MB (and a REST body of 100).
        limit = self.config.limits.max_bytes - RESPONSE_HEADROOM
        if len(data) > limit:
            raise InvalidInput(
                f"the processed image is {len(data)} bytes as {fmt}, over the {limit}-byte "
                "limit on answers: ask for a smaller size, or JPEG or WebP"
            )
        result.data, result.format = data, fmt
        result.height, result.width = state.image.shape[:2]
        return result

    def _face_for(
        self, state: _ProcessState, landmarks: Landmarks | None, result: ProcessedImage
    ) -> Face:
        if landmarks is not None:
            pts = landmarks.as_array()
            x0, y0 = pts.min(axis=0)
            x1, y1 = pts.max(axis=0)
            # Five points span about half a face; widen to a plausible face box.
            w, h = float(x1 - x0) * 2.0, float(y1 - y0) * 2.0
            box = BoundingBox(float(x0) - w / 4, float(y0) - h / 4, w, h)
            return Face(bbox=box, landmarks=landmarks, confidence=1.0)
        if state.aligned_size:
            # Already an aligned crop: the face is where the template puts it;
            # detecting again on 112 pixels would be slower and may miss it.
            size = float(state.aligned_size)
            pts = ARCFACE_TEMPLATE * (size / ALIGNED_SIZE)
            return Face(BoundingBox(0.0, 0.0, size, size), Landmarks.from_array(pts), 1.0)
        if state.face is None:
            state.face = self.prominent_face(state.image, None)
            result.faces.append(state.face)
        return state.face

    def _apply(self, op: Operation, state: _ProcessState, result: ProcessedImage) -> None:
        if isinstance(op, ResizeOp):
            state.replace(_resize(state.image, op, self.config.limits.max_pixels))
            result.applied.append("resize")
        elif isinstance(op, NormalizeOp):
            # Photometric only: geometry, and so any detected face, stays valid.
            state.image = _normalize(state.image, op.mode)
            result.applied.append("normalize")
        elif isinstance(op, AlignOp):
            if not 16 <= op.size <= 1024:
                raise InvalidInput(f"align size must be 16-1024 pixels, got {op.size}")
            face = self._face_for(state, op.landmarks, result)
            state.replace(align_face(state.image, face.landmarks, op.size))
            state.aligned_size = op.size
            result.applied.append("align")
        elif isinstance(op, QualityOp):
            face = self._face_for(state, op.landmarks, result)
            crop = align_face(state.image, face.landmarks, ALIGNED_SIZE)
            result.quality = quality.assess(crop, face.bbox, face.landmarks)
            result.applied.append("quality")
        elif isinstance(op, ConvertOp):
            state.fmt = op.format
            result.applied.append("convert")


@dataclass(slots=True)
class _ProcessState:
    """The image as the operations transform it, and what is known about it."""

    image: BGRImage
    fmt: ImageFormat
    face: Face | None = None
    aligned_size: int = 0

    def replace(self, image: BGRImage) -> None:
        """A geometric change: earlier detections and alignment no longer apply."""
        self.image = image
        self.face = None
        self.aligned_size = 0


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


def _to_aligned_size(image: BGRImage) -> BGRImage:
    h, w = image.shape[:2]
    if (h, w) == (ALIGNED_SIZE, ALIGNED_SIZE):
        return image
    interp = cv2.INTER_AREA if min(h, w) > ALIGNED_SIZE else cv2.INTER_LINEAR
    return np.asarray(
        cv2.resize(image, (ALIGNED_SIZE, ALIGNED_SIZE), interpolation=interp), dtype=np.uint8
    )


def _resize(image: BGRImage, op: ResizeOp, max_pixels: int) -> BGRImage:
    h, w = image.shape[:2]
    if op.width < 0 or op.height < 0 or (op.width == 0 and op.height == 0):
        raise InvalidInput("resize needs a positive width, height or both")
    if op.width > MAX_OUTPUT_SIDE or op.height > MAX_OUTPUT_SIDE:
        raise InvalidInput(f"resize target sides must be at most {MAX_OUTPUT_SIDE} pixels")
    if op.width and op.height and not op.keep_aspect:
        tw, th = op.width, op.height
    else:
        sx = op.width / w if op.width else float("inf")
        sy = op.height / h if op.height else float("inf")
        s = min(sx, sy)
        tw, th = max(1, round(w * s)), max(1, round(h * s))
    if tw * th > max_pixels:
        raise InvalidInput(f"resize to {tw}x{th} exceeds the {max_pixels}-pixel limit on images")
    interp = cv2.INTER_AREA if tw * th < w * h else cv2.INTER_LINEAR
    return np.asarray(cv2.resize(image, (tw, th), interpolation=interp), dtype=np.uint8)


def _normalize(image: BGRImage, mode: str) -> BGRImage:
    # Work on luminance only so colours keep their hue.
    ycc = np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2YCrCb), dtype=np.uint8)
    y = ycc[:, :, 0]
    if mode == "equalize":
        ycc[:, :, 0] = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(y)
    else:
        lo, hi = int(y.min()), int(y.max())
        if hi > lo:
            stretched = (y.astype(np.float32) - lo) * (255.0 / (hi - lo))
            ycc[:, :, 0] = np.clip(stretched + 0.5, 0, 255).astype(np.uint8)
    return np.asarray(cv2.cvtColor(ycc, cv2.COLOR_YCrCb2BGR), dtype=np.uint8)
