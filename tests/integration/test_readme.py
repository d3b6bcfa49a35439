"""The README's examples, run as written against a real server.

Only the host ports differ: the README says localhost:50051 and :8000, the test
server listens on free ports.
"""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from aurum_ml.settings import Settings
from aurum_ml.testing import ROOT, ServerProcess, running_redis, running_server

README = (ROOT / "README.md").read_text()


def _commands(block: str) -> list[str]:
    """Shell commands of a block, with backslash continuations joined."""
    out: list[str] = []
    current = ""
    for line in block.splitlines():
        if not line.strip() and not current:
            continue
        current += line + "\n"
        if not line.endswith("\\"):
            if current.strip():
                out.append(current.strip())
            current = ""
    return out


def _examples() -> list[tuple[str, list[str]]]:
    blocks = re.findall(r"```sh\n(.*?)```", README, flags=re.S)
    found = []
    for i, block in enumerate(blocks):
        if "localhost:50051" in block or "localhost:8000" in block or "client.js" in block:
            cmds = [c for c in _commands(block) if not c.startswith("npm ci")]
            found.append((f"block{i}-{cmds[0].split()[0].rsplit('/', 1)[-1]}", cmds))
    return found


EXAMPLES = _examples()


def test_readme_has_examples_for_every_client():
    text = " ".join(" ".join(c) for _, c in EXAMPLES)
    for needle in (
        "grpcurl",
        "/api/detect-face",
        "/api/extract-embedding",
        "/api/process-image",
        "/api/calculate-similarity",
        "/api/health",
        "/api/status",
        "/api/faces/",
        "client.js",
    ):
        assert needle in text, f"the README has no runnable example for {needle}"


def _run(cmd: str, real: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """``real`` (the README's ``cmd`` pointed at the test's servers) in bash."""
    out = subprocess.run(
        ["bash", "-o", "pipefail", "-c", real],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert out.returncode == 0, f"{cmd}\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}"
    return out


@pytest.mark.parametrize(("name", "commands"), EXAMPLES, ids=[n for n, _ in EXAMPLES])
def test_readme_example_runs(server: ServerProcess, name, commands):
    for cmd in commands:
        real = cmd.replace("localhost:50051", server.grpc_target).replace(
            "localhost:8000", f"127.0.0.1:{server.rest_port}"
        )
        if "client.js" in real and "--target" not in real:
            real = real.replace("client.js", f"client.js --target {server.grpc_target}", 1)
        out = _run(cmd, real, timeout=60)
        if " > " not in cmd:
            assert out.stdout.strip(), f"no output from: {cmd}"
        assert '"success": false' not in out.stdout and '"success":false' not in out.stdout, (
            f"{cmd}\n{out.stdout[-2000:]}"
        )


def test_every_setting_is_documented():
    missing = [
        f"AURUM_{name.upper()}"
        for name in Settings.model_fields
        if f"`AURUM_{name.upper()}`" not in README
    ]
    assert not missing, f"settings missing from the README: {missing}"


def _readme_default(value: object) -> str:
    """How the README's settings table writes a default."""
    if value is None:
        return "(unset)"
    if isinstance(value, list):
        return ",".join(str(v) for v in value) if value else "(empty)"
    if value == "":
        return "(empty)"
    return str(value)


def test_documented_defaults_are_the_real_ones():
    wrong = []
    for name, field in Settings.model_fields.items():
        m = re.search(rf"\| `AURUM_{name.upper()}` \| `([^`]*)` \|", README)
        if m and m.group(1) != _readme_default(field.default):
            wrong.append(f"AURUM_{name.upper()}: README {m.group(1)!r}, code {field.default!r}")
    assert not wrong, "README settings table out of date: " + "; ".join(wrong)


def test_readme_queue_example_runs():
    """The job-queue example, against a real Redis and a server consuming it."""
    blocks = [b for b in re.findall(r"```sh\n(.*?)```", README, flags=re.S) if "score-jobs.js" in b]
    assert blocks, "the README has no runnable job-queue example"
    with running_redis() as redis, running_server({"AURUM_QUEUE_REDIS_URL": redis.url}):
        for cmd in _commands(blocks[0]):
            out = _run(cmd, cmd.replace("redis://localhost:6379", redis.url), timeout=120)
            lines = [json.loads(line) for line in out.stdout.splitlines()]
            assert lines and all(line["state"] == "completed" for line in lines), lines
            assert all(len(line["result"]["embedding"]) == 512 for line in lines)
