"""Face galleries over Qdrant: the storage layer of enroll / identify / verify / erase."""

from __future__ import annotations

from aurum_ml.store.config import StoreConfig
from aurum_ml.store.connection import StoreConnection, open_store
from aurum_ml.store.face_store import FaceStore
from aurum_ml.store.ids import FACE_ID_NAMESPACE, embedding_sha256, face_point_id
from aurum_ml.store.paging import decode_token, encode_token, page_size
from aurum_ml.store.transfer import copy_galleries
from aurum_ml.store.types import (
    EnrollItem,
    FaceEmbedding,
    FaceRecord,
    GalleryInfo,
    SubjectFaces,
    SubjectMatch,
    SubjectPage,
    SubjectSummary,
)
from aurum_ml.store.validation import (
    DEFAULT_PAGE_SIZE,
    GALLERY_NAME_RE,
    MAX_PAGE_SIZE,
    validate_gallery_name,
    validate_metadata,
    validate_subject_id,
)

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "FACE_ID_NAMESPACE",
    "GALLERY_NAME_RE",
    "MAX_PAGE_SIZE",
    "EnrollItem",
    "FaceEmbedding",
    "FaceRecord",
    "FaceStore",
    "GalleryInfo",
    "StoreConfig",
    "StoreConnection",
    "SubjectFaces",
    "SubjectMatch",
    "SubjectPage",
    "SubjectSummary",
    "copy_galleries",
    "decode_token",
    "embedding_sha256",
    "encode_token",
    "face_point_id",
    "open_store",
    "page_size",
    "validate_gallery_name",
    "validate_metadata",
    "validate_subject_id",
]
