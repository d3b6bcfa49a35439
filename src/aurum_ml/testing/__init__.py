"""Helpers for code that drives real server processes (aurum-ml, Redis): the tests
and the benchmarks."""

from aurum_ml.testing.redisproc import RedisProcess, free_port, running_redis
from aurum_ml.testing.serverproc import CLI, ROOT, ServerProcess, running_server, start_server

__all__ = [
    "CLI",
    "ROOT",
    "RedisProcess",
    "ServerProcess",
    "free_port",
    "running_redis",
    "running_server",
    "start_server",
]
