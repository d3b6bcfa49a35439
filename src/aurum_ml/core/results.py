"""What the face-search use cases take and return, free of any transport's types."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from aurum_ml.core.operations import DetectorName, ImageInput
from aurum_ml.scoring import FaceScores
from aurum_ml.types import Face, FloatArray, ModelInfo, QualityReport


@dataclass(frozen=True, slots=True)
class FaceInput:
    """What a call identifies a face by: an image (bytes or URL) or an embedding."""

    image: ImageInput | None = None
    embedding: Sequence[float] | FloatArray | None = None
    aligned: bool = False
    detector: DetectorName | None = None


@dataclass(frozen=True, slots=True)
class EnrollResult:
    face_ids: list[str]
    #: One per face id; empty for embedding input, None entries for aligned input.
    faces: list[Face | None]
    #: One per face id; empty for embedding input.
    quality: list[QualityReport]
    model: ModelInfo


@dataclass(frozen=True, slots=True)
class Match:
    subject_id: str
    score: float
    face_id: str
    is_match: bool


@dataclass(frozen=True, slots=True)
class FaceIdentity:
    """One face of a probe image and the subjects closest to it."""

    face: Face
    quality: QualityReport
    matches: list[Match]


@dataclass(frozen=True, slots=True)
class IdentifyResult:
    matches: list[Match]
    threshold: float
    model: ModelInfo
    face: Face | None
    quality: QualityReport | None
    #: all_faces: one per detected face, in detection order; else empty.
    faces: list[FaceIdentity] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class VerifyResult:
    score: float
    is_match: bool
    threshold: float
    face_id: str
    model: ModelInfo
    face: Face | None
    quality: QualityReport | None


@dataclass(frozen=True, slots=True)
class LoadedModel:
    """A model version as /api/status shows it."""

    role: str
    info: ModelInfo
    loaded: bool
    error: str = ""


@dataclass(frozen=True, slots=True)
class ScoredFace:
    """The most prominent face of an image, embedded and scored (the job queue's answer)."""

    embedding: FloatArray
    quality: QualityReport
    scores: FaceScores
    confidence: float
    face: Face
    #: Deterministic: the same image and model give the same id (scoring.face_id).
    face_id: str
    model: ModelInfo
    #: The face's id in the gallery it was enrolled in, if it was.
    enrolled_face_id: str = ""
