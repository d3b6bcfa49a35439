"""decode_image and the size limits, against the real bundled OpenCV."""

from __future__ import annotations

import resource
import struct
import time
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from aurum_ml.errors import ImageTooLarge, InvalidImage, UnsupportedFormat
from aurum_ml.images import (
    DecodedImage,
    ImageHeader,
    ImageLimits,
    check_header,
    decode_image,
    plan_decode,
)

PHOTOS = Path(__file__).resolve().parents[2] / "models" / "photos"


def encode(ext: str, image: np.ndarray, params: list[int] | None = None) -> bytes:
    ok, buf = cv2.imencode(ext, image, params or [])
    assert ok
    return buf.tobytes()


def reference(data: bytes) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    return image


def mean_abs_diff(a: np.ndarray, b: np.ndarray) -> float:
    assert a.shape == b.shape
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload)
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def handmade_png(
    width: int, height: int, bit_depth: int = 8, color_type: int = 2, rows: int | None = None
) -> bytes:
    """A PNG with the given IHDR and zero-filled image data for ``rows`` rows
    (all of them by default), compressed as a stream so huge images stay cheap."""
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[color_type]
    row = b"\x00" + bytes((width * channels * bit_depth + 7) // 8)
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(row) for _ in range(height if rows is None else rows)]
    idat = b"".join(parts) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def exif_segment(orientation: int, byte_order: bytes = b"MM") -> bytes:
    """An APP1 Exif segment whose IFD0 holds only the Orientation tag."""
    e = ">" if byte_order == b"MM" else "<"
    # TIFF header, then IFD0 at offset 8: one entry (tag 0x0112, SHORT, count
    # 1, value left-justified in the 4-byte field), then no next IFD.
    tiff = byte_order + struct.pack(f"{e}HI", 42, 8) + struct.pack(f"{e}H", 1)
    tiff += struct.pack(f"{e}HHIHH", 0x0112, 3, 1, orientation, 0) + struct.pack(f"{e}I", 0)
    payload = b"Exif\x00\x00" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def with_exif(jpeg: bytes, orientation: int, byte_order: bytes = b"MM") -> bytes:
    return jpeg[:2] + exif_segment(orientation, byte_order) + jpeg[2:]


def _jpeg_parts(jpeg: bytes) -> tuple[list[tuple[int, bytes]], bytes]:
    """Segments up to and including SOS, and the entropy-coded data after it."""
    pos, segments = 2, []
    while True:
        assert jpeg[pos] == 0xFF
        marker = jpeg[pos + 1]
        (length,) = struct.unpack_from(">H", jpeg, pos + 2)
        segments.append((marker, jpeg[pos + 4 : pos + 2 + length]))
        pos += 2 + length
        if marker == 0xDA:
            return segments, jpeg[pos : jpeg.rindex(b"\xff\xd9")]


def cmyk_jpeg(planes: list[np.ndarray]) -> bytes:
    """A 4-component (CMYK, Adobe-style) baseline JPEG built from OpenCV output.

    Pillow is not installed and OpenCV cannot write CMYK, but a baseline JPEG
    may hold one non-interleaved scan per component: each plane is encoded as
    a grayscale JPEG with the same quality (hence the same quantisation and
    the standard Huffman tables) and its scan is reused as one component's.
    """
    parts = [_jpeg_parts(encode(".jpg", p, [cv2.IMWRITE_JPEG_QUALITY, 95])) for p in planes]
    first = parts[0][0]
    tables = [s for s in first if s[0] in (0xDB, 0xC4)]
    for segments, _ in parts[1:]:
        assert [s for s in segments if s[0] in (0xDB, 0xC4)] == tables
    (sof,) = [p for m, p in first if m == 0xC0]
    _, height, width, _ = struct.unpack_from(">BHHB", sof)

    def seg(marker: int, payload: bytes) -> bytes:
        return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload

    components = b"".join(bytes([i + 1, 0x11, 0]) for i in range(4))
    out = b"\xff\xd8" + seg(0xEE, b"Adobe" + struct.pack(">HHHB", 100, 0, 0, 0))
    out += b"".join(seg(m, p) for m, p in tables if m == 0xDB)
    out += seg(0xC0, struct.pack(">BHHB", 8, height, width, 4) + components)
    out += b"".join(seg(m, p) for m, p in tables if m == 0xC4)
    for i, (_, scan) in enumerate(parts):
        out += seg(0xDA, bytes([1, i + 1, 0x00, 0, 63, 0])) + scan
    return out + b"\xff\xd9"


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


