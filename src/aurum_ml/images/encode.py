"""Encode a BGR image to JPEG, PNG or WebP bytes."""

from __future__ import annotations

import cv2
import numpy as np

from aurum_ml.errors import AurumError, InvalidInput
from aurum_ml.images.header import FORMAT_NAMES, ImageFormat
from aurum_ml.types import BGRImage

# The formats' own ceilings (JPEG stores 16-bit sides, libjpeg caps them at
# 65500; WebP stores 14-bit sides). Checking first gives a clear message
# instead of an OpenCV exception text.
_MAX_SIDE: dict[ImageFormat, int] = {"jpeg": 65_500, "png": 2**31 - 1, "webp": 16_383}
_EXTENSIONS: dict[ImageFormat, str] = {"jpeg": ".jpg", "png": ".png", "webp": ".webp"}
# zlib level 3 is within a few percent of level 9's size on photos at a
# fraction of the time; PNG output here is for crops and previews, not archives.
_PNG_COMPRESSION = 3


def encode_image(image: BGRImage, fmt: ImageFormat, quality: int = 90) -> bytes:
    """Encode an HxWx3 uint8 BGR image; ``quality`` (1-100) applies to JPEG and
    WebP (always lossy) and is validated but unused for PNG, which is lossless.

    Raises InvalidInput for an unknown format, a quality outside 1-100, or an
    image that is not a non-empty HxWx3 uint8 array within the format's size.
    """
    # The annotation is not enforced at run time and the array often comes
    # from model code, so the layout is checked before OpenCV sees it.
    if fmt not in _EXTENSIONS:
        raise InvalidInput(f"unknown image format {fmt!r}; use 'jpeg', 'png' or 'webp'")
    if isinstance(quality, bool) or not isinstance(quality, int) or not 1 <= quality <= 100:
        raise InvalidInput(f"image quality must be an integer from 1 to 100, got {quality!r}")
    if (
        not isinstance(image, np.ndarray)
        or image.dtype != np.uint8
        or image.ndim != 3
        or image.shape[2] != 3
    ):
        shown = (
            f"{image.shape} {image.dtype}"
            if isinstance(image, np.ndarray)
            else type(image).__name__
        )
        raise InvalidInput(f"image to encode must be an HxWx3 uint8 BGR array, got {shown}")
    height, width = image.shape[:2]
    name = FORMAT_NAMES[fmt]
    if height == 0 or width == 0:
        raise InvalidInput(f"cannot encode an empty {width}x{height} image")
    if max(height, width) > _MAX_SIDE[fmt]:
        raise InvalidInput(
            f"cannot encode a {width}x{height} image as {name}: "
            f"the format allows at most {_MAX_SIDE[fmt]} pixels a side"
        )

    if fmt == "jpeg":
        params = [cv2.IMWRITE_JPEG_QUALITY, quality]
    elif fmt == "webp":
        # OpenCV switches WebP to lossless above 100; the range check above
        # keeps this lossy, so "quality" means the same thing for both formats.
        params = [cv2.IMWRITE_WEBP_QUALITY, quality]
    else:
        params = [cv2.IMWRITE_PNG_COMPRESSION, _PNG_COMPRESSION]
    try:
        ok, buf = cv2.imencode(_EXTENSIONS[fmt], image, params)
    except cv2.error as exc:
        # The input was validated above, so a failure here is the server's
        # fault (500), not the client's.
        raise AurumError(f"could not encode the image as {name}") from exc
    if not ok:
        raise AurumError(f"could not encode the image as {name}")
    return buf.tobytes()
