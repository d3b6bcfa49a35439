"""Size limits checked before any pixel is decoded.

OpenCV's own ceiling is 2**30 pixels (OPENCV_IO_MAX_IMAGE_PIXELS), and it
allocates the whole buffer before reading a row: a 389 KB PNG claiming
20000x20000 costs 1.2 GB once decoded. These limits are checked against the
header (see header.sniff) so such a file is refused for the price of reading
33 bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from aurum_ml.errors import ImageTooLarge, InvalidImage
from aurum_ml.images.header import ImageHeader


@dataclass(frozen=True, slots=True)
class ImageLimits:
    """Upper bounds on an uploaded image, and a lower bound on its sides.

    The defaults admit any phone camera photo (a 200 MP sensor is about
    16320x12240, but phones store 12-50 MP by default) while keeping one
    decoded image under about 75 MB (25 MP x 3 bytes).
    """

    max_bytes: int = 8 * 1024 * 1024
    max_pixels: int = 25_000_000
    max_side: int = 10_000
    min_side: int = 1

    def __post_init__(self) -> None:
        # A bad limit is a configuration mistake; failing at startup beats
        # refusing every request later.
        for name in ("max_bytes", "max_pixels", "max_side", "min_side"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"ImageLimits.{name} must be a positive integer, got {value!r}")
        if self.min_side > self.max_side:
            raise ValueError(
                f"ImageLimits.min_side ({self.min_side}) exceeds max_side ({self.max_side})"
            )


def check_byte_size(size: int, limits: ImageLimits) -> None:
    """Raise ImageTooLarge when ``size`` bytes exceed ``limits.max_bytes``."""
    if size > limits.max_bytes:
        raise ImageTooLarge(
            f"image is {size} bytes; the limit is {limits.max_bytes} bytes "
            "(the server's AURUM_MAX_MESSAGE_BYTES)"
        )


def check_header(header: ImageHeader, limits: ImageLimits) -> None:
    """Raise ImageTooLarge when the claimed size breaks a limit.

    A side below ``limits.min_side`` raises InvalidImage instead: the image is
    not too large, it is unusable.
    """
    w, h = header.width, header.height
    if w > limits.max_side or h > limits.max_side or w * h > limits.max_pixels:
        raise ImageTooLarge(
            f"image is {w}x{h} pixels ({w * h} pixels); the limits are "
            f"{limits.max_side} pixels a side (AURUM_MAX_IMAGE_SIDE) and "
            f"{limits.max_pixels} pixels in all (AURUM_MAX_IMAGE_PIXELS): resize it, "
            "or raise them on the server"
        )
    if w < limits.min_side or h < limits.min_side:
        raise InvalidImage(
            f"image is {w}x{h} pixels; each side must be at least {limits.min_side} pixels"
        )
