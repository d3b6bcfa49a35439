"""The example Node.js client (clients/node) against a real server: the protos
load as an app developer would load them, and each command gives the same
answers as the Python gRPC stubs."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import numpy as np
import pytest

from aurum.ml.v1 import (
    common_pb2,
    detection_pb2,
    detection_pb2_grpc,
    embedding_pb2,
    embedding_pb2_grpc,
)
from aurum_ml.testing import ROOT, running_server

CLIENT_DIR = ROOT / "clients" / "node"


@pytest.fixture(scope="module")
def node() -> str:
    # A failure, not a skip: CI must run this, and a skip would hide a broken setup.
    exe = shutil.which("node")
    if exe is None:
        pytest.fail("node is not installed: the Node client test needs Node.js 18.3 or newer")
    if not (CLIENT_DIR / "node_modules" / "@grpc" / "grpc-js").is_dir():
        pytest.fail("clients/node/node_modules is missing: run `npm ci --prefix clients/node`")
    return exe


def runner(node: str, target: str):
    def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [node, "client.js", "--target", target, *args],
            cwd=CLIENT_DIR,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "AURUM_API_KEY": ""},
        )
        if ok:
            assert proc.returncode == 0, proc.stderr
        return proc

    return run


@pytest.fixture(scope="module")
def client(node, server):
    return runner(node, server.grpc_target)


def out(proc: subprocess.CompletedProcess[str]) -> dict:
    return json.loads(proc.stdout)


def test_detect_matches_python_stub(client, channel, photos):
    image = photos / "yaoming.jpg"
    got = out(client("detect", str(image)))
    want = detection_pb2_grpc.FaceDetectionStub(channel).Detect(
        detection_pb2.DetectRequest(image=common_pb2.Image(data=image.read_bytes()))
    )
    assert (got["image_width"], got["image_height"]) == (233, 287)
    assert len(got["faces"]) == len(want.faces) == 1
    face, ref = got["faces"][0], want.faces[0]
    assert face["bbox"] == pytest.approx(
        {"x": ref.bbox.x, "y": ref.bbox.y, "width": ref.bbox.width, "height": ref.bbox.height}
    )
    assert face["landmarks"]["nose"] == pytest.approx(
        {"x": ref.landmarks.nose.x, "y": ref.landmarks.nose.y}
    )
    assert face["confidence"] == pytest.approx(ref.confidence)
    assert got["model"]["name"] == want.model.name


def test_detect_options(client, photos):
    got = out(
        client(
            "detect",
            str(photos / "players.jpg"),
            "--detector",
            "mtcnn",
            "--max-faces",
            "2",
            "--min-confidence",
            "0.9",
        )
    )
    assert len(got["faces"]) == 2
    assert all(f["confidence"] >= 0.9 for f in got["faces"])
    assert "mtcnn" in got["model"]["name"]


def test_embed_and_compare(client, photos, tmp_path):
    yao = str(photos / "yaoming.jpg")
    embedded = client("embed", yao)
    vec = np.array(out(embedded)["embedding"])
    assert vec.shape == (512,)
    assert np.linalg.norm(vec) == pytest.approx(1.0, abs=1e-4)
    assert out(embedded)["face"]["confidence"] > 0.5

    saved = tmp_path / "yao.json"
    saved.write_text(embedded.stdout)
    same = out(client("compare", str(saved), yao))
    assert same["score"] == pytest.approx(1.0, abs=1e-5)
    assert same["is_match"] is True
    assert same["metric"] == "cosine"  # as REST and --metric spell it

    other = out(client("compare", yao, str(photos / "gdp.jpg"), "--metric", "euclidean"))
    assert other["metric"] == "euclidean"
    assert other["score"] > 1.0
    assert other["is_match"] is False

    strict = out(client("compare", str(saved), yao, "--threshold", "1.5"))
    assert strict["threshold"] == 1.5
    assert strict["is_match"] is False  # cosine 1.0 is below an impossible 1.5


def test_numbers_print_as_their_float32_not_its_double_widening(client, channel, photos):
    """0.35, not 0.3499999940395355; and each printed number is exactly the
    float32 the server sent, so a saved embedding goes back unchanged."""
    yao = photos / "yaoming.jpg"
    compared = client("compare", str(yao), str(yao))
    assert '"threshold": 0.35,' in compared.stdout
    assert '"metric": "cosine"' in compared.stdout
    embedded = client("embed", str(yao))
    printed = out(embedded)["embedding"]
    want = embedding_pb2_grpc.FaceEmbeddingStub(channel).Embed(
        embedding_pb2.EmbedRequest(image=common_pb2.Image(data=yao.read_bytes()))
    )
    assert np.array_equal(np.array(printed, np.float32), np.array(want.embedding, np.float32))
    # At most 9 significant digits (what a float32 needs), not a double's 17.
    mantissas = re.findall(r"-?(\d+\.\d+)(?:e[-+]?\d+)?", embedded.stdout)
    assert len(mantissas) >= 512
    assert max(len(m.replace(".", "").lstrip("0")) for m in mantissas) <= 9


@pytest.mark.parametrize("service", ["", "aurum.ml.v1.FaceDetection", "aurum.ml.v1.Similarity"])
def test_health(client, service):
    args = ("health", service) if service else ("health",)
    assert out(client(*args)) == {"service": service, "status": "SERVING"}


def test_health_of_unknown_service_exits_1(client):
    proc = client("health", "aurum.ml.v1.Nope", ok=False)
    assert proc.returncode == 1
    assert out(proc)["status"] == "SERVICE_UNKNOWN"


def test_errors_name_the_status(client):
    proc = client("detect", str(CLIENT_DIR / "package.json"), ok=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: INVALID_ARGUMENT: ")
    assert "JPEG, PNG and WebP" in proc.stderr
    usage = client("frobnicate", ok=False)
    assert usage.returncode == 2
    assert "usage:" in usage.stderr


def test_api_key(node, photos):
    key = "node-client-key-0123456789"
    yao = str(photos / "yaoming.jpg")
    with running_server(env={"AURUM_API_KEYS": key}) as srv:
        run = runner(node, srv.grpc_target)
        refused = run("detect", yao, ok=False)
        assert refused.returncode == 1
        assert refused.stderr.startswith("error: UNAUTHENTICATED: ")
        assert len(out(run("--api-key", key, "detect", yao))["faces"]) == 1
        assert out(run("health"))["status"] == "SERVING"  # health needs no key
