"""InsightFace ``2d106det``: 106 facial landmarks from a detector box."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

from aurum_ml.errors import InvalidImage, InvalidInput
from aurum_ml.manifest import ModelSpec
from aurum_ml.runtime.session_pool import Runner
from aurum_ml.types import BGRImage, BoundingBox, FloatArray, ModelInfo

NUM_POINTS = 106
# The model was trained on crops whose box's longer side fills 2/3 of the input,
# leaving context around the face for the jaw-line points.
_BOX_TO_CROP = 1.5
#: Boxes per model run: bounds the run's activations (~3 MB a face) when an
#: image has up to AURUM_MAX_FACES faces.
MAX_BATCH = 16


class Landmark106:
    def __init__(self, runner: Runner, spec: ModelSpec) -> None:
        self._runner = runner
        self._spec = spec
        self._input_name = runner.input_names[0]
        # The crop is square; the manifest states the side.
        self._size = int(spec.input_size[0])
        self.info = ModelInfo(spec.name, spec.version, runner.provider)

    def _crop_transform(self, bbox: BoundingBox) -> npt.NDArray[np.float64]:
        side = max(bbox.width, bbox.height)
        if not np.isfinite(side) or side <= 0.0:
            raise InvalidInput(f"face box must have a positive size, got {bbox}")
        s = self._size / (side * _BOX_TO_CROP)
        cx = bbox.x + bbox.width / 2.0
        cy = bbox.y + bbox.height / 2.0
        half = self._size / 2.0
        # Scale about the box centre, then move the centre to the middle of the crop.
        return np.array([[s, 0.0, half - s * cx], [0.0, s, half - s * cy]], dtype=np.float64)

    def predict_many(self, image: BGRImage, bboxes: Sequence[BoundingBox]) -> FloatArray:
        """(N, 106, 2) landmarks in original-image pixels, one model run per
        ``MAX_BATCH`` boxes (a run's activations grow with its batch: ~3 MB a face)."""
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise InvalidImage(
                f"expected an HxWx3 uint8 BGR image, got shape {image.shape} dtype {image.dtype}"
            )
        if len(bboxes) == 0:
            return np.zeros((0, NUM_POINTS, 2), dtype=np.float32)
        chunks = [
            self._predict_batch(image, bboxes[i : i + MAX_BATCH])
            for i in range(0, len(bboxes), MAX_BATCH)
        ]
        return np.concatenate(chunks)

    def _predict_batch(self, image: BGRImage, bboxes: Sequence[BoundingBox]) -> FloatArray:
        transforms = [self._crop_transform(b) for b in bboxes]
        crops = np.stack(
            [
                cv2.warpAffine(image, m, (self._size, self._size), borderValue=(0, 0, 0))
                for m in transforms
            ]
        )
        tensor = np.ascontiguousarray(crops[..., ::-1].transpose(0, 3, 1, 2), dtype=np.float32)
        tensor -= np.float32(self._spec.mean)
        tensor *= np.float32(1.0 / self._spec.std)
        raw = self._runner.run({self._input_name: tensor})[0]
        pred = np.asarray(raw, dtype=np.float64).reshape(len(bboxes), -1, 2)[:, -NUM_POINTS:]
        # The model predicts in [-1, 1] across the crop.
        pred = (pred + 1.0) * (self._size // 2)

        out = np.empty((len(bboxes), NUM_POINTS, 2), dtype=np.float32)
        for i, m in enumerate(transforms):
            inv = cv2.invertAffineTransform(m)
            out[i] = pred[i] @ inv[:, :2].T + inv[:, 2]
        return out
