"""Deterministic identifiers for stored faces.

A face's point id is derived from what the face *is* (gallery, subject, source
image, face within that image, model), never drawn at random: a client that
retries an Enroll after a timeout overwrites the point it may already have
written instead of adding a second copy of the same face.
"""

from __future__ import annotations

import hashlib
import json
import uuid

import numpy as np
import numpy.typing as npt

#: Fixed for the life of the project: changing it would give every face already
#: stored a different id than a re-enroll of the same face computes.
FACE_ID_NAMESPACE = uuid.UUID("4da28c7b-60a5-46f0-bc6e-f5440aa81875")


def face_point_id(
    gallery: str,
    subject_id: str,
    image_sha256: str,
    face_index: int,
    model_name: str,
    model_version: str,
) -> str:
    """The point id of one face, as a canonical UUID string (Qdrant accepts UUIDs)."""
    # JSON rather than a separator-joined string: no choice of subject_id or
    # model name can make two different tuples encode to the same text.
    key = json.dumps(
        [gallery, subject_id, image_sha256.lower(), int(face_index), model_name, model_version],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return str(uuid.uuid5(FACE_ID_NAMESPACE, key))


def embedding_sha256(vec: npt.ArrayLike) -> str:
    """Stands in for the image hash when a caller enrolls an embedding directly.

    The hash is taken over the little-endian float32 bytes, so the same vector
    hashes the same whatever dtype or memory layout the caller handed over.
    """
    arr = np.ascontiguousarray(np.asarray(vec, dtype="<f4").reshape(-1))
    return hashlib.sha256(arr.tobytes()).hexdigest()
