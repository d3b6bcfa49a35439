"""gRPC and REST are two doors to one core: the same image gives the same answer
through either, to float32 precision (gRPC carries float32, JSON the core's doubles)."""

from __future__ import annotations

import base64

import httpx
import numpy as np
import pytest

from aurum.ml.v1 import (
    common_pb2,
    detection_pb2,
    detection_pb2_grpc,
    embedding_pb2,
    embedding_pb2_grpc,
)

PHOTOS = ["yaoming.jpg", "players.jpg"]
LANDMARKS = ("left_eye", "right_eye", "nose", "left_mouth", "right_mouth")
REL = 1e-6


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server.rest_url, timeout=60) as client:
        yield client


def _f32(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).astype(np.float32)


def _grpc_face(face: common_pb2.Face) -> list[float]:
    lm = face.landmarks
    points = [lm.left_eye, lm.right_eye, lm.nose, lm.left_mouth, lm.right_mouth]
    b = face.bbox
    return [b.x, b.y, b.width, b.height, *(c for p in points for c in (p.x, p.y)), face.confidence]


def _rest_face(face: dict) -> list[float]:
    b = face["bbox"]
    points = [c for k in LANDMARKS for c in face["landmarks"][k]]
    return [b["x"], b["y"], b["width"], b["height"], *points, face["confidence"]]


@pytest.mark.parametrize("name", PHOTOS)
def test_detect_is_the_same_over_both(channel, http, photos, name):
    data = (photos / name).read_bytes()
    grpc_resp = detection_pb2_grpc.FaceDetectionStub(channel).Detect(
        detection_pb2.DetectRequest(image=common_pb2.Image(data=data))
    )
    rest = http.post("/api/detect-face", json={"image": base64.b64encode(data).decode()})
    assert rest.status_code == 200, rest.text
    body = rest.json()
    assert (body["image_width"], body["image_height"]) == (
        grpc_resp.image_width,
        grpc_resp.image_height,
    )
    assert len(body["faces"]) == len(grpc_resp.faces) >= 1
    for via_rest, via_grpc in zip(body["faces"], grpc_resp.faces, strict=True):
        np.testing.assert_allclose(
            _f32(_rest_face(via_rest)), _f32(_grpc_face(via_grpc)), rtol=REL, atol=0
        )
    assert body["model"] == {
        "name": grpc_resp.model.name,
        "version": grpc_resp.model.version,
        "execution_provider": grpc_resp.model.execution_provider,
    }


@pytest.mark.parametrize("name", PHOTOS)
def test_embed_is_the_same_over_both(channel, http, photos, name):
    data = (photos / name).read_bytes()
    grpc_resp = embedding_pb2_grpc.FaceEmbeddingStub(channel).Embed(
        embedding_pb2.EmbedRequest(image=common_pb2.Image(data=data))
    )
    rest = http.post("/api/extract-embedding", json={"image": base64.b64encode(data).decode()})
    assert rest.status_code == 200, rest.text
    body = rest.json()
    via_rest = _f32(body["embedding"]["embedding"])
    via_grpc = _f32(grpc_resp.embedding)
    assert via_rest.shape == via_grpc.shape == (512,)
    np.testing.assert_allclose(via_rest, via_grpc, rtol=REL, atol=1e-9)
    scalars_rest = [body["embedding"]["quality"], body["embedding"]["confidence"]]
    np.testing.assert_allclose(
        _f32(scalars_rest), _f32([grpc_resp.quality, grpc_resp.confidence]), rtol=REL
    )
    np.testing.assert_allclose(
        _f32(_rest_face(body["face"])), _f32(_grpc_face(grpc_resp.face)), rtol=REL, atol=0
    )
