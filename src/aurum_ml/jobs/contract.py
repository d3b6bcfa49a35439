"""The `faceScoring` job contract, exactly as the app sends and expects it.

Job data::

    {"image": "<base64, with or without a data: prefix>" | "imagePath": "<file>",
     "isBase64": true, "userId": "...", "metadata": {...}}

Result (the job's return value)::

    {"embedding": [512 floats], "quality", "frontality", "symmetry", "resolution",
     "confidence", "faceId", "detectionData": {legacy REST face},
     "model": {"name", "version"}, "enrolledFaceId"?: "..."}

``faceId`` names the face of this image and model (scoring.face_id);
``enrolledFaceId`` is the face's id in the gallery it was enrolled in, the one
DeleteFace takes. They differ: a gallery's ids also depend on the gallery and
the subject.

Conversions only (run on a worker thread: base64 and file reads are not for
the event loop): what a face is and how it is scored is the core's business,
and the metadata's limits are the store's.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aurum_ml.core import ImageInput, ScoredFace
from aurum_ml.errors import InvalidInput
from aurum_ml.images import decode_base64_image


@dataclass(frozen=True, slots=True)
class ScoringJob:
    image: ImageInput
    user_id: str
    #: The gallery to enroll the face in ("" for none).
    gallery: str
    metadata: dict[str, str]


def parse_job(
    data: object, *, image_root: Path | None, default_gallery: str, max_bytes: int
) -> ScoringJob:
    """The job's data as core inputs; InvalidInput (a job that fails at once,
    without retries) for anything malformed."""
    if not isinstance(data, Mapping):
        raise InvalidInput("job data must be an object with image or imagePath")
    user_id = data.get("userId", "")
    if user_id is None:
        user_id = ""
    if isinstance(user_id, bool) or not isinstance(user_id, str | int):
        raise InvalidInput("userId must be a string")
    metadata = data.get("metadata") or {}
    if not isinstance(metadata, Mapping):
        raise InvalidInput("metadata must be an object")
    gallery = metadata.get("enrollGallery")
    if gallery is not None and not isinstance(gallery, str):
        raise InvalidInput("metadata.enrollGallery must be a gallery name")
    gallery = gallery or default_gallery
    if gallery and not str(user_id):
        raise InvalidInput("enrolling a face needs a userId (the subject it is enrolled as)")
    meta = _flat_metadata({k: v for k, v in metadata.items() if k != "enrollGallery"})
    return ScoringJob(_image(data, image_root, max_bytes), str(user_id), gallery, meta)


def _image(data: Mapping[str, Any], root: Path | None, max_bytes: int) -> ImageInput:
    image, path = data.get("image"), data.get("imagePath")
    is_base64 = data.get("isBase64", True)
    if not isinstance(is_base64, bool):
        raise InvalidInput("isBase64 must be true or false")
    if image is not None and not is_base64 and path is None:
        # The app's shape: isBase64=false means `image` holds a path.
        image, path = None, image
    if (image is None) == (path is None):
        raise InvalidInput("give either image (base64) or imagePath")
    if image is not None:
        if not isinstance(image, str):
            raise InvalidInput("image must be a base64 string")
        return ImageInput(data=decode_base64_image(image))
    if not isinstance(path, str) or not path:
        raise InvalidInput("imagePath must be a file path")
    return ImageInput(data=_read_under(root, path, max_bytes))


def _read_under(root: Path | None, name: str, max_bytes: int) -> bytes:
    """A file the operator allowed: under ``root`` after resolving links, so
    a job cannot read ../../etc/shadow."""
    if root is None:
        raise InvalidInput(
            "this server does not read images by path (AURUM_QUEUE_IMAGE_ROOT is not set); "
            "send the image as base64"
        )
    base = root.resolve()
    path = (base / name).resolve()
    if not path.is_relative_to(base):
        raise InvalidInput("imagePath must name a file inside the server's image folder")
    try:
        if path.stat().st_size > max_bytes:
            raise InvalidInput(f"imagePath {name!r} is larger than the {max_bytes}-byte limit")
        return path.read_bytes()
    except FileNotFoundError:
        raise InvalidInput(f"imagePath {name!r} does not exist") from None
    except (IsADirectoryError, PermissionError, OSError):
        raise InvalidInput(f"imagePath {name!r} cannot be read") from None


def _flat_metadata(metadata: Mapping[Any, Any]) -> dict[str, str]:
    """String values as they are; numbers, booleans, null and nested values as
    JSON, since the store keeps strings (and checks its own limits)."""
    out: dict[str, str] = {}
    for key, value in metadata.items():
        text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
        out[str(key)] = text
    return out


def result_json(r: ScoredFace) -> dict[str, Any]:
    f = r.face
    lm = f.landmarks
    out: dict[str, Any] = {
        "embedding": r.embedding.tolist(),
        "quality": r.quality.overall,
        "frontality": r.scores.frontality,
        "symmetry": r.scores.symmetry,
        "resolution": r.scores.resolution,
        "confidence": r.confidence,
        "faceId": r.face_id,
        "detectionData": {
            "bbox": {"x": f.bbox.x, "y": f.bbox.y, "width": f.bbox.width, "height": f.bbox.height},
            "landmarks": {
                name: [getattr(lm, name).x, getattr(lm, name).y]
                for name in ("left_eye", "right_eye", "nose", "left_mouth", "right_mouth")
            },
            "confidence": f.confidence,
        },
        "model": {"name": r.model.name, "version": r.model.version},
    }
    if r.enrolled_face_id:
        out["enrolledFaceId"] = r.enrolled_face_id
    return out
