"""Runs the whole server in one asyncio loop: gRPC and the REST gateway over one core."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import gc
import logging
import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import grpc
import uvicorn
from prometheus_client import start_http_server

from aurum_ml.bootstrap import build_core
from aurum_ml.grpc.interceptors import ServerInterceptor
from aurum_ml.grpc.server import ConnectionLimits, GrpcServer, build_grpc_server
from aurum_ml.jobs import FaceScoringConsumer
from aurum_ml.observability import Metrics
from aurum_ml.rest.protocol import with_read_timeout
from aurum_ml.runtime.heap import IdleHeapTrimmer
from aurum_ml.security import Authenticator, RateLimiter, load_keys, operator_gate
from aurum_ml.settings import Settings, env_name

log = logging.getLogger(__name__)

#: The settings that name a port, and their command-line options.
_PORT_OPTIONS = {"grpc_port": "--grpc-port", "rest_port": "--rest-port", "metrics_port": ""}


class CannotListen(Exception):
    """A port the server needs cannot be had: one line for the operator,
    naming the port and the setting that chose it."""


def _names(field: str) -> str:
    option = _PORT_OPTIONS.get(field) or ("--host" if field == "host" else "")
    return f"{env_name(field)} / {option}" if option else env_name(field)


def _cannot_listen(host: str, port: int, field: str, e: OSError) -> CannotListen:
    if e.errno == errno.EADDRINUSE:
        return CannotListen(f"port {port} is in use ({_names(field)})")
    if e.errno == errno.EACCES:
        return CannotListen(
            f"port {port} needs privileges this user lacks: choose one above 1023 ({_names(field)})"
        )
    if isinstance(e, socket.gaierror):
        return CannotListen(f"cannot listen on {host}: no such host name ({_names('host')})")
    if e.errno == errno.EADDRNOTAVAIL:
        return CannotListen(
            f"cannot listen on {host}: not an address of this machine ({_names('host')})"
        )
    return CannotListen(f"cannot listen on {host}:{port}: {e.strerror or e} ({_names(field)})")


def check_ports(settings: Settings) -> None:
    """Fail before any model loads if a port the server will listen on is
    taken (or the same port is given twice)."""
    wanted = {"grpc_port": settings.grpc_port}
    if settings.rest_enabled:
        wanted["rest_port"] = settings.rest_port
    if settings.metrics_enabled:
        wanted["metrics_port"] = settings.metrics_port
    seen: dict[int, str] = {}
    for field, port in wanted.items():
        if port == 0:  # any free port: nothing to check
            continue
        if port in seen:
            raise CannotListen(
                f"{_names(seen[port])} and {_names(field)} are both {port}: give each its own port"
            )
        seen[port] = field
        try:
            _bind(settings.host, port).close()
        except OSError as e:
            raise _cannot_listen(settings.host, port, field, e) from None


class _EmbeddedUvicorn(uvicorn.Server):
    """uvicorn inside our loop: the process's signal handling stays ours, so
    one SIGTERM drains gRPC and REST together."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio turns Nagle off (TCP_NODELAY) only on
    # sockets that say they are TCP, and uvicorn writes a response's headers
    # and body separately, so with Nagle on every response waited ~40 ms for
    # the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise ValueError(f"cannot read {path}: {e.strerror}") from None


def grpc_credentials(settings: Settings) -> grpc.ServerCredentials | None:
    if settings.tls_cert_file is None or settings.tls_key_file is None:
        return None
    client_ca = settings.tls_client_ca_file
    return grpc.ssl_server_credentials(
        [(_read(settings.tls_key_file), _read(settings.tls_cert_file))],
        root_certificates=_read(client_ca) if client_ca else None,
        require_client_auth=client_ca is not None,
    )


