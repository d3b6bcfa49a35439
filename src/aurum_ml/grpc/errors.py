"""The one table from core errors to gRPC status codes."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import grpc

from aurum_ml.errors import INTERNAL_MESSAGE, AurumError

log = logging.getLogger(__name__)

STATUS: dict[str, grpc.StatusCode] = {
    "INVALID_ARGUMENT": grpc.StatusCode.INVALID_ARGUMENT,
    "NOT_FOUND": grpc.StatusCode.NOT_FOUND,
    "ALREADY_EXISTS": grpc.StatusCode.ALREADY_EXISTS,
    "FAILED_PRECONDITION": grpc.StatusCode.FAILED_PRECONDITION,
    "UNAVAILABLE": grpc.StatusCode.UNAVAILABLE,
    "RESOURCE_EXHAUSTED": grpc.StatusCode.RESOURCE_EXHAUSTED,
    "PERMISSION_DENIED": grpc.StatusCode.PERMISSION_DENIED,
    "UNAUTHENTICATED": grpc.StatusCode.UNAUTHENTICATED,
    "DEADLINE_EXCEEDED": grpc.StatusCode.DEADLINE_EXCEEDED,
    "INTERNAL": grpc.StatusCode.INTERNAL,
}

Req = TypeVar("Req")
Resp = TypeVar("Resp")
Method = Callable[[Any, Req, grpc.aio.ServicerContext[Req, Resp]], Awaitable[Resp]]


def status_for(err: AurumError) -> grpc.StatusCode:
    return STATUS.get(err.grpc_code, grpc.StatusCode.INTERNAL)


def mapped(method: Method[Req, Resp]) -> Method[Req, Resp]:
    """Turn core errors into their status; anything else into INTERNAL with a
    fixed message, the detail going to the log and never to the client."""

    @functools.wraps(method)
    async def wrapper(
        self: Any, request: Req, context: grpc.aio.ServicerContext[Req, Resp]
    ) -> Resp:
        try:
            return await method(self, request, context)
        except AurumError as e:
            failure = (status_for(e), e.message)
        except (grpc.aio.AbortError, grpc.aio.BaseError):
            raise
        except Exception:
            log.exception("unhandled error in %s", method.__qualname__)
            failure = (grpc.StatusCode.INTERNAL, INTERNAL_MESSAGE)
        # Aborted outside the except clause, so the AbortError does not carry
        # the error as its __context__: grpc keeps the AbortError in a
        # reference cycle, and that traceback's frames held the request.
        await context.abort(*failure)
        raise AssertionError("unreachable: context.abort raises")

    return wrapper
