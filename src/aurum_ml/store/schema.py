"""How galleries are laid out in Qdrant: collections, vector names, payload, filters.

The store knows nothing about images or models: it is handed unit-length
float32 embeddings together with the name and version of the model that
produced them, and never compares embeddings of two different models.

How a gallery records its model
-------------------------------
A gallery is one Qdrant collection (``prefix + name``) holding a single
*named* dense vector whose name encodes the model::

    face@<quoted model name>@<quoted model version>[@crops]

(percent-encoded, so any model name fits Qdrant's vector-name rules; the
``@crops`` suffix marks a gallery created to keep each face's aligned crop,
see below). This is
the gallery registry: the collection list says which galleries exist, and each
collection's vector config says which model and dimension it was built with.
It was chosen over a registry collection or a metadata point because

* it is written atomically with the collection: there is no second record to
  fall out of step when a process dies between two writes, and deleting the
  collection deletes the registration with it;
* Qdrant itself enforces it: every upsert and every query names the vector of
  the caller's model, so a point of another model cannot be written into the
  gallery, and a query cannot be scored against one, even if another process
  drops and recreates the gallery with another model between our check and
  our call. Mixing model versions is impossible by construction rather than by
  a filter that each call must remember;
* it needs nothing newer than named vectors, which every Qdrant server and
  embedded mode support (collection-level metadata needs a recent server).

Every point also carries the model name and version in its payload (with the
gallery, subject and source-image hash), and every search result is checked
against them before it is returned: a point written behind the store's back
with other model fields is skipped, never returned.

Results are checked on the client rather than with a payload filter: the
named vector already keeps other models out, and the check costs nothing,
while a filter on every search would only hide such points instead of
reporting them. Subject-scoped calls (verify, get/delete subject, the
subject listing) filter on ``subject_id``, which has a keyword
index (``KEYWORD_FIELDS``) in both engines. There is no gallery filter: a
gallery is a collection (a shard of its own, embedded) rather than a slice
of a shared one.

Generations and migration
-------------------------
A gallery moved to another embedding model gets a new *generation*: a
collection ``prefix + name + "~gen<N>"`` (N >= 2; the first generation is the
plain ``prefix + name``, so every gallery written before generations existed
is generation 1). The gallery's live generation is its lowest-numbered
collection; a higher one is a migration in progress, filled in the
background. The switch is deleting the old generation: one step in both
engines, so a reader sees the old generation or the new one and nothing in
between, and there is no pointer (alias) to fall out of step with the
collections. Qdrant Edge has no aliases, and a gallery from before
generations is a collection whose name an alias could not take.

Face crops
----------
A gallery created with ``keep_face_crops`` stores each face's aligned
112x112 crop (lossless PNG, base64, payload field ``face_crop``) so it can
be re-embedded by another model. A crop is biometric data: it is deleted
with its face or subject, never returned by a search or a listing, and never
logged. Both model sets align faces to the same ArcFace template, so the
crop is what either embedder would have been given.
"""

from __future__ import annotations

import base64
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from aurum_ml.errors import InvalidInput
from aurum_ml.store.engine import Point
from aurum_ml.store.ids import face_point_id
from aurum_ml.store.types import FaceRecord
from aurum_ml.store.validation import ValidFace, validate_model_field

_VECTOR_PREFIX = "face@"
_CROPS_SUFFIX = "@crops"
#: Between a gallery's name and the number of a later generation.
GENERATION_SEP = "~gen"
# Qdrant rejects vector names longer than this (bytes).
_MAX_VECTOR_NAME_BYTES = 200

# Payload fields of every point.
GALLERY = "gallery"
SUBJECT_ID = "subject_id"
MODEL_NAME = "model_name"
MODEL_VERSION = "model_version"
IMAGE_SHA256 = "image_sha256"
FACE_INDEX = "face_index"
QUALITY = "quality"
METADATA = "metadata"
ENROLLED_AT = "enrolled_at"
FACE_CROP = "face_crop"

#: Payload fields with a keyword index: what the store's calls filter by.
KEYWORD_FIELDS = (SUBJECT_ID,)

#: What a search reads of each hit: enough to group by subject and check the model.
SEARCH_FIELDS = [SUBJECT_ID, MODEL_NAME, MODEL_VERSION]

#: What a listing reads of each face: everything but its crop.
RECORD_FIELDS = [
    GALLERY,
    SUBJECT_ID,
    MODEL_NAME,
    MODEL_VERSION,
    IMAGE_SHA256,
    FACE_INDEX,
    QUALITY,
    METADATA,
    ENROLLED_AT,
]


@dataclass(frozen=True, slots=True)
class GalleryModel:
    """What a gallery's vector config says about it."""

    model_name: str
    model_version: str
    dim: int
    vector_name: str
    keeps_crops: bool = False
    #: The collection of the generation this describes, and its number.
    collection: str = ""
    generation: int = 1


