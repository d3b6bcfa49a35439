"""Domain types shared by the core and the transports (no protobuf, no JSON)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

#: A decoded image: height x width x 3, uint8, BGR channel order (OpenCV's).
BGRImage: TypeAlias = npt.NDArray[np.uint8]
FloatArray: TypeAlias = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class BoundingBox:
    """Axis-aligned box in original-image pixels; (x, y) is the top-left corner."""

    x: float
    y: float
    width: float
    height: float

    @property
    def area(self) -> float:
        return max(0.0, self.width) * max(0.0, self.height)

    def iou(self, other: BoundingBox) -> float:
        """Intersection over union; 0 when either box is empty."""
        iw = min(self.x + self.width, other.x + other.width) - max(self.x, other.x)
        ih = min(self.y + self.height, other.y + other.height) - max(self.y, other.y)
        inter = max(0.0, iw) * max(0.0, ih)
        union = self.area + other.area - inter
        return inter / union if union > 0 else 0.0

    def contains(self, p: Point, margin: float = 0.0) -> bool:
        return (
            self.x - margin <= p.x <= self.x + self.width + margin
            and self.y - margin <= p.y <= self.y + self.height + margin
        )


@dataclass(frozen=True, slots=True)
class Landmarks:
    """The five points ArcFace alignment uses, from the subject's point of view
    as the detectors report them (left_eye is on the image's left)."""

    left_eye: Point
    right_eye: Point
    nose: Point
    left_mouth: Point
    right_mouth: Point

    def as_array(self) -> FloatArray:
        pts = (self.left_eye, self.right_eye, self.nose, self.left_mouth, self.right_mouth)
        return np.array([[p.x, p.y] for p in pts], dtype=np.float32)

    @classmethod
    def from_array(cls, arr: npt.ArrayLike) -> Landmarks:
        a = np.asarray(arr, dtype=np.float64).reshape(5, 2)
        pts = [Point(float(x), float(y)) for x, y in a]
        return cls(*pts)


@dataclass(frozen=True, slots=True)
class Face:
    bbox: BoundingBox
    landmarks: Landmarks
    confidence: float
    #: The 106-point model's landmarks, when asked for; empty otherwise.
    landmarks_106: tuple[Point, ...] = ()


@dataclass(frozen=True, slots=True)
class ModelInfo:
    name: str
    version: str
    execution_provider: str = ""


@dataclass(frozen=True, slots=True)
class QualityReport:
    """Each component and the overall score are in [0, 1]; README explains each."""

    overall: float
    sharpness: float
    brightness: float
    face_size: float
    frontality: float


@dataclass(frozen=True, slots=True)
class Detection:
    faces: list[Face]
    image_width: int
    image_height: int
    model: ModelInfo


@dataclass(frozen=True, slots=True)
class EmbeddingResult:
    embedding: FloatArray  # shape (512,), float32, unit L2 norm
    quality: QualityReport
    confidence: float
    face: Face | None  # None when the input was an aligned crop
    model: ModelInfo


@dataclass(frozen=True, slots=True)
class SimilarityResult:
    score: float
    is_match: bool
    threshold: float
    metric: str


@dataclass(frozen=True, slots=True)
class RankedMatch:
    index: int
    score: float
    is_match: bool


@dataclass(frozen=True, slots=True)
class CompareManyResult:
    scores: FloatArray
    matches: list[RankedMatch]
    threshold: float
    metric: str


@dataclass(slots=True)
class ProcessedImage:
    data: bytes
    format: str
    width: int
    height: int
    applied: list[str] = field(default_factory=list)
    quality: QualityReport | None = None
    faces: list[Face] = field(default_factory=list)
