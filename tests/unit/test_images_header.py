"""Format sniffing and header dimensions, without decoding pixels."""

from __future__ import annotations

import struct
import time
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aurum_ml.errors import InvalidImage, UnsupportedFormat
from aurum_ml.images import ImageHeader, check_jpeg_complete, sniff

PHOTOS = Path(__file__).resolve().parents[2] / "models" / "photos"


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload))
    )


def png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)


def encode(ext: str, image: np.ndarray, params: list[int] | None = None) -> bytes:
    ok, buf = cv2.imencode(ext, image, params or [])
    assert ok
    return buf.tobytes()


def noise(h: int, w: int, c: int = 3) -> np.ndarray:
    rng = np.random.default_rng(h * 1000 + w)
    return rng.integers(0, 256, size=(h, w, c), dtype=np.uint8)


def jpeg_segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


# --- accepted formats --------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "width", "height"),
    [("players.jpg", 1237, 800), ("yaoming.jpg", 233, 287), ("gdp.jpg", 500, 665)],
)
def test_real_photos(name: str, width: int, height: int) -> None:
    assert sniff((PHOTOS / name).read_bytes()) == ImageHeader("jpeg", width, height)


@pytest.mark.parametrize(("h", "w"), [(1, 1), (7, 13), (300, 17), (64, 640)])
def test_encoded_sizes(h: int, w: int) -> None:
    img = noise(h, w)
    assert sniff(encode(".png", img)) == ImageHeader("png", w, h)
    assert sniff(encode(".jpg", img)) == ImageHeader("jpeg", w, h)
    assert sniff(encode(".jpg", img, [cv2.IMWRITE_JPEG_PROGRESSIVE, 1])) == ImageHeader(
        "jpeg", w, h
    )
    # Quality <= 100 is lossy (VP8), above 100 OpenCV writes lossless (VP8L).
    lossy = encode(".webp", img, [cv2.IMWRITE_WEBP_QUALITY, 80])
    lossless = encode(".webp", img, [cv2.IMWRITE_WEBP_QUALITY, 101])
    assert lossy[12:16] == b"VP8 "
    assert lossless[12:16] == b"VP8L"
    assert sniff(lossy) == ImageHeader("webp", w, h)
    assert sniff(lossless) == ImageHeader("webp", w, h)


def test_webp_extended_header() -> None:
    # A lossy image with alpha is written as VP8X + ALPH + VP8.
    data = encode(".webp", noise(21, 34, 4), [cv2.IMWRITE_WEBP_QUALITY, 80])
    assert data[12:16] == b"VP8X"
    assert sniff(data) == ImageHeader("webp", 34, 21)


def test_webp_extended_header_24_bit_sizes() -> None:
    payload = (
        b"\x00\x00\x00\x00" + (70000 - 1).to_bytes(3, "little") + (5 - 1).to_bytes(3, "little")
    )
    data = b"RIFF" + struct.pack("<I", 4 + 8 + 10) + b"WEBP" + b"VP8X" + struct.pack("<I", 10)
    assert sniff(data + payload) == ImageHeader("webp", 70000, 5)


def test_jpeg_fill_bytes_and_standalone_markers() -> None:
    data = encode(".jpg", noise(9, 11))
    # Fill bytes before the first segment's marker, then TEM and RST0, which
    # have no length field, between SOI and the first segment.
    patched = data[:2] + b"\xff\x01\xff\xd0\xff\xff\xff" + data[2:]
    assert sniff(patched) == ImageHeader("jpeg", 11, 9)
    check_jpeg_complete(patched)


