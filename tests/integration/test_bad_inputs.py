"""Bad images get INVALID_ARGUMENT with a message, and the server keeps serving."""

from __future__ import annotations

import struct
import zlib

import cv2
import grpc
import numpy as np
import pytest

from aurum.ml.v1 import (
    common_pb2,
    detection_pb2,
    detection_pb2_grpc,
    embedding_pb2,
    embedding_pb2_grpc,
)


def _png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _bad_images(photos) -> dict[str, bytes]:
    jpeg = (photos / "yaoming.jpg").read_bytes()
    return {
        "empty": b"",
        "random": np.random.default_rng(3).integers(0, 256, 4096, dtype=np.uint8).tobytes(),
        "truncated-jpeg": jpeg[: len(jpeg) // 2],
        "text": b"name,age\nalice,30\n",
        "png-claims-40000x40000": _png_claiming(40000, 40000),
    }


@pytest.mark.parametrize(
    "case", ["empty", "random", "truncated-jpeg", "text", "png-claims-40000x40000"]
)
def test_bad_image_is_invalid_argument(channel, photos, case):
    stub = detection_pb2_grpc.FaceDetectionStub(channel)
    data = _bad_images(photos)[case]
    with pytest.raises(grpc.RpcError) as e:
        stub.Detect(detection_pb2.DetectRequest(image=common_pb2.Image(data=data)))
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert len(e.value.details()) > 10
    assert "Traceback" not in e.value.details()
    ok = stub.Detect(
        detection_pb2.DetectRequest(
            image=common_pb2.Image(data=(photos / "yaoming.jpg").read_bytes())
        )
    )
    assert len(ok.faces) == 1


def test_missing_image_is_invalid_argument(channel):
    stub = detection_pb2_grpc.FaceDetectionStub(channel)
    with pytest.raises(grpc.RpcError) as e:
        stub.Detect(detection_pb2.DetectRequest())
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_url_refused_by_default(channel):
    stub = detection_pb2_grpc.FaceDetectionStub(channel)
    with pytest.raises(grpc.RpcError) as e:
        stub.Detect(
            detection_pb2.DetectRequest(image=common_pb2.Image(url="http://127.0.0.1/x.jpg"))
        )
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "url" in e.value.details().lower()


def test_embed_without_face_is_not_found(channel):
    stub = embedding_pb2_grpc.FaceEmbeddingStub(channel)
    blank = cv2.imencode(".png", np.full((200, 200, 3), 127, np.uint8))[1].tobytes()
    with pytest.raises(grpc.RpcError) as e:
        stub.Embed(embedding_pb2.EmbedRequest(image=common_pb2.Image(data=blank)))
    assert e.value.code() == grpc.StatusCode.NOT_FOUND
    assert "no face" in e.value.details()


@pytest.mark.parametrize(
    "req",
    [
        detection_pb2.DetectRequest(min_confidence=1.5),
        detection_pb2.DetectRequest(max_faces=-1),
    ],
    ids=["min_confidence", "max_faces"],
)
def test_bad_detect_arguments(channel, photos, req):
    req.image.data = (photos / "yaoming.jpg").read_bytes()
    with pytest.raises(grpc.RpcError) as e:
        detection_pb2_grpc.FaceDetectionStub(channel).Detect(req)
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
