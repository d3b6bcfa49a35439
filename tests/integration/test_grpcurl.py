"""The real grpcurl binary (installed by `make install`) against the server."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

GRPCURL = Path(sys.executable).with_name("grpcurl")


def _grpcurl(*args: str, stdin: str | None = None) -> str:
    exe = str(GRPCURL) if GRPCURL.exists() else shutil.which("grpcurl")
    if exe is None:
        pytest.fail("grpcurl is not installed: run `make install`")
    out = subprocess.run([exe, *args], input=stdin, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_list_services(server):
    services = set(_grpcurl("-plaintext", server.grpc_target, "list").split())
    assert {
        "aurum.ml.v1.FaceDetection",
        "aurum.ml.v1.FaceEmbedding",
        "aurum.ml.v1.ImageProcessing",
        "aurum.ml.v1.Similarity",
        "aurum.ml.v1.ModelManagement",
        "grpc.health.v1.Health",
        "grpc.reflection.v1alpha.ServerReflection",
    } <= services


def test_describe(server):
    out = _grpcurl("-plaintext", server.grpc_target, "describe", "aurum.ml.v1.FaceDetection")
    assert "rpc Detect" in out


def test_detect_call(server, photos):
    payload = json.dumps(
        {"image": {"data": base64.b64encode((photos / "yaoming.jpg").read_bytes()).decode()}}
    )
    out = _grpcurl(
        "-plaintext",
        "-d",
        "@",
        server.grpc_target,
        "aurum.ml.v1.FaceDetection/Detect",
        stdin=payload,
    )
    resp = json.loads(out)
    assert len(resp["faces"]) == 1
    assert resp["image_width"] == 233
