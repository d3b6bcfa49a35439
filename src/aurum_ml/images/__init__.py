"""Image bytes in and out: format sniffing, size limits, decoding, encoding and
opt-in URL fetching. Nothing here knows about transports or models."""

from __future__ import annotations

from aurum_ml.images.base64text import decode_base64_image
from aurum_ml.images.decode import (
    DecodedImage,
    DecodePlan,
    decode_image,
    decode_planned,
    inspect_image,
    plan_decode,
)
from aurum_ml.images.encode import encode_image
from aurum_ml.images.header import (
    ImageFormat,
    ImageHeader,
    check_jpeg_complete,
    check_png_complete,
    sniff,
)
from aurum_ml.images.limits import ImageLimits, check_byte_size, check_header
from aurum_ml.images.remote import fetch_image_url, is_public_address, resolve_public_addresses

__all__ = [
    "DecodePlan",
    "DecodedImage",
    "ImageFormat",
    "ImageHeader",
    "ImageLimits",
    "check_byte_size",
    "check_header",
    "check_jpeg_complete",
    "check_png_complete",
    "decode_base64_image",
    "decode_image",
    "decode_planned",
    "encode_image",
    "fetch_image_url",
    "inspect_image",
    "is_public_address",
    "plan_decode",
    "resolve_public_addresses",
    "sniff",
]
