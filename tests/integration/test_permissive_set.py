"""The permissive model set (YuNet, SFace, MTCNN) on a real server: it agrees with
OpenCV's own implementation of the same models, identifies through the face
store, and answers clearly for what it does not have.

The detection and embedding tests both sets pass are in test_detect_embed.py;
this module shares their server (``permissive_server``, tests/conftest.py).

OpenCV ships these models' reference implementation (cv2.FaceDetectorYN,
cv2.FaceRecognizerSF). The server must agree with it on the bundled photos:
landmarks within 1 px, embeddings at cosine >= 0.999. OpenCV runs each model file
as published where it can load it (YuNet), else as installed (OpenCV 5 refuses the
published SFace, as ONNX Runtime does: it asks for the 29 graph inputs no node
reads, which the set-up drops).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import cv2
import grpc
import httpx
import numpy as np
import pytest

from aurum.ml.v1 import (
    common_pb2,
    detection_pb2,
    detection_pb2_grpc,
    embedding_pb2,
    embedding_pb2_grpc,
    face_store_pb2,
    face_store_pb2_grpc,
)
from aurum_ml.align import align_face
from aurum_ml.manifest import ModelSet, load_manifest
from aurum_ml.modelfetch import published_model
from aurum_ml.models import YunetDetector
from aurum_ml.runtime.session_pool import SessionPool
from aurum_ml.testing import ROOT, ServerProcess
from aurum_ml.types import Landmarks

MANIFEST = load_manifest(ROOT / "models" / "manifest.json")
PHOTOS = ("players.jpg", "yaoming.jpg", "gdp.jpg")
YAO_BOX = (719, 143)  # top-left of Yao Ming's face box in players.jpg


@pytest.fixture(scope="module")
def permissive() -> ModelSet:
    return MANIFEST.model_set("permissive")


def _image(data: bytes) -> common_pb2.Image:
    return common_pb2.Image(data=data)


def _points(face: common_pb2.Face) -> np.ndarray:
    lm = face.landmarks
    pts = (lm.left_eye, lm.right_eye, lm.nose, lm.left_mouth, lm.right_mouth)
    return np.array([[p.x, p.y] for p in pts], dtype=np.float64)


# -- what the set does not have ------------------------------------------------------------


def test_a_detector_the_set_lacks_is_a_failed_precondition(
    permissive_channel: grpc.Channel, permissive_server: ServerProcess, photos: Path
) -> None:
    data = (photos / "yaoming.jpg").read_bytes()
    stub = detection_pb2_grpc.FaceDetectionStub(permissive_channel)
    with pytest.raises(grpc.RpcError) as e:
        stub.Detect(
            detection_pb2.DetectRequest(image=_image(data), detector=common_pb2.DETECTOR_SCRFD)
        )
    assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert e.value.details() == (
        "the scrfd face detector is not in the model set 'permissive' this server runs; "
        "its detectors: yunet, mtcnn"
    )
    body = {"image": base64.b64encode(data).decode(), "detector": "scrfd"}
    resp = httpx.post(f"{permissive_server.rest_url}/api/detect-face", json=body, timeout=30)
    assert resp.status_code == 409
    assert resp.json() == {"success": False, "message": e.value.details()}
    # The set's own detectors answer; MTCNN is in both sets.
    for detector in (common_pb2.DETECTOR_UNSPECIFIED, common_pb2.DETECTOR_MTCNN):
        faces = stub.Detect(detection_pb2.DetectRequest(image=_image(data), detector=detector))
        assert len(faces.faces) == 1
    default = stub.Detect(detection_pb2.DetectRequest(image=_image(data)))
    assert default.model.name == "face_detection_yunet_2023mar"


def test_106_landmarks_are_a_failed_precondition(
    permissive_channel: grpc.Channel, photos: Path
) -> None:
    stub = detection_pb2_grpc.FaceDetectionStub(permissive_channel)
    request = detection_pb2.DetectRequest(
        image=_image((photos / "yaoming.jpg").read_bytes()), landmarks_106=True
    )
    with pytest.raises(grpc.RpcError) as e:
        stub.Detect(request)
    assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "106-point landmark model is not in the model set 'permissive'" in e.value.details()


def test_status_lists_the_sets_models(permissive_server: ServerProcess) -> None:
    body = httpx.get(f"{permissive_server.rest_url}/api/status", timeout=10).json()
    names = {m["role"]: m["name"] for m in body["models"]}
    assert names["detector"] == "face_detection_yunet_2023mar"
    assert names["embedder"] == "face_recognition_sface_2021dec_int8bq"
    assert "landmarks106" not in names
    health = httpx.get(f"{permissive_server.rest_url}/api/health", timeout=10)
    assert health.status_code == 200


# -- agreement with OpenCV ----------------------------------------------------------------


@pytest.fixture(scope="module")
def published(permissive: ModelSet, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    dest = tmp_path_factory.mktemp("published")
    return {
        r: published_model(MANIFEST, permissive.models[r], dest) for r in ("detector", "embedder")
    }


@pytest.fixture(scope="module")
def letterbox(permissive: ModelSet) -> YunetDetector:
    """The server's own letterbox (default input size and trimmed padding), to give
    OpenCV the very pixels the server's YuNet sees."""
    spec = permissive.models["detector"]
    return YunetDetector(SessionPool(permissive.model_path("detector")), spec, padding="trim")


