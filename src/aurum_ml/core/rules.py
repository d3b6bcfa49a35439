"""One rule per concept the use cases share: where an image comes from, which
face is the most prominent, Detect's limits and the match threshold."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from aurum_ml import similarity
from aurum_ml.core.config import CoreConfig
from aurum_ml.core.operations import ImageInput
from aurum_ml.errors import InvalidInput, NoFaceFound
from aurum_ml.images import fetch_image_url
from aurum_ml.types import Face


def image_bytes(source: ImageInput, config: CoreConfig) -> bytes:
    """The encoded image: the bytes given, or fetched from an allowed URL."""
    if source.data is not None and source.url is not None:
        raise InvalidInput("set either image data or image url, not both")
    if source.url is not None:
        return fetch_image_url(source.url, config.allowed_hosts, config.limits.max_bytes)
    if source.data is None:
        raise InvalidInput("no image given: set image data (bytes) or url")
    return source.data


def prominence(face: Face) -> float:
    """How much a face stands out: its box area, weighted by how sure the
    detector is, so a big blurry false positive does not beat a clear face."""
    return face.bbox.area * face.confidence


def most_prominent(faces: Sequence[Face]) -> int:
    """The index of the most prominent face; NoFaceFound if there is none."""
    if not faces:
        raise NoFaceFound("no face found in the image")
    return max(range(len(faces)), key=lambda i: prominence(faces[i]))


def detect_limits(min_confidence: float, max_faces: int, config: CoreConfig) -> tuple[float, int]:
    """A request's (min_confidence, max_faces) with 0 meaning the server's
    default and cap."""
    if not 0.0 <= min_confidence <= 1.0:
        raise InvalidInput(f"min_confidence must be in [0, 1], got {min_confidence}")
    if max_faces < 0:
        raise InvalidInput(f"max_faces must be 0 (server cap) or positive, got {max_faces}")
    conf = min_confidence or config.min_confidence
    cap = config.max_faces if max_faces == 0 else min(max_faces, config.max_faces)
    return conf, cap


def threshold(
    value: float | None,
    default: Callable[[], float],
    metric: similarity.Metric = "cosine",
    *,
    score: bool,
) -> float:
    """The match threshold of a call: when none is given, ``default()`` (the
    server's cosine threshold) for the metric. ``score`` calls (galleries)
    decide on a cosine similarity, so their threshold must lie in [-1, 1];
    Compare takes any finite number."""
    if value is None:
        return similarity.default_threshold(metric, default())
    cut = float(value)
    if not math.isfinite(cut):
        raise InvalidInput("threshold must be a finite number")
    if score and not -1.0 <= cut <= 1.0:
        raise InvalidInput("threshold must be a cosine similarity in [-1, 1]")
    return cut