def vector_name_for(model_name: str, model_version: str, keeps_crops: bool = False) -> str:
    """The gallery vector name that records (and enforces) its model."""
    validate_model_field("model_name", model_name)
    validate_model_field("model_version", model_version)
    name = (
        _VECTOR_PREFIX
        + urllib.parse.quote(model_name, safe="")
        + "@"
        + urllib.parse.quote(model_version, safe="")
    )
    if keeps_crops:
        name += _CROPS_SUFFIX
    if len(name.encode()) > _MAX_VECTOR_NAME_BYTES:
        raise InvalidInput("model name and version are too long to record in the store")
    return name


def parse_vector_name(name: str) -> tuple[str, str, bool] | None:
    """(model name, model version, keeps crops) of a gallery vector name; None
    for any other name."""
    if not name.startswith(_VECTOR_PREFIX):
        return None
    crops = name.endswith(_CROPS_SUFFIX)
    body = name[len(_VECTOR_PREFIX) : len(name) - len(_CROPS_SUFFIX) if crops else None]
    parts = body.split("@")
    if len(parts) != 2 or not parts[0] or not parts[1]:
        return None
    return urllib.parse.unquote(parts[0]), urllib.parse.unquote(parts[1]), crops


def gallery_model(vectors: Mapping[str, int]) -> GalleryModel | None:
    """The model of a collection from its named vectors and their sizes; None
    if it is not a gallery."""
    if len(vectors) == 1:
        ((vector_name, size),) = vectors.items()
        parsed = parse_vector_name(vector_name)
        if parsed is not None:
            return GalleryModel(parsed[0], parsed[1], int(size), vector_name, parsed[2])
    return None


def face_points(
    gallery: str,
    subject_id: str,
    model_name: str,
    model_version: str,
    faces: Sequence[ValidFace],
    enrolled_at: float,
) -> list[Point]:
    """One point per face, its id derived from what the face is (so a retry
    rewrites it instead of adding a copy)."""
    return [
        Point(
            id=face_point_id(
                gallery, subject_id, f.image_sha256, f.face_index, model_name, model_version
            ),
            vector=f.vector,
            payload={
                GALLERY: gallery,
                SUBJECT_ID: subject_id,
                MODEL_NAME: model_name,
                MODEL_VERSION: model_version,
                IMAGE_SHA256: f.image_sha256,
                FACE_INDEX: f.face_index,
                QUALITY: f.quality,
                METADATA: f.metadata,
                ENROLLED_AT: enrolled_at,
                **({FACE_CROP: base64.b64encode(f.crop).decode()} if f.crop else {}),
            },
        )
        for f in faces
    ]


def migrated_point(
    gallery: str, payload: Mapping[str, Any], vector: npt.NDArray[np.float32], to: GalleryModel
) -> Point:
    """A face of ``gallery`` as the generation of model ``to`` stores it: the
    same payload (enrollment time, crop, metadata) under the new model, its
    id the one an enroll with that model would have given it."""
    return Point(
        id=translated_id(gallery, payload, to),
        vector=vector,
        payload={**payload, MODEL_NAME: to.model_name, MODEL_VERSION: to.model_version},
    )


def translated_id(gallery: str, payload: Mapping[str, Any], to: GalleryModel) -> str:
    """The id a face (its payload) has in the generation of model ``to``."""
    return face_point_id(
        gallery,
        str(payload.get(SUBJECT_ID, "")),
        str(payload.get(IMAGE_SHA256, "")),
        int(payload.get(FACE_INDEX, 0)),
        to.model_name,
        to.model_version,
    )


def crop_of(payload: Mapping[str, Any]) -> bytes | None:
    """The PNG bytes of a face's stored crop; None when it has none."""
    text = payload.get(FACE_CROP)
    if not isinstance(text, str) or not text:
        return None
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        return None


def subject_filter(subject_id: str) -> dict[str, str]:
    return {SUBJECT_ID: subject_id}


def payload_str(payload: Mapping[str, Any] | None, key: str) -> str | None:
    if payload is None:
        return None
    value = payload.get(key)
    return value if isinstance(value, str) else None


def subject_of(payload: Mapping[str, Any] | None, model: GalleryModel) -> str | None:
    """The subject a search hit belongs to; None if its payload names another
    model (or no subject), so the hit must not be returned."""
    subject = payload_str(payload, SUBJECT_ID)
    if (
        payload_str(payload, MODEL_NAME) != model.model_name
        or payload_str(payload, MODEL_VERSION) != model.model_version
    ):
        return None
    return subject


def face_record(face_id: str, payload: Mapping[str, Any]) -> FaceRecord:
    meta = payload.get(METADATA)
    return FaceRecord(
        face_id=face_id,
        image_sha256=str(payload.get(IMAGE_SHA256, "")),
        face_index=int(payload.get(FACE_INDEX, 0)),
        quality=float(payload.get(QUALITY, 0.0)),
        metadata={str(k): str(v) for k, v in meta.items()} if isinstance(meta, Mapping) else {},
        enrolled_at=float(payload.get(ENROLLED_AT, 0.0)),
    )
