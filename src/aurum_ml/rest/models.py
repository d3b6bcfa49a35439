"""Model management over JSON: /api/models paths, the mirror of the gRPC
ModelManagement service. Only operator keys reach them (the Gate checks;
README, "Model management")."""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import Field

from aurum_ml.core.lifecycle import ModelVersionStatus
from aurum_ml.core.migration import MigrationStatus
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
    404: "The manifest lists no such version of that role; no such gallery or migration",
    409: "The version failed to load (the reason follows), is not loaded, or is the "
    "role's default (which cannot be unloaded); the gallery keeps no face crops, is "
    "bound to that model or is migrating to another",
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


class StartMigrationRequest(In):
    model_name: str
    """The embedding model to move the gallery to (it must be loaded)."""
    model_version: str = ""
    """Empty: the newest version the manifest lists."""


class GalleryMigration(Out):
    gallery: str
    state: str
    """running; waiting (for its model to be loaded); retrying (after an error, see
    error); done; cancelled."""
    from_model: dict[str, str]
    """name and version of the model the gallery serves with until the switch."""
    to_model: dict[str, str]
    total: int
    """Faces in the gallery."""
    migrated: int
    """Faces the new generation holds so far."""
    error: str
    started_at: float
    finished_at: float
    """Unix seconds; 0 until it is done or cancelled."""


class MigrationResponse(Out):
    success: Literal[True] = True
    migration: GalleryMigration


class ListMigrationsResponse(Out):
    success: Literal[True] = True
    migrations: list[GalleryMigration]


def migration_out(m: MigrationStatus) -> GalleryMigration:
    return GalleryMigration(
        gallery=m.gallery,
        state=m.state,
        from_model={"name": m.from_model[0], "version": m.from_model[1]},
        to_model={"name": m.to_model[0], "version": m.to_model[1]},
        total=m.total,
        migrated=m.migrated,
        error=m.error,
        started_at=m.started_at,
        finished_at=m.finished_at,
    )


_MIGRATION = PREFIX + "/migrations/{gallery}"
_MIGRATION_ERRORS = _errors(400, 401, 403, 404, 409, 429, 500, 503, 504)


@router.get(
    PREFIX + "/migrations",
    operation_id="listGalleryMigrations",
    responses=_MIGRATION_ERRORS,
    summary="Gallery migrations",
)
async def list_migrations(core: Core) -> ListMigrationsResponse:
    """Every migration running, and those this server finished since it started."""
    return ListMigrationsResponse(
        migrations=[migration_out(m) for m in await core.list_migrations()]
    )


@router.post(
    _MIGRATION,
    operation_id="startGalleryMigration",
    responses=_MIGRATION_ERRORS,
    summary="Move a gallery to another embedding model",
)
async def start_migration(
    gallery: str, body: StartMigrationRequest, core: Core
) -> MigrationResponse:
    """Re-embeds the gallery's kept face crops in the background into a new
    generation, which replaces the old one atomically when complete; until then
    every call uses the old one. Survives a restart. 409 when the gallery keeps
    no crops (its subjects must be re-enrolled)."""
    started = await core.start_migration(
        gallery, body.model_name.strip(), body.model_version.strip()
    )
    return MigrationResponse(migration=migration_out(started))


@router.get(
    _MIGRATION,
    operation_id="getGalleryMigration",
    responses=_MIGRATION_ERRORS,
    summary="A gallery's migration",
)
async def get_migration(gallery: str, core: Core) -> MigrationResponse:
    return MigrationResponse(migration=migration_out(await core.migration_status(gallery)))


@router.delete(
    _MIGRATION,
    operation_id="cancelGalleryMigration",
    responses=_MIGRATION_ERRORS,
    summary="Cancel a gallery's migration",
)
async def cancel_migration(gallery: str, core: Core) -> MigrationResponse:
    """Drops the new generation; the gallery serves on with its model."""
    return MigrationResponse(migration=migration_out(await core.cancel_migration(gallery)))
