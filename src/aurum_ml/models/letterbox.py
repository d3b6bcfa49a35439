"""What the single-shot detectors (SCRFD, YuNet) share: the letterbox that scales
every photo into the network's input, its tensor, and one run per image.

Preprocessing and decoding are split from the model run so a batching runtime can
stack several preprocessed tensors of one input size into a single ORT call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Literal

import cv2
import numpy as np
import numpy.typing as npt

from aurum_ml.errors import InvalidInput
from aurum_ml.manifest import ModelSpec
from aurum_ml.models.inputs import check_bgr_image
from aurum_ml.runtime.session_pool import Runner
from aurum_ml.types import BGRImage, BoundingBox, Face, FloatArray, Landmarks, ModelInfo, Point

# Inputs must divide by the coarsest stride (32 for both detectors), or the
# feature maps would not tile the input and the anchor grid would not line up.
SIZE_MULTIPLE = 32
# Black kept below and right of the image when the letterbox is trimmed. Without
# it the image edge meets the network's zero padding (mid-grey once normalised)
# instead of black, and scores near that edge drift from the square letterbox's.
TRIM_MARGIN = 32
# NMS is quadratic in the worst case; a very low min_confidence on a busy image
# can leave thousands of candidates, almost all of them duplicates of a few faces.
MAX_CANDIDATES = 5000

Padding = Literal["square", "trim"]


def check_input_size(size: tuple[int, int]) -> tuple[int, int]:
    w, h = int(size[0]), int(size[1])
    if w <= 0 or h <= 0 or w % SIZE_MULTIPLE or h % SIZE_MULTIPLE:
        raise InvalidInput(
            f"detector input size must be positive multiples of {SIZE_MULTIPLE}, got {w}x{h}"
        )
    return w, h


def check_limits(min_confidence: float, max_faces: int) -> None:
    if not 0.0 <= min_confidence <= 1.0:
        raise InvalidInput(f"min_confidence must be in [0, 1], got {min_confidence}")
    if max_faces < 0:
        raise InvalidInput(f"max_faces must be 0 (unlimited) or positive, got {max_faces}")


def _ceil_multiple(value: int) -> int:
    return -(-value // SIZE_MULTIPLE) * SIZE_MULTIPLE


class LetterboxDetector:
    """A detector fed one letterboxed image per run; ``input_size`` is (width,
    height) of the letterbox. Subclasses decode the outputs (``postprocess``).

    ``padding="square"`` feeds the whole letterbox, as InsightFace does.
    ``"trim"`` scales the image exactly as the square letterbox would, then cuts
    the black padding down to ``trim_margin`` rounded up to a multiple of 32: the
    network sees the same pixels at the same scale, so it finds the same faces
    (README, "Detector input size"), and a 4:3 photo costs about 80% of the run.
    """

    #: How many outputs the model has per image.
    OUTPUTS: ClassVar[int]
    #: The overlap above which NMS drops the less confident of two boxes.
    NMS_THRESHOLD: ClassVar[float]

    def __init__(
        self,
        runner: Runner,
        spec: ModelSpec,
        *,
        input_size: tuple[int, int] | None = None,
        nms_threshold: float | None = None,
        padding: Padding = "square",
        trim_margin: int = TRIM_MARGIN,
    ) -> None:
        nms_threshold = self.NMS_THRESHOLD if nms_threshold is None else nms_threshold
        if not 0.0 < nms_threshold <= 1.0:
            raise ValueError(f"nms_threshold must be in (0, 1], got {nms_threshold}")
        if padding not in ("square", "trim"):
            raise ValueError(f"padding must be 'square' or 'trim', got {padding!r}")
        if trim_margin < 0:
            raise ValueError(f"trim_margin must be 0 or more pixels, got {trim_margin}")
        if spec.color not in ("RGB", "BGR"):
            raise ValueError(f"{spec.name}: colour order must be RGB or BGR, got {spec.color!r}")
        self._runner = runner
        self._spec = spec
        self._input_name = runner.input_names[0]
        self.input_size = check_input_size(input_size or spec.input_size)
        self.nms_threshold = nms_threshold
        self.padding: Padding = padding
        self.trim_margin = trim_margin
        self.info = ModelInfo(spec.name, spec.version, runner.provider)

    def letterbox(
        self, image_shape: tuple[int, ...], input_size: tuple[int, int] | None = None
    ) -> tuple[tuple[int, int], tuple[int, int]]:
        """The scaled image's (width, height) and the network input's (width, height)."""
        box_w, box_h = check_input_size(input_size) if input_size else self.input_size
        img_h, img_w = int(image_shape[0]), int(image_shape[1])
        # Same arithmetic as InsightFace so sizes (and detections) match it exactly.
        im_ratio = img_h / img_w
        if im_ratio > box_h / box_w:
            new_h = box_h
            new_w = max(1, int(new_h / im_ratio))
        else:
            new_w = box_w
            new_h = max(1, int(new_w * im_ratio))
        if self.padding == "square":
            return (new_w, new_h), (box_w, box_h)
        canvas = (
            min(box_w, _ceil_multiple(new_w + self.trim_margin)),
            min(box_h, _ceil_multiple(new_h + self.trim_margin)),
        )
        return (new_w, new_h), canvas

    def canvas(
        self, image: BGRImage, input_size: tuple[int, int] | None = None
    ) -> tuple[BGRImage, float]:
        """The letterboxed image the network sees (BGR uint8), and the factor
        from original pixels to its pixels. The image keeps its aspect ratio
        and is padded right and bottom with black, so coordinates map back by
        one division and no offset."""
        check_bgr_image(image)
        (new_w, new_h), (in_w, in_h) = self.letterbox(image.shape, input_size)
        out = np.zeros((in_h, in_w, 3), dtype=np.uint8)
        out[:new_h, :new_w] = cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_LINEAR)
        return out, new_h / image.shape[0]

    def preprocess(
        self, image: BGRImage, input_size: tuple[int, int] | None = None
    ) -> tuple[FloatArray, float]:
        """Letterbox ``image`` into a (1, 3, H, W) float32 tensor in the model's
        colour order and normalisation; returns it and the factor from original
        pixels to input pixels. Its size is ``letterbox(image.shape, input_size)[1]``.
        """
        canvas, scale = self.canvas(image, input_size)
        planes = cv2.split(canvas)
        if self._spec.color == "RGB":
            planes = planes[::-1]
        # Planar from contiguous planes: the float conversion reads memory in
        # order (0.64 ms instead of 1.08 ms for a strided transpose at 640x576;
        # the same float32 operations, same bits).
        tensor = np.empty((3, *canvas.shape[:2]), dtype=np.float32)
        for plane, out in zip(planes, tensor, strict=True):
            np.subtract(plane, np.float32(self._spec.mean), out=out, dtype=np.float32)
        tensor *= np.float32(1.0 / self._spec.std)
        return tensor[np.newaxis], scale

    def postprocess(
        self,
        outputs: Sequence[npt.NDArray[np.float32]],
        scale: float,
        image_shape: tuple[int, ...],
        min_confidence: float = 0.5,
        max_faces: int = 0,
        *,
        input_size: tuple[int, int] | None = None,
        batch_index: int = 0,
    ) -> list[Face]:
        """Decode one image's raw outputs into faces in original-image pixels,
        highest confidence first. ``outputs`` are the model's outputs in model
        order, with or without a batch axis; ``batch_index`` picks the image
        when several were run together. ``input_size`` must be the one
        ``preprocess`` was given."""
        check_limits(min_confidence, max_faces)
        in_size = self.letterbox(image_shape, input_size)[1]
        if len(outputs) != self.OUTPUTS:
            raise ValueError(f"{self.info.name} returns {self.OUTPUTS} outputs, got {len(outputs)}")
        # Exports differ in whether they keep the batch axis.
        mine = [o[batch_index] if o.ndim == 3 else o for o in outputs]
        boxes, points, scores = self.decode(mine, in_size, min_confidence, 1.0 / scale)
        if max_faces:
            boxes, points, scores = boxes[:max_faces], points[:max_faces], scores[:max_faces]
        return clipped_faces(boxes, points, scores, image_shape)

    def decode(
        self,
        outputs: Sequence[npt.NDArray[np.float32]],
        input_size: tuple[int, int],
        min_confidence: float,
        inv_scale: float,
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """One image's outputs (no batch axis) from an input of ``input_size``
        (width, height) to the faces at or above ``min_confidence`` after NMS,
        best first: (N, 4) corners x1, y1, x2, y2 and (N, 10) landmarks, both
        in original pixels (input pixels times ``inv_scale``), and (N,) scores."""
        raise NotImplementedError

    def detect(
        self,
        image: BGRImage,
        min_confidence: float = 0.5,
        max_faces: int = 0,
        *,
        input_size: tuple[int, int] | None = None,
    ) -> list[Face]:
        """Faces sorted by confidence, highest first; ``max_faces`` 0 means all."""
        check_limits(min_confidence, max_faces)
        size = check_input_size(input_size) if input_size else self.input_size
        tensor, scale = self.preprocess(image, size)
        outputs = self._runner.run({self._input_name: tensor})
        return self.postprocess(
            outputs, scale, image.shape, min_confidence, max_faces, input_size=size
        )


def greedy_nms(
    corners: npt.NDArray[np.floating[Any]], threshold: float, *, inclusive: bool
) -> list[int]:
    """Greedy NMS over (x1, y1, x2, y2) boxes already sorted by descending score;
    the indices kept. A box goes when it overlaps a kept one by more than
    ``threshold`` (intersection over union). ``inclusive`` counts both edge
    pixels (InsightFace's ``+1`` widths); two empty boxes count as the same box.
    """
    one = 1.0 if inclusive else 0.0
    x1, y1, x2, y2 = (corners[:, k].astype(np.float64) for k in range(4))
    areas = (x2 - x1 + one) * (y2 - y1 + one)
    order = np.arange(corners.shape[0])
    keep: list[int] = []
    while order.size > 0:
        i = int(order[0])
        keep.append(i)
        rest = order[1:]
        w = np.maximum(0.0, np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest]) + one)
        h = np.maximum(0.0, np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest]) + one)
        inter = w * h
        union = areas[i] + areas[rest] - inter
        overlap = np.divide(inter, union, out=np.ones_like(inter), where=union > 0)
        order = rest[overlap <= threshold]
    return keep


def clipped_faces(
    boxes: npt.NDArray[np.floating[Any]],
    points: npt.NDArray[np.floating[Any]],
    scores: npt.NDArray[np.floating[Any]],
    image_shape: tuple[int, ...],
) -> list[Face]:
    """Faces from (N, 4) corner boxes (x1, y1, x2, y2), (N, 10) landmarks (x, y
    five times) and (N,) scores in original pixels, boxes clipped to the image
    (the landmarks are not: a face cut by the edge keeps its real eyes)."""
    img_h, img_w = float(image_shape[0]), float(image_shape[1])
    x1 = np.clip(boxes[:, 0], 0.0, img_w)
    y1 = np.clip(boxes[:, 1], 0.0, img_h)
    x2 = np.clip(boxes[:, 2], 0.0, img_w)
    y2 = np.clip(boxes[:, 3], 0.0, img_h)
    faces: list[Face] = []
    for j in range(boxes.shape[0]):
        p = points[j].reshape(5, 2)
        faces.append(
            Face(
                bbox=BoundingBox(
                    float(x1[j]), float(y1[j]), float(x2[j] - x1[j]), float(y2[j] - y1[j])
                ),
                landmarks=Landmarks(*(Point(float(x), float(y)) for x, y in p)),
                confidence=float(scores[j]),
            )
        )
    return faces
