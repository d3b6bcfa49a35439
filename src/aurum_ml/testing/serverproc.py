"""Start a real aurum-ml server process on free ports and wait until it is ready.

A library for the tests and the benchmarks alike, so it imports no pytest.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import grpc

#: The repository root when running from a checkout (src/aurum_ml/testing/ is three
#: levels below it): where the models and photos live.
ROOT = Path(__file__).resolve().parents[3]
CLI = Path(sys.executable).with_name("aurum-ml")
_READY = re.compile(r"aurum-ml ready grpc_port=(\d+)(?: rest_port=(\d+))?(?: metrics_port=(\d+))?")


@dataclass
class ServerProcess:
    proc: subprocess.Popen[str]
    grpc_port: int
    rest_port: int | None
    metrics_port: int | None = None
    output: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None
    scratch: Path | None = None

    @property
    def grpc_target(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    @property
    def rest_url(self) -> str:
        return f"http://127.0.0.1:{self.rest_port}"

    def channel(self) -> grpc.Channel:
        return grpc.insecure_channel(self.grpc_target)

    def log(self) -> str:
        return "".join(self.output)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 40.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        if self.reader is not None:
            self.reader.join(5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
        return code


def start_server(
    env: dict[str, str] | None = None, args: list[str] | None = None, timeout: float = 60.0
) -> ServerProcess:
    # Each server gets its own face store unless a test names one: the embedded
    # store locks its folder, and tests must not leave data in the repository.
    named = (env or {}).get("AURUM_DATA_DIR") or os.environ.get("AURUM_DATA_DIR")
    data_dir = named or tempfile.mkdtemp(prefix="aurum-test-data-")
    full_env = {
        "AURUM_DATA_DIR": data_dir,
        **os.environ,
        "AURUM_GRPC_PORT": "0",
        "AURUM_REST_PORT": "0",
        "AURUM_METRICS_PORT": "0",
        "AURUM_HOST": "127.0.0.1",
        "AURUM_MODELS_DIR": str(ROOT / "models"),
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    proc = subprocess.Popen(
        [str(CLI), "serve", *(args or [])],
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    output: list[str] = []
    found: list[re.Match[str]] = []
    ready = threading.Event()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            output.append(line)
            if not found and (m := _READY.search(line)):
                found.append(m)
                ready.set()
        ready.set()

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout

    def fail(why: str) -> RuntimeError:
        proc.kill()
        proc.wait()
        reader.join(5)
        assert proc.stdout is not None
        proc.stdout.close()
        if not named:
            shutil.rmtree(data_dir, ignore_errors=True)
        return RuntimeError(f"{why}:\n" + "".join(output))

    while not ready.wait(0.1):
        if time.monotonic() > deadline:
            raise fail("server did not become ready")
    if not found:
        raise fail("server exited before it was ready")
    m = found[0]
    rest = int(m.group(2)) if m.group(2) else None
    metrics = int(m.group(3)) if m.group(3) else None
    return ServerProcess(
        proc=proc,
        grpc_port=int(m.group(1)),
        rest_port=rest,
        metrics_port=metrics,
        output=output,
        reader=reader,
        scratch=None if named else Path(data_dir),
    )


@contextmanager
def running_server(
    env: dict[str, str] | None = None, args: list[str] | None = None
) -> Iterator[ServerProcess]:
    server = start_server(env, args)
    try:
        yield server
    finally:
        server.stop()
