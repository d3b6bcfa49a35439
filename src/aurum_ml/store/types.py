"""What the face store hands out and takes in: plain values, no Qdrant types."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class GalleryInfo:
    name: str
    model_name: str
    model_version: str
    dim: int
    face_count: int
    #: None unless asked for: counting distinct subjects reads every point's
    #: subject_id in embedded mode.
    subject_count: int | None = None
    #: Whether each face's aligned crop is kept (so the gallery can migrate).
    keeps_face_crops: bool = False


class FaceEmbedding(NamedTuple):
    """One face to enroll; a plain 5-tuple in this order is accepted too."""

    vector: npt.ArrayLike
    image_sha256: str
    face_index: int
    quality: float
    metadata: Mapping[str, str]
    #: Its aligned 112x112 crop as PNG: stored only by a gallery that keeps crops.
    crop: bytes | None = None


#: What enroll accepts per face: a FaceEmbedding or the same fields as a tuple.
EnrollItem = (
    tuple[npt.ArrayLike, str, int, float, Mapping[str, str]]
    | tuple[npt.ArrayLike, str, int, float, Mapping[str, str], bytes | None]
)


@dataclass(frozen=True, slots=True)
class MigrationProgress:
    """A gallery's move to another embedding model, as the store sees it."""

    gallery: str
    from_model: tuple[str, str]
    to_model: tuple[str, str]
    #: Faces of the live generation, and how many the new one holds.
    total: int
    migrated: int


@dataclass(frozen=True, slots=True)
class SubjectMatch:
    subject_id: str
    score: float
    face_id: str


@dataclass(frozen=True, slots=True)
class SubjectSummary:
    subject_id: str
    face_count: int


@dataclass(frozen=True, slots=True)
class FaceRecord:
    face_id: str
    image_sha256: str
    face_index: int
    quality: float
    metadata: dict[str, str]
    enrolled_at: float


@dataclass(frozen=True, slots=True)
class SubjectPage:
    """One page of a gallery's subjects; an empty token means the last page."""

    subjects: list[SubjectSummary]
    next_page_token: str


@dataclass(frozen=True, slots=True)
class SubjectFaces:
    """One page of a subject's faces, oldest first; ``face_count`` counts them all."""

    subject_id: str
    faces: list[FaceRecord]
    face_count: int
    next_page_token: str
