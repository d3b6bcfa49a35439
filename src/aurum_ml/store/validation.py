"""What the store accepts from a caller: names, ids, model fields, faces, and the limits.

Everything here runs before the store is touched, so a bad request costs no
store round trip and never leaves half a write behind.
"""

from __future__ import annotations

import math
import re
import unicodedata
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from aurum_ml import similarity
from aurum_ml.errors import InvalidInput
from aurum_ml.store.types import EnrollItem

GALLERY_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")

MAX_SUBJECT_ID_LEN = 128
MAX_MODEL_FIELD_LEN = 64
MAX_TOP_K = 1000
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
# The project's one vector rule (similarity.as_vector) caps every embedding at
# this; a gallery of more dimensions could never be enrolled into.
MAX_DIM = similarity.MAX_DIM
# Bounds on caller metadata: payload is kept in memory by embedded Qdrant and
# returned with every GetSubject, so it must stay small.
MAX_METADATA_ITEMS = 32
MAX_METADATA_KEY_LEN = 64
MAX_METADATA_VALUE_LEN = 1024


@dataclass(frozen=True, slots=True)
class ValidFace:
    """A validated face ready to become a point."""

    vector: npt.NDArray[np.float32]
    image_sha256: str
    face_index: int
    quality: float
    metadata: dict[str, str]
    #: The face's aligned crop (PNG), kept only by galleries that keep crops.
    crop: bytes | None = None


#: A face crop (112x112 colour PNG) is 9-24 KiB; this bounds a malformed one.
MAX_CROP_BYTES = 256 * 1024
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def validate_gallery_name(name: str) -> str:
    if not isinstance(name, str) or not GALLERY_NAME_RE.fullmatch(name):
        raise InvalidInput(
            "gallery name must be 1-64 characters of letters, digits, '_', '.' or '-', "
            "starting with a letter or digit"
        )
    return name


def validate_subject_id(subject_id: str) -> str:
    if not isinstance(subject_id, str) or not subject_id.strip():
        raise InvalidInput("subject_id must be a non-empty string")
    if len(subject_id) > MAX_SUBJECT_ID_LEN:
        raise InvalidInput(f"subject_id must be at most {MAX_SUBJECT_ID_LEN} characters")
    if any(unicodedata.category(ch) == "Cc" for ch in subject_id):
        raise InvalidInput("subject_id must not contain control characters")
    return subject_id


