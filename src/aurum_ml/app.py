"""Runs the whole server in one asyncio loop: gRPC (and later REST) over one core."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from aurum_ml.core import FaceService
from aurum_ml.grpc.server import build_grpc_server
from aurum_ml.settings import Settings

log = logging.getLogger(__name__)


async def serve(settings: Settings, ready: asyncio.Event | None = None) -> None:
    """Serve until SIGTERM/SIGINT, then stop gracefully.

    On the signal, health goes NOT_SERVING, new calls are refused and calls in
    flight get ``shutdown_grace_s`` to finish.
    """
    core = FaceService.create(settings)
    grpc_server = build_grpc_server(
        core, f"{settings.host}:{settings.grpc_port}", settings.max_message_bytes
    )
    await grpc_server.server.start()
    await grpc_server.publish_health(core.serving())
    serving = core.serving()
    log.info(
        "gRPC listening on %s:%d; services: %s",
        settings.host,
        grpc_server.port,
        ", ".join(f"{k}={'SERVING' if v else 'NOT_SERVING'}" for k, v in serving.items()),
    )
    # One machine-readable line so scripts and tests can find the real port.
    print(f"aurum-ml ready grpc_port={grpc_server.port}", flush=True)
    if ready is not None:
        ready.set()

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("shutting down: draining calls for up to %.0f s", settings.shutdown_grace_s)
    await grpc_server.enter_shutdown()
    await grpc_server.server.stop(settings.shutdown_grace_s)
    core.close()
    log.info("stopped")
