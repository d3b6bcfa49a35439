"""Images sent as base64 text (REST bodies, queued jobs)."""

from __future__ import annotations

import base64
import binascii
import re

from aurum_ml.errors import InvalidInput

_DATA_URL = re.compile(r"data:[^,]*,", re.IGNORECASE)


def decode_base64_image(value: str, field: str = "image") -> bytes:
    """The image bytes of a base64 text field.

    Lenient where old clients differ and nothing is ambiguous: a data URL
    prefix, whitespace (MIME line breaks), the URL-safe alphabet and missing
    padding are all accepted; any other character is refused.
    """
    text = value.strip()
    if text[:5].lower() == "data:":
        prefix = _DATA_URL.match(text)
        if prefix is None or not prefix.group(0).lower().endswith(";base64,"):
            raise InvalidInput(f"{field}: a data URL must look like data:image/jpeg;base64,<data>")
        text = text[prefix.end() :]
    text = "".join(text.split()).replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(
            f"{field} is not valid base64: send the encoded image file's bytes in base64"
        ) from None
