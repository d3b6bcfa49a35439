"""Identify an image's format and read its dimensions without decoding pixels.

The dimensions are needed before decoding: OpenCV allocates the full pixel
buffer from the header's claim (up to 2**30 pixels), so a few hundred kilobytes
of well-compressed PNG can cost gigabytes. Everything here reads at most the
first few segments of the file, except ``check_jpeg_complete`` which scans the
whole JPEG structure with a C-speed regular expression, and
``check_png_complete`` which walks the PNG's chunk headers.

Only the magic bytes decide the format: file names and client-declared
content types are not trusted, and OpenCV would happily decode GIF, TIFF,
JPEG 2000, AVIF, HDR and more, each another parser exposed to the network.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, TypeAlias

from aurum_ml.errors import InvalidImage, UnsupportedFormat

ImageFormat: TypeAlias = Literal["jpeg", "png", "webp"]

#: Display names, for messages.
FORMAT_NAMES: dict[ImageFormat, str] = {"jpeg": "JPEG", "png": "PNG", "webp": "WebP"}

ACCEPTED_FORMATS_TEXT = "accepted formats are JPEG, PNG and WebP"


@dataclass(frozen=True, slots=True)
class ImageHeader:
    """What the header claims; nothing is verified against the pixel data yet."""

    format: ImageFormat
    width: int
    height: int


def sniff(data: bytes) -> ImageHeader:
    """Return the format and stored (pre-EXIF-orientation) size of ``data``.

    Raises InvalidImage for empty, truncated or self-contradictory headers and
    UnsupportedFormat for anything that is not JPEG, PNG or WebP.
    """
    if not data:
        raise InvalidImage("image is empty")
    if data.startswith(b"\xff\xd8\xff"):
        header = _sniff_jpeg(data)
    elif data.startswith(_PNG_SIGNATURE):
        header = _sniff_png(data)
    elif data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        header = _sniff_webp(data)
    else:
        what = _recognise_other(data)
        if what is None:
            raise UnsupportedFormat(f"not a recognised image format; {ACCEPTED_FORMATS_TEXT}")
        raise UnsupportedFormat(
            f"unsupported image format: the data looks like {what}; {ACCEPTED_FORMATS_TEXT}"
        )
    if header.width <= 0 or header.height <= 0:
        name = FORMAT_NAMES[header.format]
        raise InvalidImage(
            f"the {name} header claims a {header.width}x{header.height} image; "
            "both sides must be at least 1 pixel"
        )
    return header


# --- PNG -----------------------------------------------------------------------

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Signature (8) + IHDR length and type (8) + IHDR data (13) + CRC (4).
_PNG_HEADER_LEN = 33


def _sniff_png(data: bytes) -> ImageHeader:
    if len(data) < _PNG_HEADER_LEN:
        raise InvalidImage("the PNG header is truncated")
    length, chunk_type = struct.unpack_from(">I4s", data, 8)
    # The PNG spec requires IHDR first; Apple's CgBI variant puts another chunk
    # first and libpng cannot decode it anyway.
    if chunk_type != b"IHDR" or length != 13:
        raise InvalidImage("the PNG header is corrupt: IHDR is not the first chunk")
    (crc,) = struct.unpack_from(">I", data, 29)
    # A CRC check costs nothing here and tells a damaged upload from a hostile
    # one in the logs before any size decision is made on the numbers.
    if zlib.crc32(data[12:29]) != crc:
        raise InvalidImage("the PNG header is corrupt: IHDR checksum mismatch")
    width, height = struct.unpack_from(">II", data, 16)
    return ImageHeader("png", width, height)


# Chunk lengths are 31-bit numbers. A real PNG has a few to a few thousand
# chunks (image data is usually split every 8-64 KB); the cap bounds the
# Python loop below on 8 MB of empty 12-byte chunks.
_PNG_MAX_CHUNK_LENGTH = 2**31 - 1
_PNG_MAX_CHUNKS = 100_000


def check_png_complete(data: bytes) -> None:
    """Raise InvalidImage unless every chunk of the PNG lies within ``data``,
    up to and including IEND.

    OpenCV's PNG reader (which also handles APNG) allocates a chunk's declared
    length before reading it: a 100-byte file whose IDAT claims 3 GB made it
    allocate and touch 3 GB, whatever the image's size. Walking the chunk
    headers first refuses such files for the cost of one step per chunk.
    """
    size = len(data)
    pos = len(_PNG_SIGNATURE)
    for _ in range(_PNG_MAX_CHUNKS):
        if pos + 8 > size:
            raise InvalidImage(
                "could not decode the PNG image: the data is corrupt or truncated "
                "(it ends before its IEND chunk)"
            )
        length, kind = struct.unpack_from(">I4s", data, pos)
        shown = kind.decode("ascii", "backslashreplace")
        if length > _PNG_MAX_CHUNK_LENGTH:
            raise InvalidImage(
                f"could not decode the PNG image: the data is corrupt "
                f"(chunk {shown!r} claims {length} bytes)"
            )
        end = pos + 12 + length
        if end > size:
            raise InvalidImage(
                "could not decode the PNG image: the data is corrupt or truncated "
                f"(chunk {shown!r} claims {length} bytes; {max(0, size - pos - 12)} follow)"
            )
        if kind == b"IEND":
            return
        pos = end
    raise InvalidImage(f"the PNG data is corrupt: more than {_PNG_MAX_CHUNKS} chunks")


# --- WebP ----------------------------------------------------------------------


def _sniff_webp(data: bytes) -> ImageHeader:
    # RIFF header (12) + first chunk header (8) + the 10 bytes the largest of
    # the three frame headers below needs.
    if len(data) < 30:
        raise InvalidImage("the WebP header is truncated")
    fourcc = data[12:16]
    payload = data[20:30]
    if fourcc == b"VP8 ":
        # Lossy: a 3-byte frame tag, the start code, then 14-bit sizes whose
        # top two bits are an upscaling hint that does not change the size.
        if payload[0] & 1 or payload[3:6] != b"\x9d\x01\x2a":
            raise InvalidImage("the WebP header is corrupt: bad VP8 key frame header")
        width, height = struct.unpack_from("<HH", payload, 6)
        return ImageHeader("webp", width & 0x3FFF, height & 0x3FFF)
    if fourcc == b"VP8L":
        # Lossless: a signature byte, then width-1 and height-1 in 14 bits
        # each, an alpha hint bit and a 3-bit version that must be 0.
        (bits,) = struct.unpack_from("<I", payload, 1)
        if payload[0] != 0x2F or bits >> 29 != 0:
            raise InvalidImage("the WebP header is corrupt: bad VP8L header")
        return ImageHeader("webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if fourcc == b"VP8X":
        # Extended: flags (1) and reserved (3), then canvas width-1 and
        # height-1 as 24-bit little-endian numbers.
        width = int.from_bytes(payload[4:7], "little") + 1
        height = int.from_bytes(payload[7:10], "little") + 1
        return ImageHeader("webp", width, height)
    shown = fourcc.decode("ascii", "backslashreplace")
    raise InvalidImage(f"the WebP header is corrupt: unknown first chunk {shown!r}")


# --- JPEG ----------------------------------------------------------------------

# SOF0-SOF15 carry the frame size; C4 (DHT), C8 (JPG, reserved) and CC (DAC)
# share the range but are not frame headers.
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers with no length field: TEM, RST0-RST7 and SOI.
_JPEG_STANDALONE = frozenset({0x01, 0xD8, *range(0xD0, 0xD8)})
_JPEG_SOS = 0xDA
_JPEG_EOI = 0xD9

# A marker is 0xFF, any number of 0xFF fill bytes, then a code that is neither
# 0x00 (a stuffed data byte) nor 0xFF. Bytes before it are skipped, as libjpeg
# does (with a warning) for the stray bytes some encoders leave between segments.
# The patterns start with a single literal byte rather than "\xff+" so that re
# can jump between candidates with a fast byte search: about 15x faster on
# entropy-coded data (6 ms instead of 85 ms for an 11 MB JPEG).
_MARKER = re.compile(rb"\xff[\xff]*([^\x00\xff])")
# Inside entropy-coded data RST0-RST7 also belong to the scan, so the scan ends
# at the first other marker.
_SCAN_END = re.compile(rb"\xff[\xff]*[^\x00\xd0-\xd7\xff]")
# Each segment costs a Python loop iteration, so 8 MB of 2-byte stand-alone
# markers would burn over a second of CPU. Real files have tens of segments
# (a few hundred at most: ICC profiles split across up to 255 APP2 segments,
# progressive files with many scans); restart markers inside scans do not count.
_MAX_JPEG_SEGMENTS = 10_000
# libjpeg decodes every scan of a progressive JPEG over the whole coefficient
# buffer, so scans cost CPU in proportion to the image's size whatever their
# bytes: 1000 copies of one 40-byte refinement scan made a 190 KB 5000x5000
# file take 11.6 s instead of 0.35 s, on a worker thread no deadline can
# stop. Encoders write about 10 scans (libjpeg's default progression) and
# rarely more than a few tens; nvImageCodec caps them at 256 for this reason.
_MAX_JPEG_SCANS = 100


def _jpeg_segments(data: bytes) -> Iterator[tuple[int, int, int]]:
    """Yield (marker, payload start, payload end) for each marker after SOI,
    stand-alone markers with an empty payload, until EOI.

    Raises InvalidImage when the data ends before EOI.
    """
    pos = 2
    scans = 0
    for _ in range(_MAX_JPEG_SEGMENTS):
        match = _MARKER.search(data, pos)
        if match is None:
            raise InvalidImage("the JPEG image is truncated: it ends before its end marker")
        marker = match.group(1)[0]
        pos = match.end()
        if marker in _JPEG_STANDALONE:
            yield marker, pos, pos
            continue
        if marker == _JPEG_EOI:
            yield marker, pos, pos
            return
        if pos + 2 > len(data):
            raise InvalidImage("the JPEG image is truncated inside a segment header")
        (length,) = struct.unpack_from(">H", data, pos)
        if length < 2:
            raise InvalidImage(f"the JPEG data is corrupt: segment length {length}")
        end = pos + length
        if end > len(data):
            raise InvalidImage("the JPEG image is truncated inside a segment")
        if marker == _JPEG_SOS:
            scans += 1
            if scans > _MAX_JPEG_SCANS:
                raise InvalidImage(
                    f"the JPEG image has more than {_MAX_JPEG_SCANS} scans; "
                    f"at most {_MAX_JPEG_SCANS} are accepted"
                )
        yield marker, pos + 2, end
        pos = end
        if marker == _JPEG_SOS:
            scan_end = _SCAN_END.search(data, pos)
            if scan_end is None:
                raise InvalidImage("the JPEG image is truncated inside its image data")
            pos = scan_end.start()
    raise InvalidImage(f"the JPEG data is corrupt: more than {_MAX_JPEG_SEGMENTS} segments")


def _sniff_jpeg(data: bytes) -> ImageHeader:
    for marker, start, end in _jpeg_segments(data):
        if marker in _JPEG_SOF:
            # Precision (1), height (2), width (2), component count (1).
            if end - start < 6:
                raise InvalidImage("the JPEG frame header is corrupt: too short")
            height, width = struct.unpack_from(">HH", data, start + 1)
            # Height 0 means "defined later by a DNL marker", which libjpeg does
            # not support; sniff() reports it as a zero-sized image.
            return ImageHeader("jpeg", width, height)
        if marker in (_JPEG_SOS, _JPEG_EOI):
            break
    raise InvalidImage("the JPEG data is corrupt: no frame header before the image data")


#: Frame types the decoder (libjpeg-turbo, 8-bit) cannot read, by SOF marker.
#: Arithmetic coding is not among them: libjpeg-turbo decodes it.
_JPEG_KINDS = {
    0xC3: "lossless JPEG",
    0xC5: "hierarchical JPEG",
    0xC6: "hierarchical JPEG",
    0xC7: "hierarchical lossless JPEG",
    0xCB: "lossless JPEG",
    0xCD: "hierarchical JPEG",
    0xCE: "hierarchical JPEG",
    0xCF: "hierarchical lossless JPEG",
}


def jpeg_unsupported_reason(data: bytes) -> str | None:
    """Why a well-formed JPEG may not decode: a sample precision other than 8
    bits, or a lossless or hierarchical frame; None when the frame is an
    ordinary one (or cannot be read)."""
    try:
        for marker, start, end in _jpeg_segments(data):
            if marker in _JPEG_SOF and end - start >= 1:
                precision = data[start]
                if precision != 8:
                    return f"{precision}-bit JPEG (only 8-bit samples are supported)"
                kind = _JPEG_KINDS.get(marker)
                return (
                    f"{kind} (only Huffman-coded baseline and progressive JPEG is supported)"
                    if kind
                    else None
                )
            if marker in (_JPEG_SOS, _JPEG_EOI):
                return None
    except InvalidImage:
        return None
    return None


def check_jpeg_complete(data: bytes) -> None:
    """Raise InvalidImage unless the JPEG's segment structure reaches EOI.

    libjpeg treats premature end of data as a warning and fills the missing
    rows with grey, so a truncated upload could otherwise be embedded as a
    half-grey face. Walking the structure (rather than testing for FF D9 at
    the very end) accepts trailing padding after EOI and is not fooled by the
    EOI of an EXIF thumbnail inside APP1.
    """
    for _marker in _jpeg_segments(data):
        pass


# --- Everything else, for a useful error message ---------------------------------

_ISO_BMFF_BRANDS: dict[bytes, str] = {
    b"avif": "an AVIF image",
    b"avis": "an AVIF image sequence",
    b"heic": "a HEIC image",
    b"heix": "a HEIC image",
    b"heim": "a HEIC image",
    b"heis": "a HEIC image",
    b"hevc": "a HEIC image sequence",
    b"hevx": "a HEIC image sequence",
    b"mif1": "a HEIF image",
    b"msf1": "a HEIF image sequence",
    b"crx ": "a Canon raw (CR3) image",
    b"jxl ": "a JPEG XL image",
}


def _recognise_other(data: bytes) -> str | None:
    """Name what ``data`` looks like, or None when nothing matches."""
    head = data[:16]
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "a GIF image"
    if head.startswith((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")):
        return "a TIFF image"
    if head.startswith(b"BM"):
        return "a BMP image"
    if head.startswith(b"%PDF-"):
        return "a PDF document"
    if head.startswith(b"8BPS"):
        return "a Photoshop (PSD) document"
    if head.startswith(b"\x00\x00\x01\x00") and len(data) >= 6 and data[4:6] != b"\x00\x00":
        return "an ICO icon"
    if head.startswith((b"\x00\x00\x00\x0cjP  \r\n\x87\n", b"\xff\x4f\xff\x51")):
        return "a JPEG 2000 image"
    if head.startswith((b"\x00\x00\x00\x0cJXL \r\n\x87\n", b"\xff\x0a")):
        return "a JPEG XL image"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        shown = brand.decode("ascii", "backslashreplace")
        return _ISO_BMFF_BRANDS.get(brand, f"an ISO media file (brand {shown!r})")
    if head.startswith(b"RIFF"):
        shown = data[8:12].decode("ascii", "backslashreplace")
        return f"a RIFF container of type {shown!r}, not WebP"
    return _recognise_text(data)


def _recognise_text(data: bytes) -> str | None:
    head = data[:1024]
    truncated = len(data) > len(head)
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    head = head.lstrip()
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The cut at 1024 bytes may split a multi-byte character: forgive a
        # partial one at the very end, but not invalid bytes elsewhere.
        if not truncated or exc.start < len(head) - 3:
            return None
        text = head[: exc.start].decode("utf-8")
    if not text or any(ord(c) < 0x20 and c not in "\t\r\n\f" for c in text):
        return None
    # Clients that put the image in JSON often send base64 or a data: URL as
    # the bytes; saying so saves them a debugging session.
    if text.startswith("data:"):
        return "a data: URL; send the decoded image bytes instead"
    if text.startswith(("/9j/", "iVBORw0KGgo", "UklGR")):
        return "base64-encoded text; send the decoded image bytes instead"
    lower = text.lower()
    if lower.startswith("<svg") or lower.startswith("<!doctype svg"):
        return "an SVG image"
    if lower.startswith("<?xml"):
        return "an SVG image" if "<svg" in lower else "an XML document"
    if lower.startswith(("<!doctype html", "<html", "<head", "<body")):
        return "an HTML document"
    if lower.startswith("<"):
        return "HTML or XML text"
    if lower.startswith(("{", "[")):
        return "JSON text"
    return "text"
