"""One interceptor for every unary RPC: request id, API key, rate limit,
metrics and the access log. Health and reflection stay open."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import grpc

from aurum_ml.errors import AurumError
from aurum_ml.grpc.errors import status_for
from aurum_ml.observability import Metrics, log_request, new_request_id, request_id_var
from aurum_ml.security import ANONYMOUS, Authenticator, RateLimiter, key_from_headers

_OPEN_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")

Behavior = Callable[[Any, grpc.aio.ServicerContext[Any, Any]], Awaitable[Any]]


class _Undecodable:
    """Stands in for a request whose bytes are not a valid message: grpc
    would otherwise answer UNKNOWN naming the parser's exception class."""


_UNDECODABLE = _Undecodable()


def _lenient(deserializer: Callable[[bytes], Any] | None) -> Callable[[bytes], Any] | None:
    if deserializer is None:
        return None

    def parse(data: bytes) -> Any:
        try:
            return deserializer(data)
        except Exception:
            return _UNDECODABLE

    return parse


class ServerInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[type-arg]
    def __init__(self, auth: Authenticator, limiter: RateLimiter, metrics: Metrics) -> None:
        self.auth = auth
        self.limiter = limiter
        self.metrics = metrics

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

        async def behavior(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            started = time.perf_counter()
            rid = new_request_id(metadata.get("x-request-id"))
            token = request_id_var.set(rid)
            context.set_trailing_metadata((("x-request-id", rid),))
            caller = ANONYMOUS
            transport = "grpc"
            self.metrics.in_flight.labels(transport).inc()
            code = "OK"
            try:
                if not is_open:
                    try:
                        caller = self.auth.identify(
                            key_from_headers(
                                metadata.get("authorization"), metadata.get("x-api-key")
                            )
                        )
                        self.limiter.check(caller)
                    except AurumError as e:
                        await context.abort(status_for(e), e.message)
                if request is _UNDECODABLE:
                    await context.abort(
                        grpc.StatusCode.INVALID_ARGUMENT,
                        f"the request is not a valid protobuf message for {method}",
                    )
                return await inner(request, context)
            except BaseException:
                c = context.code()
                code = c.name if isinstance(c, grpc.StatusCode) else "CANCELLED"
                raise
            finally:
                c = context.code()
                if isinstance(c, grpc.StatusCode) and c != grpc.StatusCode.OK:
                    code = c.name
                self.metrics.in_flight.labels(transport).dec()
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
            request_deserializer=_lenient(handler.request_deserializer),
            response_serializer=handler.response_serializer,
        )
