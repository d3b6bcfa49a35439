"""Checks every detector applies to the image it is handed."""

from __future__ import annotations

import numpy as np

from aurum_ml.errors import InvalidImage
from aurum_ml.types import BGRImage


def check_bgr_image(image: BGRImage) -> None:
    if (
        image.ndim != 3
        or image.shape[2] != 3
        or image.dtype != np.uint8
        or image.shape[0] == 0
        or image.shape[1] == 0
    ):
        raise InvalidImage(
            f"expected a non-empty HxWx3 uint8 BGR image, got shape {image.shape} "
            f"dtype {image.dtype}"
        )
