"""Turn untrusted upload bytes into an upright 8-bit BGR image.

Order matters: every check that can refuse an image cheaply runs before
OpenCV allocates the pixel buffer. Behaviour of the bundled OpenCV (5.0,
libjpeg-turbo 3.1, libpng 1.6, libwebp 1.x), relied on here and pinned by
tests/unit/test_images_decode.py:

* IMREAD_COLOR applies the JPEG EXIF Orientation tag, so the result is
  upright and, for orientations 5-8, has width and height swapped relative
  to the header.
* IMREAD_COLOR always yields HxWx3 uint8: 16-bit PNGs are scaled to 8 bits,
  alpha is dropped (not composited: fully transparent pixels keep whatever
  colour they store), grayscale is replicated and CMYK JPEGs are converted
  assuming Adobe's inverted CMYK.
* Truncated JPEG, PNG and WebP data make imdecode return None; the JPEG
  structure check below still runs first because older libjpeg builds fill
  missing rows with grey instead of failing.
* The PNG reader allocates each chunk's declared length before reading it
  (up to 4 GB from a 100-byte file), so the PNG chunk structure is walked
  first, too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import cv2
import numpy as np

from aurum_ml.errors import InvalidImage, UnsupportedFormat
from aurum_ml.images.header import (
    FORMAT_NAMES,
    ImageFormat,
    check_jpeg_complete,
    check_png_complete,
    jpeg_unsupported_reason,
    sniff,
)
from aurum_ml.images.limits import ImageLimits, check_byte_size, check_header
from aurum_ml.types import BGRImage

_DEFAULT_LIMITS = ImageLimits()


@dataclass(frozen=True, slots=True, eq=False)
class DecodedImage:
    """A decoded image and where it came from.

    ``width`` and ``height`` are the upright image's (after EXIF orientation),
    which is what face coordinates returned to the client refer to.
    """

    image: BGRImage
    format: ImageFormat
    width: int
    height: int


def _undecodable(data: bytes, fmt: ImageFormat, name: str) -> InvalidImage:
    """The error for data the decoder refused: a valid JPEG variant the
    decoder does not read (12-bit, lossless, hierarchical) says so, so the
    sender knows to convert it rather than suspect a broken upload."""
    reason = jpeg_unsupported_reason(data) if fmt == "jpeg" else None
    if reason is not None:
        return UnsupportedFormat(f"{reason}; save the image again as an ordinary JPEG or PNG")
    return InvalidImage(f"could not decode the {name} image: the data is corrupt or truncated")


def decode_image(data: bytes, limits: ImageLimits = _DEFAULT_LIMITS) -> DecodedImage:
    """Decode JPEG, PNG or WebP ``data`` to an upright HxWx3 uint8 BGR image.

    Raises ImageTooLarge (bytes or header dimensions over ``limits``, checked
    before decoding), UnsupportedFormat (not JPEG, PNG or WebP) and
    InvalidImage (empty, truncated or corrupt data).
    """
    check_byte_size(len(data), limits)
    header = sniff(data)
    check_header(header, limits)
    name = FORMAT_NAMES[header.format]
    if header.format == "jpeg":
        check_jpeg_complete(data)
    elif header.format == "png":
        check_png_complete(data)

    try:
        image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    except cv2.error:
        # OpenCV raises rather than returning None for a few corrupt inputs
        # (e.g. a decoder's internal assertion); the client sees the same error.
        image = None
    if image is None:
        raise _undecodable(data, header.format, name)

    height, width = image.shape[:2]
    # The header and the decoder parse the file separately; if they disagree
    # the file is crafted or damaged and the pixel data cannot be trusted.
    if (width, height) not in ((header.width, header.height), (header.height, header.width)):
        raise InvalidImage(
            f"could not decode the {name} image: the header says "
            f"{header.width}x{header.height} but the data decodes to {width}x{height}"
        )
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        # IMREAD_COLOR guarantees this; a future OpenCV that breaks it should
        # fail loudly here rather than feed a wrong layout to the models.
        raise InvalidImage(
            f"could not decode the {name} image: unexpected pixel layout "
            f"{image.shape} {image.dtype}"
        )
    # imdecode's stub returns a generic array; the dtype was checked above.
    upright = cast(BGRImage, image)
    return DecodedImage(image=upright, format=header.format, width=width, height=height)
