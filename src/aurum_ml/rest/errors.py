"""The one place where failures become HTTP: every error leaves as
``{"success": false, "message": ...}`` with the status the core's error names.

Core errors carry their own ``http_status`` (aurum_ml.errors); this module
only adds what HTTP has and the core cannot know about: JSON that does not
parse or does not fit the schema, unknown paths, and the fixed 500.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from aurum_ml.errors import INTERNAL_MESSAGE, AurumError
from aurum_ml.rest.jsonbody import preparse
from aurum_ml.rest.schemas import ErrorResponse

log = logging.getLogger(__name__)

#: Shown in the OpenAPI document next to each status.
_DESCRIPTIONS: dict[int, str] = {
    400: "Bad input: malformed JSON, a wrong or missing field, invalid base64, an "
    "undecodable image or an argument out of range",
    401: "An API key is required (authorization: Bearer <key>, or x-api-key) and was "
    "missing or not valid",
    404: "No face found where the operation needs one",
    409: "The call conflicts with the server's state (e.g. another embedding model)",
    413: "The body or the image is larger than the server accepts",
    415: "Unsupported image format, request Content-Type or Content-Encoding",
    429: "The server is busy or the caller's rate limit is spent; retry with backoff",
    500: "Internal server error (details are in the server log)",
    503: "A model this call needs is not loaded, or the server is shutting down",
    504: "The request did not finish within the server's time limit",
}

#: Labels pydantic puts in error locations for union branches; they are not
#: field names, so messages leave them out.
_UNION_TAGS = frozenset(
    {"op", "name", "pair", "batch", "resize", "normalize", "align", "quality", "convert"}
)
_MAX_LISTED = 3
#: Where FastAPI found the value; the field's name says enough.
_SOURCES = frozenset({"body", "path", "query", "header", "cookie"})


def error_responses(
    *codes: int, wording: dict[int, str] | None = None
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the failures an operation can return;
    ``wording`` replaces the general description where a router knows better."""
    text = {**_DESCRIPTIONS, **(wording or {})}
    return {c: {"model": ErrorResponse, "description": text[c]} for c in codes}


def error_response(
    status: int, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    body = ErrorResponse(message=message).model_dump(mode="json")
    return JSONResponse(body, status_code=status, headers=headers)


def core_error_response(err: AurumError) -> JSONResponse:
    # HTTP asks a 401 to name the scheme it wants.
    headers = {"www-authenticate": "Bearer"} if err.http_status == 401 else None
    return error_response(err.http_status, err.message, headers=headers)


def _is_json(content_type: str | None) -> bool:
    if content_type is None:
        return True  # parsed as JSON: clients of the old services often sent none
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def _field(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc[1:] if loc and loc[0] in _SOURCES else loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part not in _UNION_TAGS:
            out += f".{part}" if out else part
    return out


def _describe(error: Any) -> str:
    kind = error.get("type", "")
    field = _field(error.get("loc", ()))
    if kind == "json_invalid":
        detail = (error.get("ctx") or {}).get("error", "syntax error")
        pos = [p for p in error.get("loc", ()) if isinstance(p, int)]
        where = f" at character {pos[0]}" if pos else ""
        return f"the request body is not valid JSON: {detail}{where}"
    if not field:
        if kind == "missing":
            return "the request has no body: send a JSON object"
        return "the request body must be a JSON object"
    if kind == "missing":
        return f"{field} is required"
    return f"{field}: {str(error.get('msg', 'invalid value')).lower()}"


def validation_message(errors: Sequence[Any]) -> str:
    """One readable line naming the fields at fault, for a person."""
    parts = list(dict.fromkeys(_describe(e) for e in errors))
    if not parts:
        return "the request is invalid"
    more = len(parts) - _MAX_LISTED
    text = "; ".join(parts[:_MAX_LISTED])
    return f"{text} (and {more} more)" if more > 0 else text


def validation_response(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    about_body = any(tuple(e.get("loc", ()))[:1] == ("body",) for e in errors)
    if about_body and not _is_json(request.headers.get("content-type")):
        # FastAPI hands a non-JSON body to validation as raw bytes; say what is
        # wrong rather than that the body "is not an object".
        return error_response(415, "send the request body as JSON (Content-Type: application/json)")
    return error_response(400, validation_message(errors))


def http_exception_response(request: Request, exc: HTTPException) -> JSONResponse:
    if exc.status_code == 404:
        message = f"no such path: {request.url.path} (the API is described at /docs)"
    elif exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        message = f"{request.method} is not allowed on {request.url.path}"
        message += f"; use {allowed}" if allowed else ""
    elif exc.status_code == 400:
        # FastAPI's only 400 here: a body that json.loads could not even read.
        message = "the request body is not valid JSON: send a UTF-8 JSON object"
    else:
        message = str(exc.detail)
    return error_response(exc.status_code, message, headers=exc.headers)


def internal_error_response() -> JSONResponse:
    return error_response(500, INTERNAL_MESSAGE)


class MappedRoute(APIRoute):
    """A route whose every failure is answered here, in the one JSON shape.

    Catching inside the route (rather than only in app-level handlers) keeps
    unknown exceptions away from Starlette's ServerErrorMiddleware, which would
    answer and then re-raise them into the server loop.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def mapped(request: Request) -> Response:
            try:
                await preparse(request)
                return await handler(request)
            except RequestValidationError as e:
                return validation_response(request, e)
            except AurumError as e:
                return core_error_response(e)
            except HTTPException as e:
                return http_exception_response(request, e)
            except Exception:
                log.exception("unhandled error in %s %s", request.method, request.url.path)
                return internal_error_response()

        return mapped


def install_handlers(app: FastAPI) -> None:
    """Handlers for what happens outside any route (unknown paths, wrong methods),
    and a safety net with the same shapes for anything else."""

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return http_exception_response(request, exc)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return validation_response(request, exc)

    async def on_core(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, AurumError)
        return core_error_response(exc)

    async def on_unknown(request: Request, exc: Exception) -> Response:
        # Starlette re-raises after this response is sent, so the server logs
        # the traceback; logging here too would report it twice.
        return internal_error_response()

    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(AurumError, on_core)
    app.add_exception_handler(Exception, on_unknown)
