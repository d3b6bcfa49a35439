"""The ModelManagement service: converts, calls the core's model lifecycle,
converts back. Who may call it is the interceptor's business (operator keys)."""

from __future__ import annotations

import dataclasses
from typing import Any

import grpc

from aurum.ml.v1 import models_pb2, models_pb2_grpc
from aurum_ml.core import Core
from aurum_ml.core.lifecycle import ModelVersionStatus
from aurum_ml.grpc.errors import mapped

Ctx = grpc.aio.ServicerContext[Any, Any]

#: The service's full name, as health, reflection and the interceptor know it.
SERVICE_NAME = models_pb2.DESCRIPTOR.services_by_name["ModelManagement"].full_name


def version_pb(m: ModelVersionStatus) -> models_pb2.ModelVersion:
    # The message has the status's fields, one for one.
    return models_pb2.ModelVersion(**dataclasses.asdict(m))


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


def add_model_management(server: grpc.aio.Server, core: Core) -> None:
    models_pb2_grpc.add_ModelManagementServicer_to_server(ModelManagementServicer(core), server)
