"""encode_image: formats, quality and input validation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from aurum_ml.errors import InvalidInput
from aurum_ml.images import ImageFormat, ImageHeader, decode_image, encode_image, sniff

PHOTOS = Path(__file__).resolve().parents[2] / "models" / "photos"


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    return decode_image((PHOTOS / "yaoming.jpg").read_bytes()).image


def mean_abs_diff(a: np.ndarray, b: np.ndarray) -> float:
    assert a.shape == b.shape
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


@pytest.mark.parametrize(("fmt", "max_diff"), [("jpeg", 3.0), ("png", 0.0), ("webp", 4.0)])
def test_round_trip(photo: np.ndarray, fmt: ImageFormat, max_diff: float) -> None:
    data = encode_image(photo, fmt)
    assert sniff(data) == ImageHeader(fmt, 233, 287)
    decoded = decode_image(data)
    assert decoded.format == fmt
    assert mean_abs_diff(decoded.image, photo) <= max_diff


def test_webp_round_trip_small_odd_size() -> None:
    # Smooth colours: lossy WebP halves chroma resolution (4:2:0), so pixel
    # noise would not survive any quality setting.
    rng = np.random.default_rng(5)
    coarse = rng.integers(0, 256, (4, 6, 3), dtype=np.uint8)
    img = cv2.resize(coarse, (53, 37), interpolation=cv2.INTER_LINEAR).astype(np.uint8)
    decoded = decode_image(encode_image(img, "webp", quality=100))
    assert decoded.image.shape == (37, 53, 3)
    assert mean_abs_diff(decoded.image, img) < 3


@pytest.mark.parametrize("fmt", ["jpeg", "webp"])
def test_quality_changes_size(photo: np.ndarray, fmt: ImageFormat) -> None:
    low = encode_image(photo, fmt, quality=10)
    high = encode_image(photo, fmt, quality=95)
    assert len(low) < len(high)


@pytest.mark.parametrize("quality", [1, 100])
def test_quality_bounds_accepted(photo: np.ndarray, quality: int) -> None:
    formats: tuple[ImageFormat, ...] = ("jpeg", "png", "webp")
    for fmt in formats:
        assert encode_image(photo, fmt, quality=quality)


@pytest.mark.parametrize("quality", [0, 101, -5, 1.5, True, "90"])
def test_bad_quality(photo: np.ndarray, quality: Any) -> None:
    with pytest.raises(InvalidInput, match="quality"):
        encode_image(photo, "jpeg", quality=quality)


@pytest.mark.parametrize("fmt", ["gif", "JPEG", "jpg", "", "tiff"])
def test_unknown_format(photo: np.ndarray, fmt: str) -> None:
    with pytest.raises(InvalidInput, match="unknown image format"):
        encode_image(photo, fmt)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "image",
    [
        np.zeros((10, 10), np.uint8),
        np.zeros((10, 10, 4), np.uint8),
        np.zeros((10, 10, 1), np.uint8),
        np.zeros((10, 10, 3), np.float32),
        np.zeros((10, 10, 3), np.uint16),
        [[[0, 0, 0]]],
    ],
    ids=["gray", "bgra", "one-channel", "float32", "uint16", "list"],
)
def test_bad_image_layout(image: Any) -> None:
    with pytest.raises(InvalidInput, match="HxWx3 uint8"):
        encode_image(image, "png")


@pytest.mark.parametrize("shape", [(0, 10, 3), (10, 0, 3)])
def test_empty_image(shape: tuple[int, int, int]) -> None:
    with pytest.raises(InvalidInput, match="empty"):
        encode_image(np.zeros(shape, np.uint8), "jpeg")


def test_webp_side_limit() -> None:
    wide = np.zeros((1, 16_384, 3), np.uint8)
    with pytest.raises(InvalidInput, match="16383"):
        encode_image(wide, "webp")
    assert sniff(encode_image(wide, "png")) == ImageHeader("png", 16_384, 1)


def test_non_contiguous_view_is_encoded(photo: np.ndarray) -> None:
    view = photo[::2, ::3]
    data = encode_image(view, "png")
    assert np.array_equal(decode_image(data).image, view)