def _opencv_faces(model: Path, letterbox: YunetDetector, image: np.ndarray) -> np.ndarray:
    """cv2.FaceDetectorYN's faces (x, y, w, h, five landmarks, score) in the
    original image's pixels, on the server's letterbox at the server's defaults."""
    canvas, scale = letterbox.canvas(image)
    detector = cv2.FaceDetectorYN.create(
        str(model), "", (canvas.shape[1], canvas.shape[0]), 0.5, 0.3, 5000
    )
    _, faces = detector.detect(canvas)
    faces = np.zeros((0, 15), np.float32) if faces is None else faces
    faces[:, :14] /= scale
    return faces


@pytest.mark.parametrize("photo", PHOTOS)
def test_yunet_agrees_with_opencv(
    permissive_channel: grpc.Channel,
    published: dict[str, Path],
    letterbox: YunetDetector,
    photos: Path,
    photo: str,
) -> None:
    data = (photos / photo).read_bytes()
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    want = _opencv_faces(published["detector"], letterbox, image)
    got = detection_pb2_grpc.FaceDetectionStub(permissive_channel).Detect(
        detection_pb2.DetectRequest(image=_image(data), max_faces=1000)
    )
    assert len(got.faces) == len(want) > 0
    h, w = image.shape[:2]
    for face, ref in zip(got.faces, want, strict=True):
        # Same order (confidence), same points; boxes the same where the server
        # did not clip them to the image.
        assert np.abs(_points(face) - ref[4:14].reshape(5, 2)).max() <= 1.0
        assert face.confidence == pytest.approx(float(ref[14]), abs=1e-3)
        x, y, bw, bh = (float(v) for v in ref[:4])
        if x >= 0 and y >= 0 and x + bw <= w and y + bh <= h:
            box = (face.bbox.x, face.bbox.y, face.bbox.width, face.bbox.height)
            assert np.abs(np.array(box) - ref[:4]).max() <= 1.0


def _opencv_recognizer(published: Path, installed: Path) -> cv2.FaceRecognizerSF:
    for model in (published, installed):
        try:
            recognizer = cv2.FaceRecognizerSF.create(str(model), "")
            recognizer.feature(np.zeros((112, 112, 3), np.uint8))
            return recognizer
        except cv2.error:
            continue
    pytest.fail("OpenCV loads neither the published nor the installed SFace")


