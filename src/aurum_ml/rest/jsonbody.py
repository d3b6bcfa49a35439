"""Parse large JSON bodies without freezing the event loop.

``json.loads`` is one C call that holds the GIL until it returns: an 8 MiB
body of embeddings takes ~75 ms, a body of a million one-number candidates
1.3 s, and while it runs neither health checks nor small calls are answered.
Here a body's outer levels (the object, its arrays) are walked in Python and
each element is decoded on its own, on a worker thread, so the interpreter
can switch to the event loop between elements. A body holding more arrays
than any request can use is refused before anything is parsed.
"""

from __future__ import annotations

import asyncio
import json
import re
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError

from aurum_ml.errors import InvalidInput
from aurum_ml.similarity import MAX_CANDIDATES

#: Bodies up to this size are parsed on the loop as usual: a thread hop
#: costs more than parsing them.
INLINE_BYTES = 64 * 1024
#: Levels walked element by element (the body, its arrays); deeper values
#: (one candidate's numbers) are decoded in one call each.
_PIECE_DEPTH = 2
#: Characters of a flat array decoded in one call (about 8,000 numbers).
_SLICE = 64 * 1024
#: No request needs more arrays than calculate-similarity's candidates and
#: its query, plus a few for other fields.
MAX_ARRAYS = MAX_CANDIDATES + 16

_decoder = json.JSONDecoder()
_space = re.compile(r"[ \t\n\r]*")


async def preparse(request: Request) -> None:
    """Parse a large JSON body here, off the loop, where FastAPI would parse it
    on the loop; FastAPI then takes the parsed value (Starlette keeps it as
    ``request._json``). Small bodies are left to FastAPI."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    body = await request.body()
    if len(body) <= INLINE_BYTES:
        return
    check_array_count(body, MAX_ARRAYS)
    kind = request.headers.get("content-type", "application/json").split(";")[0].strip()
    if kind != "application/json" and not kind.endswith("+json"):
        return
    try:
        text = body.decode("utf-8")
        request._json = await asyncio.to_thread(loads_in_pieces, text)
    except UnicodeDecodeError:
        return  # FastAPI's own parse says what is wrong
    except json.JSONDecodeError as e:
        # The error FastAPI gives for a body it cannot parse, without
        # echoing megabytes of the body back.
        raise RequestValidationError(
            [
                {
                    "type": "json_invalid",
                    "loc": ("body", e.pos),
                    "msg": "JSON decode error",
                    "input": {},
                    "ctx": {"error": e.msg},
                }
            ]
        ) from None


def check_array_count(body: bytes, max_arrays: int) -> None:
    """Refuse a body with more JSON arrays than ``max_arrays`` (a count of
    ``[``, which no base64 image or ordinary field contains), before parsing."""
    n = body.count(b"[")
    if n > max_arrays:
        raise InvalidInput(
            f"the request body holds {n} JSON arrays; at most {max_arrays} are accepted "
            "(calculate-similarity takes one array per candidate)"
        )


def loads_in_pieces(text: str) -> Any:
    """``json.loads(text)``, one element of the outer levels at a time."""
    value, end = _value(text, _skip(text, 0), 0)
    if _skip(text, end) != len(text):
        raise json.JSONDecodeError("Extra data", text, end)
    return value


def _skip(text: str, i: int) -> int:
    match = _space.match(text, i)
    assert match is not None  # the pattern matches the empty string
    return match.end()


def _value(text: str, i: int, depth: int) -> tuple[Any, int]:
    if depth < _PIECE_DEPTH and text.startswith("[", i):
        return _array(text, i + 1, depth + 1)
    if depth < _PIECE_DEPTH and text.startswith("{", i):
        return _object(text, i + 1, depth + 1)
    value, end = _decoder.raw_decode(text, i)
    return value, end


def _array(text: str, i: int, depth: int) -> tuple[list[Any], int]:
    out: list[Any] = []
    i = _skip(text, i)
    if text.startswith("]", i):
        return out, i + 1
    flat = _flat_array(text, i)
    if flat is not None:
        return flat
    while True:
        value, i = _value(text, i, depth)
        out.append(value)
        i = _skip(text, i)
        if text.startswith(",", i):
            i = _skip(text, i + 1)
        elif text.startswith("]", i):
            return out, i + 1
        else:
            raise json.JSONDecodeError("Expecting ',' delimiter", text, i)


def _flat_array(text: str, i: int) -> tuple[list[Any], int] | None:
    """An array of plain values (no nested array, object or string) from its
    first element at ``i``, decoded a slice of about _SLICE characters at a
    time (a million numbers one by one would take seconds); None when the
    array holds anything else."""
    end = text.find("]", i)
    if end < 0:  # no array ends after this point: the body is cut short
        raise json.JSONDecodeError("Expecting ',' delimiter", text, len(text))
    if any(text.find(c, i, end) >= 0 for c in '[{"'):
        return None
    out: list[Any] = []
    start = i
    while start < end:
        cut = text.find(",", min(start + _SLICE, end), end)
        stop = end if cut < 0 else cut
        try:
            out.extend(json.loads(f"[{text[start:stop]}]"))
        except json.JSONDecodeError as e:
            # Where the error is in the body, not in the slice.
            raise json.JSONDecodeError(e.msg, text, start + max(0, e.pos - 1)) from None
        start = stop + 1
    if cut >= 0 and start > end:  # a trailing comma: "[1, 2,]"
        raise json.JSONDecodeError("Expecting value", text, end)
    return out, end + 1


def _object(text: str, i: int, depth: int) -> tuple[dict[str, Any], int]:
    out: dict[str, Any] = {}
    i = _skip(text, i)
    if text.startswith("}", i):
        return out, i + 1
    while True:
        if not text.startswith('"', i):
            raise json.JSONDecodeError("Expecting property name enclosed in double quotes", text, i)
        key, i = scanstring(text, i + 1)
        i = _skip(text, i)
        if not text.startswith(":", i):
            raise json.JSONDecodeError("Expecting ':' delimiter", text, i)
        out[key], i = _value(text, _skip(text, i + 1), depth)
        i = _skip(text, i)
        if text.startswith(",", i):
            i = _skip(text, i + 1)
        elif text.startswith("}", i):
            return out, i + 1
        else:
            raise json.JSONDecodeError("Expecting ',' delimiter", text, i)
