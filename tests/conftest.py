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


@pytest.fixture(scope="session")
def server(photos: Path) -> Iterator[ServerProcess]:
    """One real server process for the session, on free ports."""
    srv = start_server()
    yield srv
    code = srv.stop()
    assert code == 0, f"server exited with {code} on SIGTERM:\n{srv.log()}"


@pytest.fixture(scope="session")
def channel(server: ServerProcess) -> Iterator[grpc.Channel]:
    with server.channel() as ch:
        yield ch
