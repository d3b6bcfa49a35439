"""Helpers for code that drives a real server process: the tests and the benchmarks."""

from aurum_ml.testing.serverproc import CLI, ROOT, ServerProcess, running_server, start_server

__all__ = ["CLI", "ROOT", "ServerProcess", "running_server", "start_server"]
