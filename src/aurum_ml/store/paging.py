"""The one page-size rule and the one page-token scheme of the project.

A token names the sort key of the last item returned, never an offset, so
paging stays stable while items are added or removed between pages. It is
URL-safe base64 of a compact JSON list, without padding: opaque to clients,
safe in a URL query, and checked element by element on the way back in.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence

from aurum_ml.errors import InvalidInput
from aurum_ml.store.validation import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, validate_subject_id

#: One element of a token's key.
KeyPart = str | int | float
#: What a decoded token may hold, element by element.
KeyShape = Sequence[type[str] | type[int] | type[float]]

_BAD_TOKEN = "page_token is not one this server issued"
# Our keys are a few short fields (a subject id is at most 128 characters);
# anything much longer was not issued here and is not worth decoding.
_MAX_TOKEN_LEN = 4096


def page_size(n: int) -> int:
    """The page size a caller asked for: 0 means the default."""
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_PAGE_SIZE:
        raise InvalidInput(
            f"page_size must be 0 (default {DEFAULT_PAGE_SIZE}) or 1-{MAX_PAGE_SIZE}"
        )
    return n or DEFAULT_PAGE_SIZE


def encode_token(key: Sequence[KeyPart]) -> str:
    raw = json.dumps(list(key), separators=(",", ":"), allow_nan=False).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_token(token: str, shape: KeyShape) -> tuple[KeyPart, ...]:
    """The key in ``token``, whose elements must have the types of ``shape``
    (an int is accepted where a float is expected, never a bool)."""
    try:
        if not isinstance(token, str) or len(token) > _MAX_TOKEN_LEN:
            raise ValueError
        padded = token + "=" * (-len(token) % 4)
        raw = base64.b64decode(padded.encode("ascii"), altchars=b"-_", validate=True)
        value = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, UnicodeError, binascii.Error, RecursionError):
        raise InvalidInput(_BAD_TOKEN) from None
    if not isinstance(value, list) or len(value) != len(shape):
        raise InvalidInput(_BAD_TOKEN)
    return tuple(_part(v, want) for v, want in zip(value, shape, strict=True))


def _part(value: object, want: type[KeyPart]) -> KeyPart:
    if isinstance(value, bool):
        raise InvalidInput(_BAD_TOKEN)
    if want is float and isinstance(value, int | float):
        return float(value)
    if want is int and isinstance(value, int):
        return value
    if want is str and isinstance(value, str):
        return value
    raise InvalidInput(_BAD_TOKEN)


def _reject_constant(name: str) -> float:
    # json.loads would otherwise accept NaN and Infinity, which no key of ours holds.
    raise ValueError(name)


def decode_subject_token(token: str) -> str:
    """The subject id a ListSubjects token names. Tokens of earlier releases
    (plain base64 of the subject id) are still accepted, so clients paging
    across a rolling upgrade do not fail."""
    try:
        return str(decode_token(token, (str,))[0])
    except InvalidInput:
        pass
    try:
        padded = token + "=" * (-len(token) % 4)
        legacy = base64.b64decode(padded.encode("ascii"), altchars=b"-_", validate=True).decode()
    except (ValueError, UnicodeError, binascii.Error):
        raise InvalidInput(_BAD_TOKEN) from None
    if legacy.startswith("["):
        # A current token of another shape (GetSubject's), not a legacy one.
        raise InvalidInput(_BAD_TOKEN)
    try:
        return validate_subject_id(legacy)
    except InvalidInput:
        raise InvalidInput(_BAD_TOKEN) from None


def decode_face_token(token: str) -> tuple[float, str, int, str]:
    """The face sort key (enrolled_at, image_sha256, face_index, face_id) a
    GetSubject token names."""
    when, sha, index, face_id = decode_token(token, (float, str, int, str))
    # decode_token has checked the types; these conversions only inform mypy.
    return (float(when), str(sha), int(index), str(face_id))
