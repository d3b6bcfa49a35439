"""The REST gateway's ASGI app: the legacy JSON paths over the shared core.

Old clients used one host per service (ports 8001-8004); the paths never
collided, so pointing all four base URLs at this one port is enough.
"""

from __future__ import annotations

import time
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aurum_ml import __version__
from aurum_ml.core import Core
from aurum_ml.errors import AurumError
from aurum_ml.observability import Metrics, log_request, new_request_id, request_id_var
from aurum_ml.rest import endpoints, faces, models
from aurum_ml.rest.errors import core_error_response, error_response, install_handlers
from aurum_ml.security import (
    ANONYMOUS,
    Authenticator,
    OperatorGate,
    RateLimiter,
    key_from_headers,
    load_keys,
    operator_gate,
)
from aurum_ml.settings import Settings

#: Where /docs loads Swagger UI from: this server, never a CDN, so the page
#: works without internet. The files ship in the fastapi-offline package
#: (pinned in pyproject.toml); FastAPI's "Custom Docs UI Static Assets".
DOCS_ASSETS = "/docs/static"
SWAGGER_JS = f"{DOCS_ASSETS}/swagger-ui-bundle.js"
SWAGGER_CSS = f"{DOCS_ASSETS}/swagger-ui.css"
SWAGGER_FAVICON = f"{DOCS_ASSETS}/favicon.png"

#: Paths anyone may call, like gRPC's health and reflection: load balancers
#: probe health, and the API's description (and the page showing it) is public.
OPEN_PATHS = frozenset(
    {
        "/api/health",
        "/openapi.json",
        "/docs",
        "/docs/oauth2-redirect",
        SWAGGER_JS,
        SWAGGER_CSS,
        SWAGGER_FAVICON,
    }
)

_DESCRIPTION = """\
Face detection, embeddings, image processing and similarity over JSON: the
legacy REST contract, served by the same core as the gRPC API.

Images travel as base64 in the `image` field. Every failure answers
`{"success": false, "message": "..."}` with an HTTP status saying which kind.
"""


