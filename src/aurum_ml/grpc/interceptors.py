"""One interceptor for every unary RPC: request id, API key, rate limit,
metrics and the access log. Health and reflection stay open; model
management takes operator keys only (security.OperatorGate)."""

from __future__ import annotations

import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import grpc

from aurum_ml.errors import AurumError
from aurum_ml.grpc.errors import status_for
from aurum_ml.observability import Metrics, log_request, new_request_id, request_id_var
from aurum_ml.security import (
    ANONYMOUS,
    Authenticator,
    OperatorGate,
    RateLimiter,
    key_from_headers,
)

_OPEN_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")
_OPERATOR_PREFIX = "/aurum.ml.v1.ModelManagement/"

Behavior = Callable[[Any, grpc.aio.ServicerContext[Any, Any]], Awaitable[Any]]


#: Requests of these methods carry no image and no list of embeddings: ids,
#: names, paging, metadata (at most 32 x 1 KiB), two embeddings of at most
#: 4,096 values. Anything bigger is refused before it is parsed; the other
#: methods take up to the server's message limit.
SMALL_REQUEST_BYTES = 64 * 1024
SMALL_METHODS = frozenset(
    {
        "/grpc.health.v1.Health/Check",
        "/aurum.ml.v1.Similarity/Compare",
        *(
            f"{_OPERATOR_PREFIX}{m}"
            for m in (
                "ListModels",
                "LoadModel",
                "UnloadModel",
                "SetDefaultModel",
                "SetTrafficSplit",
            )
        ),
        *(
            f"/aurum.ml.v1.FaceStore/{m}"
            for m in (
                "CreateGallery",
                "ListGalleries",
                "GetGallery",
                "DeleteGallery",
                "DeleteSubject",
                "DeleteFace",
                "ListSubjects",
                "GetSubject",
            )
        ),
    }
)


class _Undecodable:
    """Stands in for a request whose bytes are not a valid message: grpc
    would otherwise answer UNKNOWN naming the parser's exception class."""


@dataclass(frozen=True, slots=True)
class _TooLarge:
    """Stands in for a request over its method's size limit, unparsed."""

    size: int


_UNDECODABLE = _Undecodable()


def _lenient(
    deserializer: Callable[[bytes], Any] | None, limit: int | None
) -> Callable[[bytes], Any] | None:
    if deserializer is None:
        return None

    def parse(data: bytes) -> Any:
        if limit is not None and len(data) > limit:
            return _TooLarge(len(data))
        try:
            return deserializer(data)
        except Exception:
            return _UNDECODABLE

    return parse


class ServerInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[type-arg]
    def __init__(
        self,
        auth: Authenticator,
        limiter: RateLimiter,
        metrics: Metrics,
        operators: OperatorGate | None = None,
    ) -> None:
        self.auth = auth
        self.limiter = limiter
        self.metrics = metrics
        self.operators = operators or OperatorGate([], auth)

    async def intercept_service(
        self,
        continuation: Callable[
            [grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler[Any, Any]]
        ],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler[Any, Any]:
        handler = await continuation(details)
        if handler is None or handler.unary_unary is None:
            return handler  # streaming: only health Watch and reflection use it
        method: str = details.method
        metadata = {k: v for k, v in (details.invocation_metadata or ()) if isinstance(v, str)}
        inner: Behavior = handler.unary_unary  # type: ignore[assignment]
        is_open = method.startswith(_OPEN_PREFIXES)
        gate = self.operators if method.startswith(_OPERATOR_PREFIX) else self.auth

        async def behavior(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            started = time.perf_counter()
            rid = new_request_id(metadata.get("x-request-id"))
            token = request_id_var.set(rid)
            context.set_trailing_metadata((("x-request-id", rid),))
            caller = ANONYMOUS
            transport = "grpc"
            self.metrics.call_began(transport)
            code = "OK"
            try:
                if not is_open:
                    try:
                        caller = gate.identify(
                            key_from_headers(
                                metadata.get("authorization"), metadata.get("x-api-key")
                            )
                        )
                        self.limiter.check(caller)
                    except AurumError as e:
                        await context.abort(status_for(e), e.message)
                if isinstance(request, _TooLarge):
                    await context.abort(
                        grpc.StatusCode.RESOURCE_EXHAUSTED,
                        f"the request is {request.size} bytes; {method} accepts at most "
                        f"{SMALL_REQUEST_BYTES} bytes",
                    )
                if request is _UNDECODABLE:
                    await context.abort(
                        grpc.StatusCode.INVALID_ARGUMENT,
                        f"the request is not a valid protobuf message for {method}",
                    )
                return await inner(request, context)
            except BaseException as e:
                c = context.code()
                code = c.name if isinstance(c, grpc.StatusCode) else "CANCELLED"
                # grpc keeps the exception of an aborted call in a reference
                # cycle (with the call's context) that only a full garbage
                # collection breaks; this frame and the servicer's would hold
                # the request (up to 8 MiB) in it, e.g. one refused here for
                # its key. (The servicers abort outside their except clause
                # for the same reason: see grpc/errors.py.)
                traceback.clear_frames(e.__traceback__)
                request = None
                raise
            finally:
                c = context.code()
                if isinstance(c, grpc.StatusCode) and c != grpc.StatusCode.OK:
                    code = c.name
                self.metrics.call_ended(transport)
                self.metrics.requests.labels(transport, method, code).inc()
                if code != "OK":
                    self.metrics.errors.labels(transport, method, code).inc()
                self.metrics.latency.labels(transport, method).observe(
                    time.perf_counter() - started
                )
                log_request(transport, method, code, started, caller)
                request_id_var.reset(token)

        return grpc.unary_unary_rpc_method_handler(
            behavior,
            request_deserializer=_lenient(
                handler.request_deserializer,
                SMALL_REQUEST_BYTES if method in SMALL_METHODS else None,
            ),
            response_serializer=handler.response_serializer,
        )
