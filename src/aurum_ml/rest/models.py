"""Model management over JSON: /api/models paths, the mirror of the gRPC
ModelManagement service. Only operator keys reach them (the Gate checks;
README, "Model management")."""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import Field

from aurum_ml.core.lifecycle import ModelVersionStatus
from aurum_ml.rest.endpoints import Core
from aurum_ml.rest.errors import MappedRoute, error_responses
from aurum_ml.rest.schemas import In, Out

#: Where the Gate asks for an operator key instead of an API key.
PREFIX = "/api/models"

_WORDING: dict[int, str] = {
    400: "Bad input: a weight out of range, a malformed body",
    401: "An operator key is required (authorization: Bearer <key>, or x-api-key) and "
    "was missing or not valid",
    403: "Model management is off (no operator key is configured), or the key is a client API key",
    404: "The manifest lists no such version of that role",
    409: "The version failed to load (the reason follows), is not loaded, or is the "
    "role's default (which cannot be unloaded)",
}


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return error_responses(*codes, wording=_WORDING)


_ERRORS = _errors(400, 401, 403, 404, 409, 429, 500)


class ModelVersion(Out):
    role: str
    name: str
    version: str
    state: str
    """available (not loaded), loading, ready, failed, draining or unloaded."""
    error: str
    """Why it failed to load; empty otherwise."""
    execution_provider: str
    load_s: float
    """Seconds its load took (check, sessions, warm-up)."""
    memory_bytes: int
    """Growth of the server's resident memory while it loaded (an estimate)."""
    in_use: int
    """Calls running on it now."""
    is_default: bool
    traffic_share: float
    """Its share of the role's keyed traffic in [0, 1]; 0: not in a split."""
    embedding_size: int


class ModelVersionResponse(Out):
    success: Literal[True] = True
    model: ModelVersion


class ListModelsResponse(Out):
    success: Literal[True] = True
    models: list[ModelVersion]


class LoadModelRequest(In):
    make_default: bool = False
    """Make it the role's default once it is ready (a hot swap)."""


class SetDefaultRequest(In):
    version: str


class SetSplitRequest(In):
    weights: dict[str, float] = Field(default_factory=dict)
    """Version -> positive weight; empty removes the split."""


class TrafficSplitResponse(Out):
    success: Literal[True] = True
    role: str
    shares: dict[str, float]
    """Version -> share of the keyed calls, summing to 1; empty: no split."""


def version_out(m: ModelVersionStatus) -> ModelVersion:
    # The schema has the status's fields, one for one.
    return ModelVersion(**dataclasses.asdict(m))


router = APIRouter(route_class=MappedRoute, tags=["models"])
_VERSION = PREFIX + "/{role}/versions/{version}"


@router.get(PREFIX, operation_id="listModels", responses=_ERRORS, summary="Every model version")
async def list_models(core: Core, role: str = "") -> ListModelsResponse:
    """Every version the manifest lists, loaded or not (only ``role``'s when given)."""
    return ListModelsResponse(
        models=[version_out(m) for m in core.model_versions() if not role or m.role == role]
    )


@router.post(
    _VERSION + "/load", operation_id="loadModel", responses=_ERRORS, summary="Load a version"
)
async def load_model(
    role: str, version: str, body: LoadModelRequest, core: Core
) -> ModelVersionResponse:
    """Checked and warmed up before it can take traffic; a failure leaves the
    serving version serving and answers 409 with the reason."""
    return ModelVersionResponse(
        model=version_out(await core.load_model(role, version, body.make_default))
    )


@router.post(
    _VERSION + "/unload", operation_id="unloadModel", responses=_ERRORS, summary="Unload a version"
)
async def unload_model(role: str, version: str, core: Core) -> ModelVersionResponse:
    """Once the calls running on it finish; its memory is released."""
    return ModelVersionResponse(model=version_out(await core.unload_model(role, version)))


@router.put(
    PREFIX + "/{role}/default",
    operation_id="setDefaultModel",
    responses=_ERRORS,
    summary="Set a role's default version",
)
async def set_default_model(role: str, body: SetDefaultRequest, core: Core) -> ModelVersionResponse:
    return ModelVersionResponse(model=version_out(core.set_default_model(role, body.version)))


@router.put(
    PREFIX + "/{role}/split",
    operation_id="setTrafficSplit",
    responses=_ERRORS,
    summary="Split a role's keyed traffic between versions",
)
async def set_traffic_split(role: str, body: SetSplitRequest, core: Core) -> TrafficSplitResponse:
    return TrafficSplitResponse(role=role, shares=core.set_traffic_split(role, body.weights))
