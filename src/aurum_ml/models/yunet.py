"""YuNet face detector (OpenCV Zoo ``face_detection_yunet_2023mar``): boxes and five
landmarks from one anchor-free run.

The decoding follows OpenCV's own ``cv::FaceDetectorYN`` step for step (the
score, the box and landmark arithmetic, the NMS on integer boxes), so that on the
same input the two agree; tests/integration/test_permissive_set.py checks it on
the bundled photos.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from aurum_ml.models.letterbox import MAX_CANDIDATES, LetterboxDetector, greedy_nms
from aurum_ml.types import FloatArray

_STRIDES = (8, 16, 32)
#: Per cell and stride: a class score, an objectness score, a box (centre offset
#: and log size, in strides) and five landmarks (offsets in strides).
_HEADS = (("cls", 1), ("obj", 1), ("bbox", 4), ("kps", 10))


def _nms(boxes: npt.NDArray[np.int64], threshold: float) -> list[int]:
    """NMS as OpenCV's ``dnn::NMSBoxes`` on ``Rect2i`` does it: integer (x, y, w, h)
    boxes, sorted by descending score, with exclusive areas."""
    corners = np.hstack([boxes[:, :2], boxes[:, :2] + boxes[:, 2:]])
    return greedy_nms(corners.astype(np.float64), threshold, inclusive=False)


class YunetDetector(LetterboxDetector):
    """YuNet on a letterboxed image (see LetterboxDetector for the letterbox and
    padding). Its twelve outputs are class scores, objectness, boxes and
    landmarks, each for strides 8, 16, 32; NMS at 0.3, OpenCV's default."""

    OUTPUTS = len(_HEADS) * len(_STRIDES)
    NMS_THRESHOLD = 0.3

    def decode(
        self,
        outputs: Sequence[npt.NDArray[np.float32]],
        input_size: tuple[int, int],
        min_confidence: float,
        inv_scale: float,
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        in_w, in_h = input_size
        n = len(_STRIDES)
        rows: list[FloatArray] = []
        for i, stride in enumerate(_STRIDES):
            cols, cells = in_w // stride, (in_w // stride) * (in_h // stride)
            cls, obj, bbox, kps = (
                outputs[h * n + i].reshape(cells, width) for h, (_, width) in enumerate(_HEADS)
            )
            # Both scores are clamped to [0, 1] before their geometric mean.
            score = np.sqrt(np.clip(cls[:, 0], 0.0, 1.0) * np.clip(obj[:, 0], 0.0, 1.0))
            idx = np.flatnonzero(score >= min_confidence)
            grid = np.stack([idx % cols, idx // cols], axis=1).astype(np.float32)
            s = np.float32(stride)
            centre = (grid + bbox[idx, :2]) * s
            size = np.exp(bbox[idx, 2:]) * s
            points = (np.tile(grid, 5) + kps[idx]) * s
            corner = centre - size / np.float32(2.0)
            rows.append(np.hstack([corner, size, points, score[idx, np.newaxis]]))
        found = np.concatenate(rows)
        found = found[np.argsort(-found[:, 14], kind="stable")[:MAX_CANDIDATES]]
        if found.shape[0] > 1:
            # NMS on input pixels and integer boxes (C++'s int() truncates toward
            # zero, as astype does), as OpenCV does.
            found = found[_nms(found[:, :4].astype(np.int64), self.nms_threshold)]
        inv = np.float32(inv_scale)
        corners = np.hstack([found[:, :2], found[:, :2] + found[:, 2:4]]) * inv
        return corners, found[:, 4:14] * inv, found[:, 14]
