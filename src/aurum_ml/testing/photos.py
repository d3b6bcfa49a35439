"""Other photos of the people in the bundled photos, for enrolment in tests."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from aurum.ml.v1 import common_pb2

#: Faces of players.jpg at least this wide are its foreground players (16 of the 22 found).
FOREGROUND_MIN_WIDTH = 30


def crop_photo(image: npt.NDArray[np.uint8], box: common_pb2.BoundingBox) -> bytes:
    """Another photo of one person: a crop around the face, 1.5x, JPEG 85
    (rescaled and recompressed, as a second photo of them would be)."""
    x, y, w, h = box.x, box.y, box.width, box.height
    x0, y0 = max(0, int(x - w)), max(0, int(y - h))
    x1, y1 = min(image.shape[1], int(x + 2 * w)), min(image.shape[0], int(y + 2 * h))
    crop = cv2.resize(image[y0:y1, x0:x1], None, fx=1.5, fy=1.5, interpolation=cv2.INTER_CUBIC)
    ok, enc = cv2.imencode(".jpg", crop, [cv2.IMWRITE_JPEG_QUALITY, 85])
    if not ok:
        raise RuntimeError("could not encode a crop")
    return bytes(enc.tobytes())


def same_place(a: common_pb2.BoundingBox, b: common_pb2.BoundingBox, px: float = 6) -> bool:
    """Whether two boxes are the same face (their corners within ``px``)."""
    return abs(a.x - b.x) < px and abs(a.y - b.y) < px