class BodyLimit:
    """Reads the whole request body before the app sees it, refusing it with
    413 as soon as it is known to exceed ``max_bytes``: from Content-Length
    when the client sends one, else while it streams in (chunked uploads), so
    an oversized body is never held in memory.

    Compressed bodies (any Content-Encoding but identity) are refused with 415
    rather than decompressed: a decompressor needs its own cap against zip
    bombs, and the payload is mostly an already-compressed image, so no
    client gains from compressing it.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self) -> str:
        return f"the request body is larger than the {self.max_bytes} bytes this server accepts"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        encoding = headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("", "identity"):
            message = f"compressed request bodies ({encoding}) are not accepted; send plain JSON"
            await error_response(415, message)(scope, receive, send)
            return
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await error_response(413, self._too_large())(scope, receive, send)
            return

        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message_in = await receive()
            if message_in["type"] == "http.disconnect":
                return
            chunk: bytes = message_in.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await error_response(413, self._too_large())(scope, receive, send)
                return
            chunks.append(chunk)
            more = bool(message_in.get("more_body", False))

        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class Gate:
    """What the gRPC interceptor does, for HTTP: a request id (the caller's
    ``x-request-id`` if sane, echoed back), the API key, the per-caller rate
    limit, metrics and one access-log line per request.

    It runs before the body is read, so a caller without a valid key cannot
    make the server buffer an upload.
    """

    def __init__(
        self,
        app: ASGIApp,
        auth: Authenticator,
        limiter: RateLimiter,
        metrics: Metrics | None,
        operators: OperatorGate | None = None,
    ) -> None:
        self.app = app
        self.auth = auth
        self.limiter = limiter
        self.metrics = metrics
        self.operators = operators or OperatorGate([], auth)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = Headers(scope=scope)
        incoming = headers.get("x-request-id")
        # Header values must stay ASCII; anything else gets a fresh id.
        rid = new_request_id(incoming if incoming and incoming.isascii() else None)
        token = request_id_var.set(rid)
        path: str = scope["path"]
        status = 500
        caller = ANONYMOUS

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                extra = [(b"x-request-id", rid.encode("ascii"))]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        if self.metrics is not None:
            self.metrics.call_began("rest")
        try:
            if path not in OPEN_PATHS:
                try:
                    key = key_from_headers(headers.get("authorization"), headers.get("x-api-key"))
                    operator = path == models.PREFIX or path.startswith(models.PREFIX + "/")
                    caller = (self.operators if operator else self.auth).identify(key)
                    self.limiter.check(caller)
                except AurumError as e:
                    await core_error_response(e)(scope, receive, send_with_id)
                    return
            await self.app(scope, receive, send_with_id)
        finally:
            # The route's template (e.g. /api/faces/{gallery}) once routing
            # matched one; unknown paths share one label so random URLs cannot
            # grow the metrics.
            route = scope.get("route")
            template = getattr(route, "path", None)
            method = f"{scope['method']} {template}" if template else "other"
            code = str(status)
            if self.metrics is not None:
                self.metrics.call_ended("rest")
                self.metrics.requests.labels("rest", method, code).inc()
                if status >= 400:
                    self.metrics.errors.labels("rest", method, code).inc()
                self.metrics.latency.labels("rest", method).observe(time.perf_counter() - started)
            log_request("rest", method, code, started, caller)
            request_id_var.reset(token)


class _RestApp(FastAPI):
    auth_enabled = False

    def openapi(self) -> dict[str, Any]:
        """FastAPI's document, less the 422 it adds to every operation with a
        body: this gateway answers validation failures with 400."""
        if self.openapi_schema is None:
            schema = super().openapi()
            for path in schema.get("paths", {}).values():
                for operation in path.values():
                    operation.get("responses", {}).pop("422", None)
            components = schema.get("components", {}).get("schemas", {})
            for unused in ("HTTPValidationError", "ValidationError"):
                components.pop(unused, None)
            if self.auth_enabled:
                _declare_api_keys(schema)
        assert self.openapi_schema is not None
        return self.openapi_schema


def _declare_api_keys(schema: dict[str, Any]) -> None:
    """Either header carries the key; /docs then offers an Authorize button."""
    schema.setdefault("components", {})["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer"},
        "apiKey": {"type": "apiKey", "in": "header", "name": "x-api-key"},
    }
    for path, item in schema.get("paths", {}).items():
        if path not in OPEN_PATHS:
            for operation in item.values():
                operation["security"] = [{"bearer": []}, {"apiKey": []}]


def _add_docs(app: FastAPI) -> None:
    """/docs: Swagger UI with its JavaScript, CSS and icon served by this
    app, so the page needs nothing from the internet."""
    assets = resources.files("fastapi_offline") / "static"
    app.mount(DOCS_ASSETS, StaticFiles(directory=str(assets)), name="docs-assets")
    redirect = app.swagger_ui_oauth2_redirect_url

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = str(request.scope.get("root_path", "")).rstrip("/")
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root}{SWAGGER_JS}",
            swagger_css_url=f"{root}{SWAGGER_CSS}",
            swagger_favicon_url=f"{root}{SWAGGER_FAVICON}",
            oauth2_redirect_url=f"{root}{redirect}" if redirect else None,
            swagger_ui_parameters=app.swagger_ui_parameters,
        )

    if redirect:

        @app.get(redirect, include_in_schema=False)
        async def swagger_ui_redirect() -> HTMLResponse:
            return get_swagger_ui_oauth2_redirect_html()


def build_rest_app(
    core: Core,
    settings: Settings,
    *,
    auth: Authenticator | None = None,
    limiter: RateLimiter | None = None,
    metrics: Metrics | None = None,
    operators: OperatorGate | None = None,
) -> FastAPI:
    """The gateway over ``core`` (the face store's paths where it has a store).

    Pass the server's ``auth``, ``limiter`` and ``metrics`` so both transports
    share keys, rate-limit buckets and one metrics registry. Without them, keys
    and limits are read from ``settings`` (so the gateway is never left open
    when keys are configured) and no metrics are recorded.
    """
    if auth is None:
        keys = load_keys((k.get_secret_value() for k in settings.api_keys), settings.api_keys_file)
        auth = Authenticator(keys)
    if limiter is None:
        limiter = RateLimiter(settings.rate_limit_rps, settings.rate_limit_burst)
    if operators is None:
        operators = operator_gate(
            (k.get_secret_value() for k in settings.operator_keys),
            settings.operator_keys_file,
            auth,
        )
    app = _RestApp(
        title="aurum-ml REST gateway",
        version=__version__,
        description=_DESCRIPTION,
        docs_url=None,  # served below, from local files
        redoc_url=None,
        openapi_url="/openapi.json",
        # Clients of the old services sometimes sent JSON with no Content-Type.
        strict_content_type=False,
    )
    app.auth_enabled = auth.enabled
    app.state.core = core
    install_handlers(app)
    _add_docs(app)
    app.include_router(endpoints.router)
    if core.store is not None:
        app.include_router(faces.router)
    app.include_router(models.router)
    app.add_middleware(BodyLimit, max_bytes=settings.max_message_bytes)
    # Added last, so outermost: the gate answers before any body is read.
    app.add_middleware(Gate, auth=auth, limiter=limiter, metrics=metrics, operators=operators)
    return app
