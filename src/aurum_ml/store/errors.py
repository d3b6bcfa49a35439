"""Qdrant-client, httpx, sqlite and embedded-mode failures as the project's errors.

Messages of the errors raised here are shown to clients, so they name the
operation and never carry the underlying text; that text goes to the log,
cut short and with echoed embeddings removed.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from aurum_ml.errors import AurumError, FailedPrecondition, NotFound, ServiceUnavailable

log = logging.getLogger(__name__)

_NUMBER_RUN = re.compile(r"[-+0-9.eE,\s\[\]]{40,}")


def safe_text(exc: BaseException) -> str:
    """An exception's message fit for a log line: short, and with long runs of
    numbers (an embedding echoed back by a validation error) cut out."""
    return _NUMBER_RUN.sub(" <numbers> ", str(exc))[:300]


@contextmanager
def translated_errors(op: str) -> Iterator[None]:
    """Turn client failures raised in the block into AurumErrors whose
    messages are safe to show a client; AurumErrors pass through."""
    try:
        yield
    except AurumError:
        raise
    except UnexpectedResponse as exc:
        raise from_http(op, exc) from None
    except (ResponseHandlingException, httpx.HTTPError, OSError, sqlite3.Error) as exc:
        log.warning("face store %s failed: %s", op, safe_text(exc))
        raise ServiceUnavailable(
            f"the face store is unavailable ({op} failed); retry later"
        ) from None
    except RuntimeError as exc:
        # Embedded mode: the instance was closed underneath us.
        log.warning("face store %s failed: %s", op, safe_text(exc))
        raise ServiceUnavailable(f"the face store is not serving ({op} failed)") from None
    except ValueError as exc:
        raise from_local_value_error(op, exc) from None


def is_already_exists(exc: Exception) -> bool:
    """Whether a create failed only because the collection is already there."""
    if isinstance(exc, UnexpectedResponse):
        return exc.status_code == 409 or (
            exc.status_code == 400 and b"already exists" in (exc.content or b"")
        )
    return "already exists" in str(exc)


def is_not_found(exc: Exception) -> bool:
    """Whether reading a collection failed only because it does not exist."""
    if isinstance(exc, UnexpectedResponse):
        return exc.status_code == 404
    return isinstance(exc, ValueError) and "not found" in str(exc)


def _is_vector_name_error(text: str) -> bool:
    text = text.lower()
    return "vector name" in text or ("vector" in text and "not found" in text)


def from_http(op: str, exc: UnexpectedResponse) -> AurumError:
    status = exc.status_code or 0
    body = (exc.content or b"")[:300].decode("utf-8", "replace")
    log.warning("face store %s: Qdrant answered %s: %s", op, status, _NUMBER_RUN.sub("<n>", body))
    if status == 404:
        return NotFound(f"not found in the face store ({op})")
    if status in (401, 403):
        return ServiceUnavailable("the face store rejected our credentials")
    if status == 400 and _is_vector_name_error(body):
        # The gallery was recreated for another model between our check and
        # our call: its vector no longer has our model's name.
        return FailedPrecondition(
            "the gallery's model changed during the call; check the gallery and retry"
        )
    if status in (408, 429) or status >= 500:
        return ServiceUnavailable(f"the face store is unavailable ({op} failed); retry later")
    return AurumError(f"the face store rejected the request ({op})")


def from_local_value_error(op: str, exc: ValueError) -> AurumError:
    text = str(exc)
    if "not found" in text.lower() and "collection" in text.lower():
        return NotFound(f"gallery not found ({op})")
    if _is_vector_name_error(text):
        return FailedPrecondition(
            "the gallery's model changed during the call; check the gallery and retry"
        )
    log.error("face store %s failed: %s: %s", op, type(exc).__name__, safe_text(exc))
    return AurumError(f"the face store could not complete the request ({op})")