class Server:
    """Both transports over one core, started and stopped together."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # What the operator may have got wrong is checked before the models
        # load (seconds): keys, certificate files, ports.
        keys = load_keys((k.get_secret_value() for k in settings.api_keys), settings.api_keys_file)
        credentials = grpc_credentials(settings)
        check_ports(settings)
        self.auth = Authenticator(keys)
        self.operators = operator_gate(
            (k.get_secret_value() for k in settings.operator_keys),
            settings.operator_keys_file,
            self.auth,
        )
        self.limiter = RateLimiter(settings.rate_limit_rps, settings.rate_limit_burst)
        self.metrics = Metrics()
        # The face store opens here (or is retried later): a failure leaves
        # FaceStore NOT_SERVING and every other service serving.
        self.core = build_core(settings, metrics=self.metrics)
        self._health_task: asyncio.Task[None] | None = None
        self.jobs = (
            FaceScoringConsumer(self.core, settings, self.metrics)
            if settings.queue_redis_url
            else None
        )
        try:
            self.grpc: GrpcServer = build_grpc_server(
                self.core,
                f"{settings.host}:{settings.grpc_port}",
                settings.max_message_bytes,
                interceptors=[
                    ServerInterceptor(self.auth, self.limiter, self.metrics, self.operators)
                ],
                credentials=credentials,
                limits=ConnectionLimits(
                    max_age_s=settings.grpc_max_connection_age_s,
                    drain_s=settings.shutdown_grace_s,
                    handshake_timeout_s=settings.grpc_handshake_timeout_s,
                    max_connections=settings.grpc_max_connections,
                ),
            )
        except (RuntimeError, OSError) as e:  # grpc's "Failed to bind": taken since check_ports
            self.core.close()
            port = settings.grpc_port
            raise CannotListen(
                f"cannot listen on port {port} ({_names('grpc_port')}): {e}"
            ) from None
        self.metrics_port: int | None = None
        self.rest_port: int | None = None
        self._rest: _EmbeddedUvicorn | None = None
        self._rest_task: asyncio.Task[None] | None = None
        self._trim_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.grpc.server.start()
        await self.grpc.publish_health(self.core.serving())
        self.core.start()
        self._health_task = asyncio.create_task(self._publish_health())
        if self.jobs is not None:
            await self.jobs.start()
        if self.settings.heap_trim_interval_s > 0:
            admission, calls = self.core.admission, self.metrics
            # Calls over either door, and queued jobs (which use no door).
            trimmer = IdleHeapTrimmer(
                lambda: calls.calls_active + admission.in_flight,
                lambda: calls.calls_started + admission.admitted,
                self.settings.heap_trim_interval_s,
            )
            self._trim_task = asyncio.create_task(trimmer.run())
        host = self.settings.host
        if self.settings.metrics_enabled:
            port = self.settings.metrics_port
            try:
                http_server, _ = start_http_server(port, host, registry=self.metrics.registry)
            except OSError as e:
                raise _cannot_listen(host, port, "metrics_port", e) from None
            self.metrics_port = int(http_server.server_port)
        if self.settings.rest_enabled:
            from aurum_ml.rest.app import build_rest_app

            try:
                sock = _bind(host, self.settings.rest_port)
            except OSError as e:
                raise _cannot_listen(host, self.settings.rest_port, "rest_port", e) from None
            self.rest_port = sock.getsockname()[1]
            tls = self.settings
            config = uvicorn.Config(
                build_rest_app(
                    self.core,
                    self.settings,
                    auth=self.auth,
                    limiter=self.limiter,
                    metrics=self.metrics,
                    operators=self.operators,
                ),
                ssl_certfile=tls.tls_cert_file,
                ssl_keyfile=tls.tls_key_file,
                ssl_ca_certs=tls.tls_client_ca_file,
                ssl_cert_reqs=2 if tls.tls_client_ca_file else 0,  # ssl.CERT_REQUIRED / NONE
                log_config=None,
                access_log=False,
                lifespan="off",
                timeout_graceful_shutdown=int(self.settings.shutdown_grace_s),
                http=with_read_timeout(self.settings.rest_read_timeout_s),
                limit_concurrency=self.settings.rest_max_connections,
            )
            self._rest = _EmbeddedUvicorn(config)
            self._rest_task = asyncio.create_task(self._rest.serve(sockets=[sock]))
            while not self._rest.started:
                if self._rest_task.done():
                    self._rest_task.result()
                    raise RuntimeError("the REST gateway stopped during start-up")
                await asyncio.sleep(0.01)
        # What start-up built (models, protobuf descriptors, the web app: about
        # a million objects) lives as long as the process. Left in the
        # collector's oldest generation, every full collection walked it all
        # and held the GIL for 100-200 ms, freezing the event loop; a request
        # that allocates many small objects (a big CompareMany) set one off.
        gc.collect()
        gc.freeze()
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
        metrics = f" metrics_port={self.metrics_port}" if self.metrics_port else ""
        print(f"aurum-ml ready grpc_port={self.grpc.port}{rest}{metrics}", flush=True)

    async def _publish_health(self) -> None:
        """Keep gRPC health in step with the core's."""
        async for serving in self.core.watch_health():
            try:
                await self.grpc.publish_health(serving)
            except Exception:
                # One failed update must not end the following: the next
                # change publishes the whole state again.
                log.exception("publishing gRPC health failed")

    async def stop(self) -> None:
        """Health NOT_SERVING, refuse new calls, let calls in flight finish."""
        grace = self.settings.shutdown_grace_s
        log.info("shutting down: draining calls for up to %.0f s", grace)
        self.core.begin_shutdown()
        if self._health_task is not None:
            self._health_task.cancel()
        if self._trim_task is not None:
            self._trim_task.cancel()
        await self.grpc.enter_shutdown()
        if self._rest is not None:
            self._rest.should_exit = True
        rest_done = self._rest_task if self._rest_task is not None else asyncio.sleep(0)
        jobs_done = self.jobs.stop(grace) if self.jobs is not None else asyncio.sleep(0)
        try:
            results = await asyncio.gather(
                self.grpc.server.stop(grace), rest_done, jobs_done, return_exceptions=True
            )
            for failure in (r for r in results if isinstance(r, BaseException)):
                log.error("a door failed to stop cleanly", exc_info=failure)
            for task in (self._health_task, self._trim_task):
                if task is not None:
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
        finally:
            # Whatever happened above: join the workers and release the store's
            # folder (off the loop: it waits for work in flight).
            await asyncio.to_thread(self.core.close)
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
    # Further SIGTERMs must not kill the drain half-way (it is already bounded
    # by the grace period), and the loop's teardown must not restore the
    # default handler before the process exits. A second Ctrl-C still forces.
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.remove_signal_handler(sig)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    await server.stop()