# --- real photos ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "width", "height"),
    [("players.jpg", 1237, 800), ("yaoming.jpg", 233, 287), ("gdp.jpg", 500, 665)],
)
def test_real_photos(name: str, width: int, height: int) -> None:
    data = (PHOTOS / name).read_bytes()
    decoded = decode_image(data)
    assert isinstance(decoded, DecodedImage)
    assert decoded.format == "jpeg"
    assert (decoded.width, decoded.height) == (width, height)
    assert decoded.image.shape == (height, width, 3)
    assert decoded.image.dtype == np.uint8
    assert decoded.image.flags.c_contiguous
    assert np.array_equal(decoded.image, reference(data))


def test_trailing_padding_after_eoi_is_accepted() -> None:
    data = (PHOTOS / "yaoming.jpg").read_bytes()
    decoded = decode_image(data + b"\x00" * 512)
    assert decoded.image.shape == (287, 233, 3)


# --- formats and pixel layouts ------------------------------------------------------


def test_png_and_webp() -> None:
    upright = reference((PHOTOS / "yaoming.jpg").read_bytes())
    decoded = decode_image(encode(".png", upright))
    assert decoded.format == "png"
    assert np.array_equal(decoded.image, upright)
    lossless = decode_image(encode(".webp", upright, [cv2.IMWRITE_WEBP_QUALITY, 101]))
    assert lossless.format == "webp"
    assert np.array_equal(lossless.image, upright)
    lossy = decode_image(encode(".webp", upright, [cv2.IMWRITE_WEBP_QUALITY, 90]))
    assert mean_abs_diff(lossy.image, upright) < 4


def test_16_bit_png_is_scaled_to_8_bit() -> None:
    rng = np.random.default_rng(1)
    img16 = rng.integers(0, 65536, size=(9, 14, 3), dtype=np.uint16)
    decoded = decode_image(encode(".png", img16))
    assert decoded.image.shape == (9, 14, 3)
    assert decoded.image.dtype == np.uint8
    assert np.array_equal(decoded.image, (img16 >> 8).astype(np.uint8))


def test_16_bit_gray_png() -> None:
    gray16 = np.arange(12 * 10, dtype=np.uint16).reshape(12, 10) * 500
    decoded = decode_image(encode(".png", gray16))
    assert decoded.image.shape == (12, 10, 3)
    assert decoded.image.dtype == np.uint8
    expected = (gray16 >> 8).astype(np.uint8)
    for c in range(3):
        assert np.array_equal(decoded.image[..., c], expected)


def test_rgba_png_drops_alpha() -> None:
    rng = np.random.default_rng(2)
    bgra = rng.integers(0, 256, size=(11, 7, 4), dtype=np.uint8)
    bgra[0, 0, 3] = 0  # fully transparent: its stored colour comes through
    for data in (encode(".png", bgra), encode(".png", bgra.astype(np.uint16) * 257)):
        decoded = decode_image(data)
        assert decoded.image.shape == (11, 7, 3)
        assert decoded.image.dtype == np.uint8
        assert np.array_equal(decoded.image, bgra[..., :3])


def test_gray_png_and_jpeg() -> None:
    gray = np.tile(np.arange(0, 256, 16, dtype=np.uint8), (10, 1))
    png = decode_image(encode(".png", gray))
    assert png.image.shape == (10, 16, 3)
    for c in range(3):
        assert np.array_equal(png.image[..., c], gray)
    jpeg = decode_image(encode(".jpg", gray, [cv2.IMWRITE_JPEG_QUALITY, 95]))
    assert jpeg.image.shape == (10, 16, 3)
    assert jpeg.image.dtype == np.uint8
    assert np.array_equal(jpeg.image[..., 0], jpeg.image[..., 2])


