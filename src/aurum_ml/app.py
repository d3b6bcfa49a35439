"""Runs the whole server in one asyncio loop: gRPC and the REST gateway over one core."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Iterator

import uvicorn

from aurum_ml.core import FaceService
from aurum_ml.grpc.server import GrpcServer, build_grpc_server
from aurum_ml.settings import Settings

log = logging.getLogger(__name__)


class _EmbeddedUvicorn(uvicorn.Server):
    """uvicorn inside our loop: the process's signal handling stays ours, so
    one SIGTERM drains gRPC and REST together."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


class Server:
    """Both transports over one FaceService, started and stopped together."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.core = FaceService.create(settings)
        self.grpc: GrpcServer = build_grpc_server(
            self.core, f"{settings.host}:{settings.grpc_port}", settings.max_message_bytes
        )
        self.rest_port: int | None = None
        self._rest: _EmbeddedUvicorn | None = None
        self._rest_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.grpc.server.start()
        await self.grpc.publish_health(self.core.serving())
        if self.settings.rest_enabled:
            from aurum_ml.rest.app import build_rest_app

            sock = _bind(self.settings.host, self.settings.rest_port)
            self.rest_port = sock.getsockname()[1]
            config = uvicorn.Config(
                build_rest_app(self.core, self.settings),
                log_config=None,
                access_log=False,
                lifespan="off",
                timeout_graceful_shutdown=int(self.settings.shutdown_grace_s),
            )
            self._rest = _EmbeddedUvicorn(config)
            self._rest_task = asyncio.create_task(self._rest.serve(sockets=[sock]))
            while not self._rest.started:
                if self._rest_task.done():
                    self._rest_task.result()
                    raise RuntimeError("the REST gateway stopped during start-up")
                await asyncio.sleep(0.01)
        serving = self.core.serving()
        log.info(
            "gRPC on %s:%d, REST on %s; services: %s",
            self.settings.host,
            self.grpc.port,
            f"{self.settings.host}:{self.rest_port}" if self.rest_port else "off",
            ", ".join(f"{k}={'SERVING' if v else 'NOT_SERVING'}" for k, v in serving.items()),
        )
        # One machine-readable line so scripts and tests can find the real ports.
        rest = f" rest_port={self.rest_port}" if self.rest_port else ""
        print(f"aurum-ml ready grpc_port={self.grpc.port}{rest}", flush=True)

    async def stop(self) -> None:
        """Health NOT_SERVING, refuse new calls, let calls in flight finish."""
        grace = self.settings.shutdown_grace_s
        log.info("shutting down: draining calls for up to %.0f s", grace)
        self.core.begin_shutdown()
        await self.grpc.enter_shutdown()
        if self._rest is not None:
            self._rest.should_exit = True
        rest_done = self._rest_task if self._rest_task is not None else asyncio.sleep(0)
        await asyncio.gather(self.grpc.server.stop(grace), rest_done)
        self.core.close()
        log.info("stopped")


async def serve(settings: Settings) -> None:
    """Serve until SIGTERM or SIGINT, then stop gracefully."""
    server = Server(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await server.start()
    await stop.wait()
    await server.stop()
