"""Builds the grpc.aio server: the face services, health (overall and per
service) and reflection, on one port."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer
from grpc_reflection.v1alpha import reflection

from aurum.ml.v1 import (
    detection_pb2,
    detection_pb2_grpc,
    embedding_pb2,
    embedding_pb2_grpc,
    face_store_pb2,
    processing_pb2,
    processing_pb2_grpc,
    similarity_pb2,
    similarity_pb2_grpc,
)
from aurum_ml.core import Core
from aurum_ml.grpc import servicers
from aurum_ml.grpc.faces import add_face_store
from aurum_ml.grpc.models import SERVICE_NAME as MODELS_SERVICE
from aurum_ml.grpc.models import add_model_management

#: Short service name (the core's) -> fully qualified gRPC service name.
SERVICE_NAMES: dict[str, str] = {
    "detection": detection_pb2.DESCRIPTOR.services_by_name["FaceDetection"].full_name,
    "embedding": embedding_pb2.DESCRIPTOR.services_by_name["FaceEmbedding"].full_name,
    "processing": processing_pb2.DESCRIPTOR.services_by_name["ImageProcessing"].full_name,
    "similarity": similarity_pb2.DESCRIPTOR.services_by_name["Similarity"].full_name,
    "faces": face_store_pb2.DESCRIPTOR.services_by_name["FaceStore"].full_name,
}

_SERVING = health_pb2.HealthCheckResponse.SERVING
_NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


@dataclass
class GrpcServer:
    server: grpc.aio.Server
    health: HealthServicer
    port: int

    async def publish_health(self, serving: dict[str, bool]) -> None:
        for short, full in SERVICE_NAMES.items():
            await self.health.set(full, _SERVING if serving.get(short) else _NOT_SERVING)
        # Model management answers whenever the process does (off, it says so).
        await self.health.set(MODELS_SERVICE, _SERVING)
        # The overall status ("") says the process is up and answering; per-service
        # entries say which parts can do real work.
        await self.health.set("", _SERVING)

    async def enter_shutdown(self) -> None:
        await self.health.enter_graceful_shutdown()


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    """What one client connection may hold of the server."""

    #: Close a connection gracefully after this long (0 = never).
    max_age_s: float = 0.0
    #: Calls in flight when the age is reached get this long to finish.
    drain_s: float = 30.0
    #: A connection that has not finished the HTTP/2 handshake by then is closed.
    handshake_timeout_s: float = 10.0
    #: Connections open at once; more are refused at accept.
    max_connections: int = 1000


def _connection_options(limits: ConnectionLimits) -> list[tuple[str, int]]:
    """Rotate long-lived connections (so round_robin clients find new replicas),
    ping idle ones (so a dead peer's connection does not linger), refuse clients
    that ping more often than every 10 s, and close connections that never
    finish the handshake (half-open, or sending nothing) instead of keeping them
    until the kernel gives up."""
    options = [
        ("grpc.keepalive_time_ms", 60_000),
        ("grpc.keepalive_timeout_ms", 20_000),
        ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
        ("grpc.keepalive_permit_without_calls", 1),
        ("grpc.server_handshake_timeout_ms", int(limits.handshake_timeout_s * 1000)),
        ("grpc.max_allowed_incoming_connections", limits.max_connections),
    ]
    if limits.max_age_s > 0:
        options += [
            ("grpc.max_connection_age_ms", int(limits.max_age_s * 1000)),
            ("grpc.max_connection_age_grace_ms", int(max(limits.drain_s, 1.0) * 1000)),
        ]
    return options


def build_grpc_server(
    core: Core,
    address: str,
    max_message_bytes: int,
    interceptors: list[grpc.aio.ServerInterceptor[Any, Any]] | None = None,
    credentials: grpc.ServerCredentials | None = None,
    limits: ConnectionLimits = ConnectionLimits(),
) -> GrpcServer:
    """The services over ``core``; FaceStore only where the core has a store."""
    server = grpc.aio.server(
        interceptors=interceptors or [],
        options=[
            ("grpc.max_receive_message_length", max_message_bytes),
            ("grpc.max_send_message_length", max_message_bytes),
            ("grpc.so_reuseport", 0),
            *_connection_options(limits),
        ],
    )
    detection_pb2_grpc.add_FaceDetectionServicer_to_server(
        servicers.FaceDetectionServicer(core), server
    )
    embedding_pb2_grpc.add_FaceEmbeddingServicer_to_server(
        servicers.FaceEmbeddingServicer(core), server
    )
    processing_pb2_grpc.add_ImageProcessingServicer_to_server(
        servicers.ImageProcessingServicer(core), server
    )
    similarity_pb2_grpc.add_SimilarityServicer_to_server(servicers.SimilarityServicer(core), server)
    faces = core.store is not None
    if faces:
        add_face_store(server, core)
    add_model_management(server, core)
    health_servicer = HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names = [
        *(full for short, full in SERVICE_NAMES.items() if short != "faces" or faces),
        MODELS_SERVICE,
        health_pb2.DESCRIPTOR.services_by_name["Health"].full_name,
        reflection.SERVICE_NAME,
    ]
    reflection.enable_server_reflection(names, server)
    if credentials is None:
        port = server.add_insecure_port(address)
    else:
        port = server.add_secure_port(address, credentials)
    if port == 0:
        raise OSError(f"could not bind the gRPC server to {address}")
    return GrpcServer(server=server, health=health_servicer, port=port)