def test_cmyk_jpeg() -> None:
    # Adobe CMYK is stored inverted (255 = no ink). With no black ink
    # (K=255) OpenCV's conversion gives R=C, G=M, B=Y of the stored values.
    h, w = 16, 24
    c, m, y, k = 128, 200, 50, 255
    planes = [np.full((h, w), v, np.uint8) for v in (c, m, y, k)]
    data = cmyk_jpeg(planes)
    assert data[: data.index(b"\xff\xc4")].count(b"\xff\xc0") == 1
    decoded = decode_image(data)
    assert decoded.format == "jpeg"
    assert decoded.image.shape == (h, w, 3)
    assert decoded.image.dtype == np.uint8
    b, g, r = (int(v) for v in decoded.image[h // 2, w // 2])
    assert abs(r - c) <= 3
    assert abs(g - m) <= 3
    assert abs(b - y) <= 3
    # Full black ink (stored K=0) is black whatever the other inks say.
    black = decode_image(
        cmyk_jpeg([np.full((h, w), 255, np.uint8)] * 3 + [np.zeros((h, w), np.uint8)])
    )
    assert int(black.image.max()) <= 3


# --- EXIF orientation ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("orientation", "stored_rotation", "byte_order"),
    [
        # Orientation 6: the viewer rotates 90 degrees clockwise to display,
        # so the camera stored the upright scene rotated counter-clockwise.
        (6, cv2.ROTATE_90_COUNTERCLOCKWISE, b"MM"),
        (8, cv2.ROTATE_90_CLOCKWISE, b"MM"),
        (6, cv2.ROTATE_90_COUNTERCLOCKWISE, b"II"),
        (8, cv2.ROTATE_90_CLOCKWISE, b"II"),
        (3, cv2.ROTATE_180, b"MM"),
    ],
)
def test_exif_orientation_is_applied(
    orientation: int, stored_rotation: int, byte_order: bytes
) -> None:
    upright = reference((PHOTOS / "yaoming.jpg").read_bytes())
    stored = cv2.rotate(upright, stored_rotation)
    data = with_exif(
        encode(".jpg", stored, [cv2.IMWRITE_JPEG_QUALITY, 95]), orientation, byte_order
    )
    decoded = decode_image(data)
    assert (decoded.width, decoded.height) == (233, 287)
    assert decoded.image.shape == upright.shape
    assert mean_abs_diff(decoded.image, upright) < 3
    # Sanity check that the test would notice an ignored tag.
    ignored = cv2.imdecode(
        np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION
    )
    assert ignored is not None
    if orientation != 3:
        assert ignored.shape != upright.shape
    else:
        assert mean_abs_diff(ignored, upright) > 20


def test_exif_orientation_1_is_a_no_op() -> None:
    upright = reference((PHOTOS / "yaoming.jpg").read_bytes())
    data = with_exif(encode(".jpg", upright, [cv2.IMWRITE_JPEG_QUALITY, 95]), 1)
    assert mean_abs_diff(decode_image(data).image, upright) < 3


# --- truncated and corrupt data -------------------------------------------------------


@pytest.mark.parametrize("name", ["yaoming.jpg", "players.jpg"])
@pytest.mark.parametrize("cut", ["10%", "50%", "90%", "len-2"])
def test_truncated_jpeg(name: str, cut: str) -> None:
    data = (PHOTOS / name).read_bytes()
    n = len(data) - 2 if cut == "len-2" else len(data) * int(cut[:-1]) // 100
    with pytest.raises(InvalidImage) as info:
        decode_image(data[:n])
    assert not isinstance(info.value, UnsupportedFormat | ImageTooLarge)
    assert "JPEG" in info.value.message


@pytest.mark.parametrize("ext", [".png", ".webp"])
@pytest.mark.parametrize("fraction", [0.5, 0.9, 0.999])
def test_truncated_png_and_webp(ext: str, fraction: float) -> None:
    data = encode(ext, reference((PHOTOS / "yaoming.jpg").read_bytes()))
    with pytest.raises(InvalidImage, match="corrupt or truncated"):
        decode_image(data[: int(len(data) * fraction)])


def test_corrupt_scan_data_never_escapes_as_another_error() -> None:
    data = bytearray((PHOTOS / "yaoming.jpg").read_bytes())
    rng = np.random.default_rng(3)
    start = len(data) // 3
    data[start : start + 200] = rng.integers(0, 256, 200, dtype=np.uint8).tobytes()
    try:
        decoded = decode_image(bytes(data))
    except InvalidImage:
        return
    assert decoded.image.shape == (287, 233, 3)


def test_unsupported_and_empty() -> None:
    with pytest.raises(InvalidImage, match="image is empty"):
        decode_image(b"")
    gif = encode(".gif", np.zeros((4, 4, 3), np.uint8))
    with pytest.raises(UnsupportedFormat, match="GIF"):
        decode_image(gif)
    with pytest.raises(UnsupportedFormat, match="HTML"):
        decode_image(b"<!doctype html><title>502 Bad Gateway</title>")


# --- limits -------------------------------------------------------------------------


def test_huge_png_claim_is_refused_before_decoding() -> None:
    # 40000x40000 RGB would be 4.8 GB decoded; the file is a few hundred bytes.
    data = handmade_png(40000, 40000, rows=4)
    assert len(data) < 2000
    rss_before = peak_rss_bytes()
    started = time.perf_counter()
    with pytest.raises(ImageTooLarge, match="40000x40000"):
        decode_image(data)
    assert time.perf_counter() - started < 0.05
    assert peak_rss_bytes() - rss_before < 50 * 1024 * 1024


def test_header_only_png_gets_too_large_not_corrupt() -> None:
    # No IDAT at all: a decoder would call this corrupt, so ImageTooLarge
    # shows the limit is applied to the header before any decoding.
    ihdr = struct.pack(">IIBBBBB", 40000, 40000, 8, 2, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)
    with pytest.raises(ImageTooLarge):
        decode_image(data)


def test_valid_bomb_png_is_refused_cheaply() -> None:
    # A complete, valid 20000x20000 1-bit grayscale PNG (tens of kilobytes)
    # that OpenCV would expand to 20000*20000*3 bytes = 1.2 GB.
    data = handmade_png(20000, 20000, bit_depth=1, color_type=0)
    assert len(data) < 500_000
    rss_before = peak_rss_bytes()
    started = time.perf_counter()
    with pytest.raises(ImageTooLarge, match="20000x20000"):
        decode_image(data)
    assert time.perf_counter() - started < 0.05
    assert peak_rss_bytes() - rss_before < 50 * 1024 * 1024


def test_side_over_two_to_the_twenty() -> None:
    with pytest.raises(ImageTooLarge, match=f"{2**20 + 1}x1"):
        decode_image(handmade_png(2**20 + 1, 1, bit_depth=1, color_type=0))


def test_zero_size_is_invalid_not_too_large() -> None:
    ihdr = struct.pack(">IIBBBBB", 0, 0, 8, 2, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IEND", b"")
    with pytest.raises(InvalidImage, match="0x0") as info:
        decode_image(data)
    assert not isinstance(info.value, ImageTooLarge)


def test_one_by_one_is_accepted() -> None:
    pixel = np.array([[[10, 20, 30]]], dtype=np.uint8)
    decoded = decode_image(encode(".png", pixel))
    assert (decoded.width, decoded.height) == (1, 1)
    assert np.array_equal(decoded.image, pixel)


@pytest.mark.parametrize("shape", [(1, 100_000, 3), (100_000, 1, 3)])
def test_long_thin_image_is_too_large(shape: tuple[int, int, int]) -> None:
    data = encode(".png", np.zeros(shape, np.uint8))
    with pytest.raises(ImageTooLarge, match="10000 pixels a side"):
        decode_image(data)


def test_byte_limit() -> None:
    data = (PHOTOS / "yaoming.jpg").read_bytes()
    with pytest.raises(ImageTooLarge, match=f"{len(data)} bytes"):
        decode_image(data, ImageLimits(max_bytes=len(data) - 1))
    assert decode_image(data, ImageLimits(max_bytes=len(data))).width == 233


def test_custom_limits() -> None:
    data = (PHOTOS / "players.jpg").read_bytes()
    with pytest.raises(ImageTooLarge, match="1000 pixels a side"):
        decode_image(data, ImageLimits(max_side=1000))
    with pytest.raises(ImageTooLarge, match="989600 pixels"):
        decode_image(data, ImageLimits(max_pixels=900_000))
    with pytest.raises(InvalidImage, match="at least 300 pixels") as info:
        decode_image((PHOTOS / "yaoming.jpg").read_bytes(), ImageLimits(min_side=300))
    assert not isinstance(info.value, ImageTooLarge)


def test_check_header_message_names_dims_and_limits() -> None:
    limits = ImageLimits()
    check_header(ImageHeader("png", 10_000, 2_500), limits)
    with pytest.raises(ImageTooLarge) as info:
        check_header(ImageHeader("png", 6_000, 5_000), limits)
    message = info.value.message
    assert "6000x5000" in message
    assert "10000 pixels a side (AURUM_MAX_IMAGE_SIDE)" in message
    assert "25000000 pixels in all (AURUM_MAX_IMAGE_PIXELS)" in message
    assert info.value.http_status == 413


@pytest.mark.parametrize(
    "kwargs",
    [{"max_bytes": 0}, {"max_pixels": -1}, {"max_side": True}, {"min_side": 20, "max_side": 10}],
)
def test_bad_limits_are_refused_at_construction(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        ImageLimits(**kwargs)


@pytest.mark.parametrize(
    ("marker", "precision", "words"),
    [
        (0xC0, 12, "12-bit JPEG"),
        (0xC1, 16, "16-bit JPEG"),
        (0xC3, 8, "lossless JPEG"),
        (0xC5, 8, "hierarchical JPEG"),
    ],
)
def test_valid_but_unsupported_jpeg_variants_say_what_they_are(marker, precision, words) -> None:
    # A real photo's frame header rewritten to the variant: the decoder fails
    # on it as on a genuine file of that kind, and the answer must name the
    # variant instead of calling the upload corrupt.
    image = cv2.imread(str(PHOTOS / "yaoming.jpg"))
    data = bytearray(cv2.imencode(".jpg", image)[1].tobytes())
    sof = data.find(b"\xff\xc0")
    data[sof + 1], data[sof + 4] = marker, precision
    with pytest.raises(UnsupportedFormat, match=words) as e:
        decode_image(bytes(data))
    assert "corrupt" not in e.value.message


# -- reduced-size JPEG decoding (Detect) ---------------------------------------------


@pytest.mark.parametrize(
    ("size", "reduce_to", "factor"),
    [
        ((4000, 3000), 1280, 2),  # 2000 px still >= 1280; 1000 would not be
        ((5773, 4330), 1280, 4),
        ((12000, 1000), 1280, 8),
        ((1237, 800), 1280, 1),  # already small
        ((4000, 3000), 0, 1),  # not asked for
    ],
)
def test_plan_picks_the_smallest_scale_that_keeps_the_longer_side(
    size: tuple[int, int], reduce_to: int, factor: int
) -> None:
    plan = plan_decode(ImageHeader("jpeg", *size), reduce_to)
    assert plan.factor == factor
    assert max(plan.width, plan.height) >= min(reduce_to, max(size)) or reduce_to == 0
    assert plan.nbytes == plan.width * plan.height * 3


def test_png_and_webp_have_no_reduced_decoding() -> None:
    for fmt in ("png", "webp"):
        assert plan_decode(ImageHeader(fmt, 8000, 6000), 1280).factor == 1  # type: ignore[arg-type]


@pytest.mark.parametrize("orientation", [1, 6])
def test_reduced_decoding_is_upright_and_reports_the_full_size(orientation: int) -> None:
    upright = cv2.resize(reference((PHOTOS / "players.jpg").read_bytes()), (3000, 1940))
    stored = upright if orientation == 1 else cv2.rotate(upright, cv2.ROTATE_90_COUNTERCLOCKWISE)
    data = with_exif(encode(".jpg", stored, [cv2.IMWRITE_JPEG_QUALITY, 92]), orientation)
    decoded = decode_image(data, reduce_to=1280)
    assert decoded.scale == 2.0
    assert (decoded.width, decoded.height) == (3000, 1940)
    assert decoded.image.shape == (970, 1500, 3)
    half = cv2.resize(upright, (1500, 970), interpolation=cv2.INTER_AREA)
    assert mean_abs_diff(decoded.image, half) < 4
