"""Health per service, and a server whose detector model is missing."""

from __future__ import annotations

import shutil
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from aurum.ml.v1 import (
    common_pb2,
    detection_pb2,
    detection_pb2_grpc,
    embedding_pb2,
    embedding_pb2_grpc,
    similarity_pb2,
    similarity_pb2_grpc,
)
from aurum_ml.testing import ROOT, running_server

SERVICES = [
    "aurum.ml.v1.FaceDetection",
    "aurum.ml.v1.FaceEmbedding",
    "aurum.ml.v1.ImageProcessing",
    "aurum.ml.v1.Similarity",
    "aurum.ml.v1.ModelManagement",
]
SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


def _status(channel: grpc.Channel, service: str) -> int:
    stub = health_pb2_grpc.HealthStub(channel)
    return stub.Check(health_pb2.HealthCheckRequest(service=service)).status


@pytest.mark.parametrize("service", ["", *SERVICES])
def test_all_serving(channel, service):
    assert _status(channel, service) == SERVING


def test_unknown_service_not_found(channel):
    with pytest.raises(grpc.RpcError) as e:
        _status(channel, "aurum.ml.v1.Nope")
    assert e.value.code() == grpc.StatusCode.NOT_FOUND


def _models_without(tmp_path: Path, model_file: str) -> Path:
    """A copy of the models folder with one model file missing."""
    models = tmp_path / "models"
    shutil.copytree(ROOT / "models", models)
    (models / model_file).unlink()
    return models


def test_missing_detector_degrades_only_what_needs_it(tmp_path: Path, photos):
    models = _models_without(tmp_path, "scrfd_500m_bnkps.onnx")
    with running_server(env={"AURUM_MODELS_DIR": str(models)}) as srv, srv.channel() as ch:
        assert _status(ch, "aurum.ml.v1.FaceDetection") == NOT_SERVING
        assert _status(ch, "aurum.ml.v1.FaceEmbedding") == NOT_SERVING
        assert _status(ch, "aurum.ml.v1.Similarity") == SERVING
        image = common_pb2.Image(data=(photos / "yaoming.jpg").read_bytes())
        for call in (
            lambda: detection_pb2_grpc.FaceDetectionStub(ch).Detect(
                detection_pb2.DetectRequest(image=image)
            ),
            lambda: embedding_pb2_grpc.FaceEmbeddingStub(ch).Embed(
                embedding_pb2.EmbedRequest(image=image)
            ),
        ):
            with pytest.raises(grpc.RpcError) as e:
                call()
            assert e.value.code() == grpc.StatusCode.UNAVAILABLE
            assert "scrfd" in e.value.details() and "make models" in e.value.details()
        resp = similarity_pb2_grpc.SimilarityStub(ch).Compare(
            similarity_pb2.CompareRequest(embedding_a=[1.0, 0.0], embedding_b=[1.0, 0.0])
        )
        assert resp.is_match


def test_missing_landmark_model_fails_only_requests_that_ask_for_it(tmp_path: Path, photos):
    models = _models_without(tmp_path, "2d106det.onnx")
    with running_server(env={"AURUM_MODELS_DIR": str(models)}) as srv, srv.channel() as ch:
        # Plain detection does not need the 106-point model, so it keeps serving.
        assert _status(ch, "aurum.ml.v1.FaceDetection") == SERVING
        stub = detection_pb2_grpc.FaceDetectionStub(ch)
        image = common_pb2.Image(data=(photos / "yaoming.jpg").read_bytes())
        assert len(stub.Detect(detection_pb2.DetectRequest(image=image)).faces) == 1
        with pytest.raises(grpc.RpcError) as e:
            stub.Detect(detection_pb2.DetectRequest(image=image, landmarks_106=True))
        assert e.value.code() == grpc.StatusCode.UNAVAILABLE
        assert "106-point" in e.value.details() and "make models" in e.value.details()
