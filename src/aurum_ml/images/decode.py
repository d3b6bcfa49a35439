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
    ImageHeader,
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

    ``width`` and ``height`` are the upright image's (after EXIF orientation)
    at full size, which is what face coordinates returned to the client refer
    to; ``image`` may be smaller by ``scale`` (a JPEG decoded at reduced size).
    """

    image: BGRImage
    format: ImageFormat
    width: int
    height: int
    #: Full-size pixels per decoded pixel.
    scale: float = 1.0


def _undecodable(data: bytes, fmt: ImageFormat, name: str) -> InvalidImage:
    """The error for data the decoder refused: a valid JPEG variant the
    decoder does not read (12-bit, lossless, hierarchical) says so, so the
    sender knows to convert it rather than suspect a broken upload."""
    reason = jpeg_unsupported_reason(data) if fmt == "jpeg" else None
    if reason is not None:
        return UnsupportedFormat(f"{reason}; save the image again as an ordinary JPEG or PNG")
    return InvalidImage(f"could not decode the {name} image: the data is corrupt or truncated")


#: JPEG DCT scaling: libjpeg decodes straight to 1/2, 1/4 or 1/8 of the size,
#: skipping most of the work and never allocating the full-size pixels.
_REDUCED = (
    (8, cv2.IMREAD_REDUCED_COLOR_8),
    (4, cv2.IMREAD_REDUCED_COLOR_4),
    (2, cv2.IMREAD_REDUCED_COLOR_2),
)


@dataclass(frozen=True, slots=True)
class DecodePlan:
    """What decoding ``data`` will produce, known from its header alone."""

    header: ImageHeader
    #: The image is decoded at 1/factor of its size (JPEG only; 1 = full size).
    factor: int
    flag: int

    @property
    def width(self) -> int:
        return -(-self.header.width // self.factor)

    @property
    def height(self) -> int:
        return -(-self.header.height // self.factor)

    @property
    def nbytes(self) -> int:
        """The decoded pixels' size (3 bytes a pixel)."""
        return self.width * self.height * 3


def plan_decode(header: ImageHeader, reduce_to: int = 0) -> DecodePlan:
    """Decode a JPEG at the smallest DCT scale whose longer side is still at
    least ``reduce_to`` pixels (0: full size). Other formats have no such
    scaling and are decoded at full size."""
    if reduce_to > 0 and header.format == "jpeg":
        longer = max(header.width, header.height)
        for factor, flag in _REDUCED:
            if -(-longer // factor) >= reduce_to:
                return DecodePlan(header, factor, flag)
    return DecodePlan(header, 1, cv2.IMREAD_COLOR)


def inspect_image(
    data: bytes, limits: ImageLimits = _DEFAULT_LIMITS, reduce_to: int = 0
) -> DecodePlan:
    """Every check that can refuse ``data`` before a pixel is decoded, and the
    plan for decoding it.

    Raises ImageTooLarge (bytes or header dimensions over ``limits``),
    UnsupportedFormat (not JPEG, PNG or WebP) and InvalidImage (empty,
    truncated or corrupt data).
    """
    check_byte_size(len(data), limits)
    header = sniff(data)
    check_header(header, limits)
    if header.format == "jpeg":
        check_jpeg_complete(data)
    elif header.format == "png":
        check_png_complete(data)
    return plan_decode(header, reduce_to)


def decode_image(
    data: bytes, limits: ImageLimits = _DEFAULT_LIMITS, reduce_to: int = 0
) -> DecodedImage:
    """Decode JPEG, PNG or WebP ``data`` to an upright HxWx3 uint8 BGR image,
    a JPEG at reduced size when ``reduce_to`` allows (see plan_decode).

    Raises what inspect_image raises, and InvalidImage for data the decoder
    refuses.
    """
    return decode_planned(data, inspect_image(data, limits, reduce_to))


def decode_planned(data: bytes, plan: DecodePlan) -> DecodedImage:
    """Decode ``data`` as inspect_image planned it."""
    header = plan.header
    name = FORMAT_NAMES[header.format]
    try:
        image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), plan.flag)
    except cv2.error:
        # OpenCV raises rather than returning None for a few corrupt inputs
        # (e.g. a decoder's internal assertion); the client sees the same error.
        image = None
    if image is None:
        raise _undecodable(data, header.format, name)

    height, width = image.shape[:2]
    # The header and the decoder parse the file separately; if they disagree
    # the file is crafted or damaged and the pixel data cannot be trusted.
    expected = (plan.width, plan.height)
    if (width, height) not in (expected, expected[::-1]):
        raise InvalidImage(
            f"could not decode the {name} image: the header says "
            f"{header.width}x{header.height} but the data decodes to {width}x{height}"
            + (f" at 1/{plan.factor} scale" if plan.factor > 1 else "")
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
    f = plan.factor
    full = (
        (header.width, header.height)
        if (width, height) == expected
        else (header.height, header.width)
    )
    return DecodedImage(
        image=upright, format=header.format, width=full[0], height=full[1], scale=float(f)
    )
