"""JSON shapes of the face store's paths (/api/faces/...); the fields and
meanings follow the FaceStore gRPC service (face_store.proto)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from aurum_ml.rest import schemas as s
from aurum_ml.rest.schemas import In, Out

# -- requests ----------------------------------------------------------------------


class FaceQuery(In):
    """Give exactly one of `image` and `embedding`."""

    image: str | None = Field(None, description=s.IMAGE_DOC)
    embedding: list[float] | None = None
    """A 512-d embedding of the server's model (as /api/extract-embedding returns it)."""
    aligned: bool = False
    """The image already is an aligned 112x112 face crop."""
    detector: s.Detector | None = None
    """Face detector; null means the server's default."""


class ModelRef(In):
    name: str
    version: str = ""
    """Empty: the newest version the manifest lists of that model."""


class CreateGalleryRequest(In):
    name: str
    """1-64 letters, digits, '_', '.' or '-', starting with a letter or digit."""
    model: ModelRef | None = None
    """The embedding model the gallery is bound to (any version the manifest lists);
    null: the server's default embedder."""
    keep_face_crops: bool = False
    """Keep each enrolled face's aligned 112x112 crop (biometric data, deleted with its
    face or subject) so the gallery can later be migrated to another embedding model
    without re-enrolment; such a gallery enrolls images only. Fixed at creation."""


class EnrollRequest(FaceQuery):
    subject_id: str
    """1-128 characters, no control characters."""
    metadata: dict[str, str] = Field(default_factory=dict)
    """Stored with every face of this call (at most 32 entries); returned by the subject's GET."""
    all_faces: bool = False
    """false: enroll the image's most prominent face. true: every detected face, as this
    same subject."""


class IdentifyRequest(FaceQuery):
    top_k: int = 0
    """Most subjects returned; 0 means 5."""
    all_faces: bool = False
    """Image input only: identify every detected face (one batched run); the answers are
    in `faces`, one per face with its box. The top-level fields then hold the most
    prominent face's answer."""
    min_score: float | None = None
    """Leave out subjects scoring below this; null keeps all top_k."""
    threshold: float | None = None
    """Cosine similarity at or above which a subject matches; null means the server's
    calibrated default (0.35)."""


class VerifyRequest(FaceQuery):
    subject_id: str
    threshold: float | None = None
    """Cosine similarity at or above which the face matches; null means the default."""


# -- responses ---------------------------------------------------------------------


class GalleryModel(Out):
    name: str
    version: str


class Gallery(Out):
    name: str
    model: GalleryModel
    """The embedding model the gallery was built with."""
    dim: int
    face_count: int
    subject_count: int | None
    """Distinct subjects; only counted by GET of one gallery, null in lists."""
    keeps_face_crops: bool
    """Whether each face's aligned crop is kept (the gallery can be migrated)."""


class GalleryResponse(Out):
    success: Literal[True] = True
    gallery: Gallery


class ListGalleriesResponse(Out):
    success: Literal[True] = True
    galleries: list[Gallery]
    """Ordered by name."""


class DeletedResponse(Out):
    success: Literal[True] = True
    deleted: bool
    """false if it was already gone (not an error)."""


class EnrollResponse(Out):
    success: Literal[True] = True
    face_ids: list[str]
    """Ids of the stored faces; enrolling the same face again returns the same id."""
    faces: list[s.Face]
    """The enrolled faces; empty for embedding or aligned input."""
    quality: list[s.QualityReport]
    """Quality of each enrolled face; empty for embedding input."""
    model: s.ModelInfo


class SubjectMatch(Out):
    subject_id: str
    score: float
    """Cosine similarity to the subject's closest face."""
    face_id: str
    is_match: bool


class FaceIdentity(Out):
    face: s.Face
    """The face (its box says which one it is)."""
    quality: s.QualityReport
    matches: list[SubjectMatch]
    """Best first."""


class IdentifyResponse(Out):
    success: Literal[True] = True
    matches: list[SubjectMatch]
    """Best first."""
    threshold: float
    model: s.ModelInfo
    face: s.Face | None
    """The query face (image input not aligned)."""
    quality: s.QualityReport | None
    faces: list[FaceIdentity] = Field(default_factory=list)
    """all_faces: one answer per detected face, highest confidence first; else empty."""


class VerifyResponse(Out):
    success: Literal[True] = True
    score: float
    is_match: bool
    threshold: float
    face_id: str
    """The subject's face that scored best."""
    model: s.ModelInfo
    face: s.Face | None
    quality: s.QualityReport | None


class DeleteSubjectResponse(Out):
    success: Literal[True] = True
    deleted_faces: int
    """Faces erased; 0 if the subject was already gone (not an error)."""


class SubjectSummary(Out):
    subject_id: str
    face_count: int


class ListSubjectsResponse(Out):
    success: Literal[True] = True
    subjects: list[SubjectSummary]
    """Ordered by subject_id."""
    next_page_token: str
    """Pass as page_token for the next page; empty on the last page."""


class StoredFace(Out):
    face_id: str
    image_sha256: str
    """SHA-256 of the source image (or of the embedding, for embedding input)."""
    face_index: int
    quality: float
    """Overall quality at enrollment; 0 for embedding input."""
    metadata: dict[str, str]
    enrolled_at: float
    """Unix time of the first enrollment."""


class GetSubjectResponse(Out):
    success: Literal[True] = True
    subject_id: str
    faces: list[StoredFace]
    """Oldest first; never the embeddings."""
    face_count: int
    next_page_token: str