@pytest.mark.parametrize("photo", PHOTOS)
def test_sface_agrees_with_opencv(
    permissive_channel: grpc.Channel,
    permissive: ModelSet,
    published: dict[str, Path],
    letterbox: YunetDetector,
    photos: Path,
    photo: str,
) -> None:
    """Embed's vector against OpenCV's whole pipeline on the same face: its
    detector's landmarks, its alignCrop, its feature."""
    data = (photos / photo).read_bytes()
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    got = embedding_pb2_grpc.FaceEmbeddingStub(permissive_channel).Embed(
        embedding_pb2.EmbedRequest(image=_image(data))
    )
    assert got.model.name == permissive.models["embedder"].name
    faces = _opencv_faces(published["detector"], letterbox, image)
    centre = np.array(
        [got.face.bbox.x + got.face.bbox.width / 2, got.face.bbox.y + got.face.bbox.height / 2]
    )
    ref = faces[np.argmin(np.linalg.norm(faces[:, :2] + faces[:, 2:4] / 2 - centre, axis=1))]
    recognizer = _opencv_recognizer(published["embedder"], permissive.model_path("embedder"))
    want = recognizer.feature(recognizer.alignCrop(image, ref)).reshape(-1)
    vec = np.array(got.embedding, dtype=np.float64)
    cosine = float(vec @ want / (np.linalg.norm(vec) * np.linalg.norm(want)))
    assert cosine >= 0.999


# -- identification through the face store -----------------------------------------------


@pytest.fixture(scope="module")
def store(permissive_channel: grpc.Channel) -> Iterator[face_store_pb2_grpc.FaceStoreStub]:
    stub = face_store_pb2_grpc.FaceStoreStub(permissive_channel)
    yield stub
    stub.DeleteGallery(face_store_pb2.DeleteGalleryRequest(name="permissive-people"))


def test_identify_finds_yao_ming(
    store: face_store_pb2_grpc.FaceStoreStub,
    permissive_channel: grpc.Channel,
    permissive: ModelSet,
    photos: Path,
) -> None:
    """Yao Ming enrolled from yaoming.jpg and every other person in front of
    players.jpg as an aligned crop; his face cut out of players.jpg finds him."""
    gallery = "permissive-people"
    store.Enroll(
        face_store_pb2.EnrollRequest(
            gallery=gallery, subject_id="yao", image=_image((photos / "yaoming.jpg").read_bytes())
        )
    )
    players = cv2.imread(str(photos / "players.jpg"), cv2.IMREAD_COLOR)
    faces = (
        detection_pb2_grpc.FaceDetectionStub(permissive_channel)
        .Detect(detection_pb2.DetectRequest(image=_image((photos / "players.jpg").read_bytes())))
        .faces
    )

    def is_yao(f: common_pb2.Face) -> bool:
        return abs(f.bbox.x - YAO_BOX[0]) < 12 and abs(f.bbox.y - YAO_BOX[1]) < 12

    others = [f for f in faces if f.bbox.height >= 38.5 and not is_yao(f)]
    assert len(others) == 15
    for i, f in enumerate(others):
        crop = align_face(players, Landmarks.from_array(_points(f)))
        ok, png = cv2.imencode(".png", crop)
        assert ok
        store.Enroll(
            face_store_pb2.EnrollRequest(
                gallery=gallery,
                subject_id=f"player-{i:02d}",
                image=_image(png.tobytes()),
                aligned=True,
            )
        )
    (yao,) = [f for f in faces if is_yao(f)]
    b = yao.bbox
    x0, y0 = int(b.x - 0.6 * b.width), int(b.y - 0.6 * b.height)
    x1, y1 = int(b.x + 1.6 * b.width), int(b.y + 1.6 * b.height)
    ok, query = cv2.imencode(".jpg", players[y0:y1, x0:x1], [cv2.IMWRITE_JPEG_QUALITY, 95])
    assert ok
    resp = store.Identify(
        face_store_pb2.IdentifyRequest(gallery=gallery, image=_image(query.tobytes()), top_k=5)
    )
    embedder = permissive.models["embedder"]
    assert resp.threshold == pytest.approx(embedder.match_threshold)
    assert resp.matches[0].subject_id == "yao" and resp.matches[0].is_match
    assert not any(m.is_match for m in resp.matches[1:])
    assert resp.model.name == embedder.name
    info = store.GetGallery(face_store_pb2.GetGalleryRequest(name=gallery))
    assert (info.model.name, info.model.version, info.dim) == (embedder.name, embedder.version, 128)
