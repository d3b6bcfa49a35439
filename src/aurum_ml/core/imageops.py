"""ImageProcessing's operations: resize, normalise, align, quality and convert,
applied in the order given to one decoded image."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from aurum_ml import quality
from aurum_ml.align import ARCFACE_TEMPLATE, align_face
from aurum_ml.core.operations import (
    AlignOp,
    ConvertOp,
    ImageFormat,
    NormalizeOp,
    Operation,
    QualityOp,
    ResizeOp,
)
from aurum_ml.core.pipeline import ALIGNED_SIZE
from aurum_ml.core.workers import Deadline
from aurum_ml.errors import InvalidInput
from aurum_ml.images import DecodedImage, ImageLimits, encode_image
from aurum_ml.types import BGRImage, BoundingBox, Face, Landmarks, ProcessedImage

MAX_OUTPUT_SIDE = 10_000
#: Room in a response message for everything but the processed image.
RESPONSE_HEADROOM = 64 * 1024


class ImageOperations:
    """Runs a list of operations; ``find_face`` finds the most prominent face
    when an align or quality step has no landmarks to go by."""

    def __init__(self, limits: ImageLimits, find_face: Callable[[BGRImage], Face]) -> None:
        self.limits = limits
        self.find_face = find_face

    def apply(
        self,
        decoded: DecodedImage,
        operations: Sequence[Operation],
        output_format: ImageFormat | None,
        encode_quality: int,
        deadline: Deadline,
    ) -> ProcessedImage:
        state = _ProcessState(image=decoded.image, fmt=decoded.format)
        result = ProcessedImage(data=b"", format=decoded.format, width=0, height=0)
        for op in operations:
            deadline.check()
            self._apply(op, state, result)
        fmt = output_format or state.fmt
        data = encode_image(state.image, fmt, encode_quality or 90)
        # The answer must fit in one gRPC message like the request did; a
        # 25 MP PNG of a noisy photo is about 75 MB (and a REST body of 100).
        limit = self.limits.max_bytes - RESPONSE_HEADROOM
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
            state.face = self.find_face(state.image)
            result.faces.append(state.face)
        return state.face

    def _apply(self, op: Operation, state: _ProcessState, result: ProcessedImage) -> None:
        if isinstance(op, ResizeOp):
            state.replace(_resize(state.image, op, self.limits.max_pixels))
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
