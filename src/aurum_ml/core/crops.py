"""Aligned face crops as a gallery that keeps them stores them (PNG bytes).

A crop is biometric data: it is never logged, and the store deletes it with
its face (see aurum_ml.store.schema).
"""

from __future__ import annotations

import cv2
import numpy as np

from aurum_ml.core.pipeline import ALIGNED_SIZE
from aurum_ml.errors import InvalidInput
from aurum_ml.types import BGRImage


def encode_crop(crop: BGRImage) -> bytes:
    """An aligned crop as the store keeps it: lossless, so the face a later
    model re-embeds is the face this one saw."""
    ok, png = cv2.imencode(".png", crop)
    if not ok:
        raise RuntimeError("could not encode a face crop as PNG")
    return bytes(png.tobytes())


def decode_crop(png: bytes) -> BGRImage:
    """A crop the store kept, as the embedder takes it."""
    image = cv2.imdecode(np.frombuffer(png, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None or image.shape[:2] != (ALIGNED_SIZE, ALIGNED_SIZE):
        raise InvalidInput("a stored face crop is not a 112x112 image")
    return np.asarray(image, dtype=np.uint8)
