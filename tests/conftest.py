from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from aurum_ml.testing import ROOT, ServerProcess, start_server

PHOTOS = ROOT / "models" / "photos"


@pytest.fixture(scope="session")
def photos() -> Path:
    if not (PHOTOS / "players.jpg").exists():
        pytest.fail("test photos missing: run `make models` (make test does it)")
    return PHOTOS


def _session_server(env: dict[str, str] | None = None) -> Iterator[ServerProcess]:
    srv = start_server(env=env)
    yield srv
    code = srv.stop()
    assert code == 0, f"server exited with {code} on SIGTERM:\n{srv.log()}"


def _channel(server: ServerProcess) -> Iterator[grpc.Channel]:
    with server.channel() as ch:
        yield ch


@pytest.fixture(scope="session")
def server(photos: Path) -> Iterator[ServerProcess]:
    """One real server process for the session, on free ports."""
    yield from _session_server()


@pytest.fixture(scope="session")
def channel(server: ServerProcess) -> Iterator[grpc.Channel]:
    yield from _channel(server)


@pytest.fixture(scope="session")
def permissive_server(photos: Path) -> Iterator[ServerProcess]:
    """One real server running the permissive model set (YuNet, SFace, MTCNN),
    for the session: the tests that must pass on both sets use it beside
    ``server``."""
    yield from _session_server({"AURUM_MODEL_SET": "permissive"})


@pytest.fixture(scope="session")
def permissive_channel(permissive_server: ServerProcess) -> Iterator[grpc.Channel]:
    yield from _channel(permissive_server)