def validate_model_field(what: str, value: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{what} must be a non-empty string")
    if len(value) > MAX_MODEL_FIELD_LEN:
        raise InvalidInput(f"{what} must be at most {MAX_MODEL_FIELD_LEN} characters")
    return value


def validate_face_id(face_id: str) -> str:
    """The face id in canonical UUID form (the form Qdrant stores)."""
    try:
        return str(uuid.UUID(str(face_id)))
    except ValueError:
        raise InvalidInput("face_id must be a UUID") from None


def validate_dim(dim: int) -> int:
    if isinstance(dim, bool) or not isinstance(dim, int) or not 1 <= dim <= MAX_DIM:
        raise InvalidInput(f"dim must be an integer in [1, {MAX_DIM}]")
    return dim


def validate_top_k(top_k: int) -> int:
    if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= MAX_TOP_K:
        raise InvalidInput(f"top_k must be an integer in [1, {MAX_TOP_K}]")
    return top_k


def validate_min_score(min_score: float | None) -> float | None:
    if min_score is None:
        return None
    try:
        value = float(min_score)
    except (TypeError, ValueError):
        raise InvalidInput("min_score must be a number") from None
    if not math.isfinite(value) or not -1.0 <= value <= 1.0:
        raise InvalidInput("min_score must be in [-1, 1]")
    return value


def unit_vector(
    vec: npt.ArrayLike, what: str, dim: int | None = None, dim_hint: str = ""
) -> npt.NDArray[np.float32]:
    """A caller's embedding, checked by the project's vector rule, at unit length."""
    arr = similarity.as_vector(vec, what, dim=dim, dim_hint=dim_hint, nonzero=True)
    norm = float(np.linalg.norm(arr.astype(np.float64)))
    # Callers should already send unit vectors; normalising again costs
    # nothing and keeps scores true cosines even if one does not.
    unit: npt.NDArray[np.float32] = (arr / np.float32(norm)).astype(np.float32)
    return unit


def validate_metadata(metadata: Mapping[str, str] | None) -> dict[str, str]:
    if metadata is None:
        return {}
    if not isinstance(metadata, Mapping):
        raise InvalidInput("metadata must be a mapping of strings to strings")
    if len(metadata) > MAX_METADATA_ITEMS:
        raise InvalidInput(f"metadata may hold at most {MAX_METADATA_ITEMS} entries")
    meta: dict[str, str] = {}
    for k, v in metadata.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise InvalidInput("metadata keys and values must be strings")
        if not k or len(k) > MAX_METADATA_KEY_LEN:
            raise InvalidInput(f"metadata keys must be 1-{MAX_METADATA_KEY_LEN} characters")
        if len(v) > MAX_METADATA_VALUE_LEN:
            raise InvalidInput(
                f"metadata values must be at most {MAX_METADATA_VALUE_LEN} characters"
            )
        meta[k] = v
    return meta


def validate_face(item: EnrollItem, dim: int | None = None, dim_hint: str = "") -> ValidFace:
    shape = "each face must be (vector, image_sha256, face_index, quality, metadata[, crop])"
    try:
        vector, image_sha256, face_index, quality, metadata, *rest = item
    except (TypeError, ValueError):
        raise InvalidInput(shape) from None
    if len(rest) > 1:
        raise InvalidInput(shape)
    crop = rest[0] if rest else None
    if crop is not None and (
        not isinstance(crop, bytes) or not crop.startswith(_PNG_MAGIC) or len(crop) > MAX_CROP_BYTES
    ):
        raise InvalidInput(f"a face crop must be a PNG of at most {MAX_CROP_BYTES} bytes")
    if not isinstance(image_sha256, str) or not _SHA256_RE.fullmatch(image_sha256.lower()):
        raise InvalidInput("image_sha256 must be 64 hexadecimal characters")
    if isinstance(face_index, bool) or not isinstance(face_index, int | np.integer):
        raise InvalidInput("face_index must be an integer")
    if int(face_index) < 0:
        raise InvalidInput("face_index must be >= 0")
    try:
        q = float(quality)
    except (TypeError, ValueError):
        raise InvalidInput("quality must be a number") from None
    if not math.isfinite(q) or not 0.0 <= q <= 1.0:
        raise InvalidInput("quality must be in [0, 1]")
    meta = validate_metadata(metadata)
    return ValidFace(
        vector=unit_vector(vector, "embedding", dim, dim_hint),
        image_sha256=image_sha256.lower(),
        face_index=int(face_index),
        quality=q,
        metadata=meta,
        crop=crop,
    )


def validate_enroll_batch(
    subjects: Sequence[tuple[str, Sequence[EnrollItem]]],
) -> tuple[list[tuple[str, list[ValidFace]]], int]:
    """Every subject and face of an enroll, and the one dimension they share."""
    if not subjects:
        raise InvalidInput("nothing to enroll")
    dim: int | None = None
    prepared: list[tuple[str, list[ValidFace]]] = []
    for subject_id, items in subjects:
        validate_subject_id(subject_id)
        if not items:
            raise InvalidInput(f"no embeddings given for subject {subject_id!r}")
        faces: list[ValidFace] = []
        for item in items:
            # The gallery may not exist yet: the first face sets the dimension
            # every other face of the call must have.
            hint = f"the first embedding of this call has {dim}" if dim is not None else ""
            face = validate_face(item, dim, hint)
            dim = len(face.vector)
            faces.append(face)
        prepared.append((subject_id, faces))
    assert dim is not None
    return prepared, dim
