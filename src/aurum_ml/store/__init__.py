"""Face galleries over Qdrant: the storage layer of enroll / identify / verify / erase."""

from __future__ import annotations

from aurum_ml.store.config import StoreConfig
from aurum_ml.store.face_store import (
    GALLERY_NAME_RE,
    EnrollItem,
    FaceEmbedding,
    FaceRecord,
    FaceStore,
    GalleryInfo,
    SubjectDetail,
    SubjectMatch,
    SubjectSummary,
    validate_gallery_name,
    validate_subject_id,
)
from aurum_ml.store.ids import FACE_ID_NAMESPACE, embedding_sha256, face_point_id

__all__ = [
    "FACE_ID_NAMESPACE",
    "GALLERY_NAME_RE",
    "EnrollItem",
    "FaceEmbedding",
    "FaceRecord",
    "FaceStore",
    "GalleryInfo",
    "StoreConfig",
    "SubjectDetail",
    "SubjectMatch",
    "SubjectSummary",
    "embedding_sha256",
    "face_point_id",
    "validate_gallery_name",
    "validate_subject_id",
]