def test_jpeg_ignores_thumbnail_frame_in_app1() -> None:
    # An EXIF thumbnail is a whole JPEG inside APP1, with its own SOF and
    # EOI; the walker must skip it by length.
    thumb = encode(".jpg", noise(8, 16))
    main = encode(".jpg", noise(40, 30))
    data = main[:2] + jpeg_segment(0xE1, b"Exif\x00\x00" + thumb) + main[2:]
    assert sniff(data) == ImageHeader("jpeg", 30, 40)
    check_jpeg_complete(data)
    with pytest.raises(InvalidImage, match="truncated"):
        check_jpeg_complete(data[: len(data) - len(main) // 2])


def test_check_jpeg_complete_allows_trailing_padding() -> None:
    data = encode(".jpg", noise(16, 16))
    check_jpeg_complete(data)
    check_jpeg_complete(data + b"\x00" * 100)
    check_jpeg_complete(data + b"garbage after the end")


@pytest.mark.parametrize("fraction", [0.3, 0.5, 0.9, 0.999])
def test_check_jpeg_complete_rejects_truncation(fraction: float) -> None:
    data = encode(".jpg", noise(64, 64), [cv2.IMWRITE_JPEG_PROGRESSIVE, 1])
    with pytest.raises(InvalidImage, match="truncated"):
        check_jpeg_complete(data[: int(len(data) * fraction)])
    with pytest.raises(InvalidImage, match="truncated"):
        check_jpeg_complete(data[:-2])


# --- unsupported formats -----------------------------------------------------

GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,"
UNSUPPORTED = [
    ("gif", GIF, "GIF"),
    ("tiff-le", b"II*\x00\x08\x00\x00\x00" + bytes(32), "TIFF"),
    ("tiff-be", b"MM\x00*\x00\x00\x00\x08" + bytes(32), "TIFF"),
    ("bmp", b"BM" + struct.pack("<IHHI", 70, 0, 0, 54) + bytes(56), "BMP"),
    ("svg", b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>', "SVG"),
    (
        "svg-xml",
        b'\xef\xbb\xbf<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>',
        "SVG",
    ),
    ("html", b"<!DOCTYPE html>\n<html><body>Not found</body></html>", "HTML"),
    ("html-lower", b"  \n<html lang=en><head>", "HTML"),
    ("xml", b'<?xml version="1.0"?><error>nope</error>', "XML"),
    ("pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
    ("heic", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "HEIC"),
    ("avif", b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf", "AVIF"),
    ("jp2", b"\x00\x00\x00\x0cjP  \r\n\x87\n" + bytes(20), "JPEG 2000"),
    ("wav", b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(20), "RIFF"),
    ("base64-jpeg", b"/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDA", "base64"),
    ("data-url", b"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB", "data: URL"),
    ("json", b'{"image": "..."}', "JSON"),
]


@pytest.mark.parametrize(("case", "data", "named"), UNSUPPORTED, ids=[c[0] for c in UNSUPPORTED])
def test_unsupported_formats_are_named(case: str, data: bytes, named: str) -> None:
    with pytest.raises(UnsupportedFormat) as info:
        sniff(data)
    assert named in info.value.message
    assert "JPEG, PNG and WebP" in info.value.message
    assert info.value.http_status == 415


def test_real_files_opencv_could_decode() -> None:
    # OpenCV decodes all of these, which is why the format is checked first.
    img = noise(10, 12)
    for ext, named in ((".gif", "GIF"), (".tiff", "TIFF"), (".bmp", "BMP")):
        with pytest.raises(UnsupportedFormat, match=named):
            sniff(encode(ext, img))


def test_random_bytes() -> None:
    data = np.random.default_rng(7).integers(0, 256, 4096, dtype=np.uint8).tobytes()
    with pytest.raises(UnsupportedFormat, match="not a recognised image format"):
        sniff(data)


def test_empty() -> None:
    with pytest.raises(InvalidImage, match="image is empty") as info:
        sniff(b"")
    assert not isinstance(info.value, UnsupportedFormat)


# --- truncated and contradictory headers ---------------------------------------


@pytest.mark.parametrize("cut", [3, 4, 10, 20, 100])
def test_truncated_jpeg_header(cut: int) -> None:
    # The APP0 segment (JFIF) and the tables come before SOF, so every cut
    # here lands before the frame header.
    data = (PHOTOS / "yaoming.jpg").read_bytes()
    with pytest.raises(InvalidImage) as info:
        sniff(data[:cut])
    assert not isinstance(info.value, UnsupportedFormat)


@pytest.mark.parametrize("cut", [8, 16, 24, 32])
def test_truncated_png_header(cut: int) -> None:
    with pytest.raises(InvalidImage, match="truncated"):
        sniff(png_header(10, 10)[:cut])


@pytest.mark.parametrize("cut", [12, 16, 20, 29])
def test_truncated_webp_header(cut: int) -> None:
    data = encode(".webp", noise(10, 10))
    with pytest.raises(InvalidImage):
        sniff(data[:cut])


def test_png_bad_crc() -> None:
    data = bytearray(png_header(10, 10))
    data[-1] ^= 0xFF
    with pytest.raises(InvalidImage, match="checksum"):
        sniff(bytes(data))


def test_png_ihdr_not_first() -> None:
    data = b"\x89PNG\r\n\x1a\n" + png_chunk(b"CgBI", b"\x50\x00\x20\x06") + bytes(20)
    with pytest.raises(InvalidImage, match="IHDR"):
        sniff(data)


@pytest.mark.parametrize(("w", "h"), [(0, 0), (0, 10), (10, 0)])
def test_png_zero_size(w: int, h: int) -> None:
    with pytest.raises(InvalidImage, match=f"{w}x{h}"):
        sniff(png_header(w, h))


def test_jpeg_zero_height_dnl() -> None:
    data = bytearray(encode(".jpg", noise(8, 8)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 7] = b"\x00\x00"
    with pytest.raises(InvalidImage, match="8x0"):
        sniff(bytes(data))


def test_jpeg_scan_before_frame() -> None:
    data = b"\xff\xd8" + jpeg_segment(0xDA, b"\x01\x01\x00\x00\x3f\x00") + b"\x00" * 10
    with pytest.raises(InvalidImage, match="no frame header"):
        sniff(data)


def test_jpeg_bad_segment_length() -> None:
    with pytest.raises(InvalidImage, match="segment length"):
        sniff(b"\xff\xd8\xff\xe0\x00\x01" + bytes(20))


def test_webp_zero_width_vp8() -> None:
    data = bytearray(encode(".webp", noise(10, 10), [cv2.IMWRITE_WEBP_QUALITY, 80]))
    data[26:28] = b"\x00\x00"
    with pytest.raises(InvalidImage, match="0x10"):
        sniff(bytes(data))


def test_webp_unknown_chunk() -> None:
    data = b"RIFF" + struct.pack("<I", 30) + b"WEBPXXXX" + bytes(22)
    with pytest.raises(InvalidImage, match="unknown first chunk"):
        sniff(data)


# --- never anything but our errors ---------------------------------------------

PREFIXES = [b"", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF\x00\x00\x00\x00WEBP", b"<"]


@settings(max_examples=300, deadline=None)
@given(prefix=st.sampled_from(PREFIXES), rest=st.binary(max_size=200))
def test_arbitrary_bytes_raise_only_invalid_image(prefix: bytes, rest: bytes) -> None:
    try:
        header = sniff(prefix + rest)
    except InvalidImage:
        return
    assert header.width > 0
    assert header.height > 0


@pytest.mark.parametrize("filler", [b"\xff\x01", b"\xff\xe0\x00\x02"])
def test_jpeg_segment_flood_is_cut_short(filler: bytes) -> None:
    # Megabytes of tiny segments would each cost a loop iteration.
    sof = jpeg_segment(0xC0, struct.pack(">BHHB", 8, 16, 16, 1) + b"\x01\x11\x00")
    data = b"\xff\xd8" + filler * 2_000_000 + sof
    started = time.perf_counter()
    with pytest.raises(InvalidImage, match="more than 10000 segments"):
        sniff(data)
    with pytest.raises(InvalidImage, match="more than 10000 segments"):
        check_jpeg_complete(data)
    assert time.perf_counter() - started < 0.5
