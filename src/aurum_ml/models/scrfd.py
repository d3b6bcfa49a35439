"""SCRFD face detector (InsightFace ``scrfd_500m_bnkps``): boxes and five landmarks."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from aurum_ml.models.letterbox import (
    MAX_CANDIDATES,
    LetterboxDetector,
    greedy_nms,
)
from aurum_ml.types import FloatArray

_STRIDES = (8, 16, 32)
_ANCHORS_PER_CELL = 2


@lru_cache(maxsize=16)
def _anchor_grid(height: int, width: int) -> tuple[FloatArray, FloatArray]:
    """Anchor centres (x, y) and their strides for every output row, in output order.

    Cached per input size because callers may ask for arbitrary sizes; the
    arrays are read-only so sharing them between threads is safe.
    """
    centres: list[FloatArray] = []
    strides: list[FloatArray] = []
    for stride in _STRIDES:
        rows, cols = height // stride, width // stride
        ys, xs = np.mgrid[:rows, :cols]
        c = np.stack([xs, ys], axis=-1).reshape(-1, 2).astype(np.float32) * stride
        # Two anchors share each cell, one after the other in the output rows.
        c = np.repeat(c, _ANCHORS_PER_CELL, axis=0)
        centres.append(c)
        strides.append(np.full(c.shape[0], stride, dtype=np.float32))
    all_centres = np.concatenate(centres)
    all_strides = np.concatenate(strides)
    all_centres.setflags(write=False)
    all_strides.setflags(write=False)
    return all_centres, all_strides


class ScrfdDetector(LetterboxDetector):
    """SCRFD with keypoints (see LetterboxDetector for the letterbox and padding).
    Its nine outputs are scores, boxes and keypoints for strides 8, 16, 32."""

    OUTPUTS = 3 * len(_STRIDES)
    NMS_THRESHOLD = 0.4

    def decode(
        self,
        outputs: Sequence[npt.NDArray[np.float32]],
        input_size: tuple[int, int],
        min_confidence: float,
        inv_scale: float,
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        in_w, in_h = input_size
        n_levels = len(_STRIDES)
        scores = np.concatenate(outputs[:n_levels]).reshape(-1)
        centres, strides = _anchor_grid(in_h, in_w)
        if scores.shape[0] != centres.shape[0]:
            raise ValueError(
                f"SCRFD outputs hold {scores.shape[0]} anchors but a {in_w}x{in_h} input "
                f"has {centres.shape[0]}; was postprocess given the preprocess input size?"
            )
        # Decode only what passes the threshold: on a typical photo that is a
        # few hundred of the ~17k anchors.
        idx = np.flatnonzero(scores >= min_confidence)
        idx = idx[np.argsort(-scores[idx], kind="stable")][:MAX_CANDIDATES]
        bbox = np.concatenate(outputs[n_levels : 2 * n_levels])[idx]
        kps = np.concatenate(outputs[2 * n_levels :])[idx]
        c = centres[idx]
        s = strides[idx, np.newaxis]
        inv = np.float32(inv_scale)
        # Distances are in units of the stride, measured from the anchor centre.
        boxes = np.concatenate([c - bbox[:, :2] * s, c + bbox[:, 2:] * s], axis=1) * inv
        points = (np.tile(c, 5) + kps * s) * inv
        # NMS on original pixels with InsightFace's +1 widths, as it does (the
        # overlaps, so which near-duplicates survive, depend on both).
        keep = greedy_nms(boxes, self.nms_threshold, inclusive=True)
        return boxes[keep], points[keep], scores[idx][keep]
