"""Model wrappers: each turns images into domain types around one or more ``Runner``s.

They hold no sessions themselves, so the runtime decides pooling, batching and
providers, and tests can run them on plain session pools.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from aurum_ml.models.embedder import FaceEmbedder
from aurum_ml.models.landmark106 import Landmark106
from aurum_ml.models.letterbox import LetterboxDetector
from aurum_ml.models.mtcnn import MtcnnDetector
from aurum_ml.models.scrfd import ScrfdDetector
from aurum_ml.models.yunet import YunetDetector
from aurum_ml.types import BGRImage, Face, ModelInfo


@runtime_checkable
class FaceDetector(Protocol):
    """What the service needs from any detector.

    ``detect`` returns faces in the original image's pixel coordinates, boxes
    clipped to the image, sorted by confidence (highest first); ``max_faces``
    0 means no limit.
    """

    info: ModelInfo

    def detect(
        self, image: BGRImage, min_confidence: float = 0.5, max_faces: int = 0
    ) -> list[Face]: ...


__all__ = [
    "FaceDetector",
    "FaceEmbedder",
    "Landmark106",
    "LetterboxDetector",
    "MtcnnDetector",
    "ScrfdDetector",
    "YunetDetector",
]
