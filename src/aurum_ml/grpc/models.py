"""The ModelManagement service: converts, calls the core's model lifecycle,
converts back. Who may call it is the interceptor's business (operator keys)."""

from __future__ import annotations

import dataclasses
from typing import Any

import grpc

from aurum.ml.v1 import models_pb2, models_pb2_grpc
from aurum_ml.core import Core
from aurum_ml.core.lifecycle import ModelVersionStatus
from aurum_ml.core.migration import MigrationStatus
from aurum_ml.grpc.errors import mapped

Ctx = grpc.aio.ServicerContext[Any, Any]

#: The service's full name, as health, reflection and the interceptor know it.
SERVICE_NAME = models_pb2.DESCRIPTOR.services_by_name["ModelManagement"].full_name


def version_pb(m: ModelVersionStatus) -> models_pb2.ModelVersion:
    # The message has the status's fields, one for one.
    return models_pb2.ModelVersion(**dataclasses.asdict(m))


def migration_pb(m: MigrationStatus) -> models_pb2.GalleryMigration:
    return models_pb2.GalleryMigration(
        gallery=m.gallery,
        state=m.state,
        from_model_name=m.from_model[0],
        from_model_version=m.from_model[1],
        to_model_name=m.to_model[0],
        to_model_version=m.to_model[1],
        total=m.total,
        migrated=m.migrated,
        error=m.error,
        started_at=m.started_at,
        finished_at=m.finished_at,
    )


class ModelManagementServicer(models_pb2_grpc.ModelManagementServicer):
    def __init__(self, core: Core) -> None:
        self.core = core

    @mapped
    async def ListModels(
        self, request: models_pb2.ListModelsRequest, context: Ctx
    ) -> models_pb2.ListModelsResponse:
        return models_pb2.ListModelsResponse(
            models=[
                version_pb(m)
                for m in self.core.model_versions()
                if not request.role or m.role == request.role
            ]
        )

    @mapped
    async def LoadModel(
        self, request: models_pb2.LoadModelRequest, context: Ctx
    ) -> models_pb2.ModelVersion:
        return version_pb(
            await self.core.load_model(request.role, request.version, request.make_default)
        )

    @mapped
    async def UnloadModel(
        self, request: models_pb2.UnloadModelRequest, context: Ctx
    ) -> models_pb2.ModelVersion:
        return version_pb(await self.core.unload_model(request.role, request.version))

    @mapped
    async def SetDefaultModel(
        self, request: models_pb2.SetDefaultModelRequest, context: Ctx
    ) -> models_pb2.ModelVersion:
        return version_pb(self.core.set_default_model(request.role, request.version))

    @mapped
    async def SetTrafficSplit(
        self, request: models_pb2.SetTrafficSplitRequest, context: Ctx
    ) -> models_pb2.TrafficSplit:
        shares = self.core.set_traffic_split(request.role, dict(request.weights))
        return models_pb2.TrafficSplit(role=request.role, shares=shares)

    @mapped
    async def StartGalleryMigration(
        self, request: models_pb2.StartGalleryMigrationRequest, context: Ctx
    ) -> models_pb2.GalleryMigration:
        return migration_pb(
            await self.core.start_migration(
                request.gallery,
                request.model_name.strip(),
                request.model_version.strip(),
                timeout=context.time_remaining(),
            )
        )

    @mapped
    async def GetGalleryMigration(
        self, request: models_pb2.GetGalleryMigrationRequest, context: Ctx
    ) -> models_pb2.GalleryMigration:
        return migration_pb(
            await self.core.migration_status(request.gallery, timeout=context.time_remaining())
        )

    @mapped
    async def ListGalleryMigrations(
        self, request: models_pb2.ListGalleryMigrationsRequest, context: Ctx
    ) -> models_pb2.ListGalleryMigrationsResponse:
        found = await self.core.list_migrations(timeout=context.time_remaining())
        return models_pb2.ListGalleryMigrationsResponse(migrations=[migration_pb(m) for m in found])

    @mapped
    async def CancelGalleryMigration(
        self, request: models_pb2.CancelGalleryMigrationRequest, context: Ctx
    ) -> models_pb2.GalleryMigration:
        return migration_pb(
            await self.core.cancel_migration(request.gallery, timeout=context.time_remaining())
        )


def add_model_management(server: grpc.aio.Server, core: Core) -> None:
    models_pb2_grpc.add_ModelManagementServicer_to_server(ModelManagementServicer(core), server)
