"""FaceStore end to end: real server processes with the embedded (on-disk) store.

Every server here gets its own data directory under tmp_path, so nothing is
left in the repository (the session ``server`` fixture is not used).
"""

from __future__ import annotations

import base64
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import grpc
import httpx
import numpy as np
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from aurum.ml.v1 import (
    common_pb2,
    detection_pb2,
    detection_pb2_grpc,
    face_store_pb2,
    face_store_pb2_grpc,
)
from aurum_ml.align import align_face
from aurum_ml.manifest import load_manifest
from aurum_ml.store import FaceEmbedding, FaceStore, StoreConfig
from aurum_ml.testing import CLI, ROOT, ServerProcess, running_server, start_server
from aurum_ml.types import Landmarks

FACE_STORE = "aurum.ml.v1.FaceStore"
GALLERY = "people"
YAO = "yao-ming"
YAO_BOX = (719, 143, 44, 50)  # Yao Ming (number 13) in players.jpg: x, y, w, h
SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING
EMBEDDER = load_manifest(ROOT / "models" / "manifest.json").models["embedder"]


# -- helpers -----------------------------------------------------------------------


def _jpeg(image: np.ndarray, quality: int = 95) -> bytes:
    ok, enc = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return enc.tobytes()


def _png(image: np.ndarray) -> bytes:
    ok, enc = cv2.imencode(".png", image)
    assert ok
    return enc.tobytes()


def _image(data: bytes) -> common_pb2.Image:
    return common_pb2.Image(data=data)


def _crop(image: np.ndarray, box: tuple[float, float, float, float], margin: float) -> np.ndarray:
    x, y, w, h = box
    h_img, w_img = image.shape[:2]
    x0, y0 = max(0, int(x - margin * w)), max(0, int(y - margin * h))
    x1, y1 = min(w_img, int(x + w + margin * w)), min(h_img, int(y + h + margin * h))
    return np.ascontiguousarray(image[y0:y1, x0:x1])


def _landmarks(face: common_pb2.Face) -> Landmarks:
    lm = face.landmarks
    pts = [lm.left_eye, lm.right_eye, lm.nose, lm.left_mouth, lm.right_mouth]
    return Landmarks.from_array([[p.x, p.y] for p in pts])


def _is_yao(face: common_pb2.Face) -> bool:
    return abs(face.bbox.x - YAO_BOX[0]) < 12 and abs(face.bbox.y - YAO_BOX[1]) < 12


def _health(channel: grpc.Channel, service: str = FACE_STORE) -> int:
    stub = health_pb2_grpc.HealthStub(channel)
    return stub.Check(health_pb2.HealthCheckRequest(service=service)).status


def _store(channel: grpc.Channel) -> face_store_pb2_grpc.FaceStoreStub:
    return face_store_pb2_grpc.FaceStoreStub(channel)


def _code(call: object) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.RpcError) as e:
        call()  # type: ignore[operator]
    return e.value.code(), e.value.details()


# -- one server for the functional tests ------------------------------------------------


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory, photos: Path) -> Iterator[ServerProcess]:
    data = tmp_path_factory.mktemp("faces-data")
    with running_server(env={"AURUM_DATA_DIR": str(data)}) as server:
        yield server
    assert (data / "qdrant").is_dir(), "the store did not live in AURUM_DATA_DIR"


@pytest.fixture(scope="module")
def ch(srv: ServerProcess) -> Iterator[grpc.Channel]:
    with srv.channel() as channel:
        yield channel


@pytest.fixture(scope="module")
def players(photos: Path) -> np.ndarray:
    img = cv2.imread(str(photos / "players.jpg"), cv2.IMREAD_COLOR)
    assert img is not None
    return np.asarray(img, dtype=np.uint8)


@pytest.fixture(scope="module")
def yao_query(players: np.ndarray) -> bytes:
    """Yao Ming's face (number 13) cut out of players.jpg with a generous margin."""
    return _jpeg(_crop(players, YAO_BOX, 0.6))


@pytest.fixture(scope="module")
def enrolled(ch: grpc.Channel, photos: Path, players: np.ndarray) -> dict[str, list[str]]:
    """Yao Ming from yaoming.jpg, and every other foreground face of players.jpg
    (box height >= 40) as its own subject, enrolled as an aligned crop."""
    store = _store(ch)
    ids: dict[str, list[str]] = {}
    yao = store.Enroll(
        face_store_pb2.EnrollRequest(
            gallery=GALLERY,
            subject_id=YAO,
            image=_image((photos / "yaoming.jpg").read_bytes()),
            metadata={"source": "yaoming.jpg"},
        )
    )
    ids[YAO] = list(yao.face_ids)
    found = detection_pb2_grpc.FaceDetectionStub(ch).Detect(
        detection_pb2.DetectRequest(image=_image((photos / "players.jpg").read_bytes()))
    )
    others = [f for f in found.faces if f.bbox.height >= 40 and not _is_yao(f)]
    assert len(others) >= 15
    for i, face in enumerate(others):
        crop = align_face(players, _landmarks(face), 112)
        resp = store.Enroll(
            face_store_pb2.EnrollRequest(
                gallery=GALLERY,
                subject_id=f"player-{i:02d}",
                image=_image(_png(crop)),
                aligned=True,
            )
        )
        ids[f"player-{i:02d}"] = list(resp.face_ids)
    return ids


# -- enroll, identify, verify ---------------------------------------------------------------


def test_health_is_serving_with_the_store_open(ch):
    assert _health(ch) == SERVING


def test_enroll_returns_face_ids_model_and_quality(ch, enrolled):
    assert all(len(v) == 1 for v in enrolled.values())
    assert len({i for v in enrolled.values() for i in v}) == len(enrolled)
    subject = _store(ch).GetSubject(
        face_store_pb2.GetSubjectRequest(gallery=GALLERY, subject_id=YAO)
    )
    assert subject.face_count == 1
    (face,) = subject.faces
    assert face.face_id == enrolled[YAO][0]
    assert face.metadata == {"source": "yaoming.jpg"}
    assert 0.5 < face.quality <= 1.0
    assert len(face.image_sha256) == 64
    gallery = _store(ch).GetGallery(face_store_pb2.GetGalleryRequest(name=GALLERY))
    assert (gallery.model.name, gallery.model.version) == (EMBEDDER.name, EMBEDDER.version)
    assert gallery.subject_count == len(enrolled) and gallery.dim == 512


def test_identify_finds_yao_ming_in_players(ch, enrolled, yao_query):
    resp = _store(ch).Identify(
        face_store_pb2.IdentifyRequest(gallery=GALLERY, image=_image(yao_query), top_k=5)
    )
    assert resp.matches[0].subject_id == YAO
    assert resp.matches[0].is_match
    assert resp.matches[0].face_id == enrolled[YAO][0]
    assert resp.threshold == pytest.approx(0.35)
    assert [m.score for m in resp.matches] == sorted((m.score for m in resp.matches), reverse=True)
    assert not any(m.is_match for m in resp.matches[1:])
    assert resp.model.name == EMBEDDER.name
    assert resp.face.bbox.width > 0 and resp.quality.overall > 0


def test_identify_a_stranger_matches_nobody(ch, enrolled, photos):
    resp = _store(ch).Identify(
        face_store_pb2.IdentifyRequest(
            gallery=GALLERY, image=_image((photos / "gdp.jpg").read_bytes()), top_k=3
        )
    )
    assert len(resp.matches) == 3
    assert all(m.score < resp.threshold and not m.is_match for m in resp.matches)
    # min_score trims the list; threshold only moves the decision.
    trimmed = _store(ch).Identify(
        face_store_pb2.IdentifyRequest(
            gallery=GALLERY,
            image=_image((photos / "gdp.jpg").read_bytes()),
            min_score=0.35,
            threshold=-1.0,
        )
    )
    assert list(trimmed.matches) == [] and trimmed.threshold == -1.0


def test_verify(ch, enrolled, yao_query):
    store = _store(ch)
    same = store.Verify(
        face_store_pb2.VerifyRequest(gallery=GALLERY, subject_id=YAO, image=_image(yao_query))
    )
    assert same.is_match and same.face_id == enrolled[YAO][0]
    other = store.Verify(
        face_store_pb2.VerifyRequest(
            gallery=GALLERY, subject_id="player-00", image=_image(yao_query)
        )
    )
    assert not other.is_match and other.score < same.score
    code, _ = _code(
        lambda: store.Verify(
            face_store_pb2.VerifyRequest(
                gallery=GALLERY, subject_id="nobody", image=_image(yao_query)
            )
        )
    )
    assert code == grpc.StatusCode.NOT_FOUND


def test_list_subjects_pages(ch, enrolled):
    store = _store(ch)
    seen: list[str] = []
    token = ""
    while True:
        page = store.ListSubjects(
            face_store_pb2.ListSubjectsRequest(gallery=GALLERY, page_size=7, page_token=token)
        )
        assert len(page.subjects) <= 7
        seen += [s.subject_id for s in page.subjects]
        assert all(s.face_count == 1 for s in page.subjects)
        token = page.next_page_token
        if not token:
            break
    assert seen == sorted(enrolled)


def test_retried_enroll_stores_one_face(ch, photos):
    store = _store(ch)
    request = face_store_pb2.EnrollRequest(
        gallery="retries", subject_id="once", image=_image((photos / "yaoming.jpg").read_bytes())
    )
    answers = [store.Enroll(request) for _ in range(3)]
    assert len({tuple(a.face_ids) for a in answers}) == 1
    subject = store.GetSubject(
        face_store_pb2.GetSubjectRequest(gallery="retries", subject_id="once")
    )
    assert subject.face_count == 1 and len(subject.faces) == 1
    listed = store.ListSubjects(face_store_pb2.ListSubjectsRequest(gallery="retries"))
    assert [(s.subject_id, s.face_count) for s in listed.subjects] == [("once", 1)]


def test_all_faces_enrolls_every_face_as_one_subject(ch, photos):
    store = _store(ch)
    data = (photos / "gdp.jpg").read_bytes()
    found = detection_pb2_grpc.FaceDetectionStub(ch).Detect(
        detection_pb2.DetectRequest(image=_image(data))
    )
    resp = store.Enroll(
        face_store_pb2.EnrollRequest(
            gallery="group", subject_id="gdp", image=_image(data), all_faces=True
        )
    )
    assert len(resp.face_ids) == len(resp.faces) == len(resp.quality) == len(found.faces) >= 3
    single = store.Enroll(
        face_store_pb2.EnrollRequest(gallery="group", subject_id="gdp", image=_image(data))
    )
    # The prominent face is one of those already stored: no new point.
    assert single.face_ids[0] in resp.face_ids
    subject = store.GetSubject(
        face_store_pb2.GetSubjectRequest(gallery="group", subject_id="gdp", page_size=2)
    )
    assert subject.face_count == len(found.faces) and len(subject.faces) == 2
    assert subject.next_page_token


def test_delete_subject_is_final_and_idempotent(ch, photos):
    store = _store(ch)
    image = _image((photos / "gdp.jpg").read_bytes())
    store.Enroll(face_store_pb2.EnrollRequest(gallery="erase", subject_id="temp", image=image))
    store.Enroll(
        face_store_pb2.EnrollRequest(
            gallery="erase", subject_id="keep", image=_image((photos / "yaoming.jpg").read_bytes())
        )
    )
    before = store.Identify(face_store_pb2.IdentifyRequest(gallery="erase", image=image))
    assert before.matches[0].subject_id == "temp" and before.matches[0].is_match
    first = store.DeleteSubject(
        face_store_pb2.DeleteSubjectRequest(gallery="erase", subject_id="temp")
    )
    assert first.deleted_faces == 1
    after = store.Identify(face_store_pb2.IdentifyRequest(gallery="erase", image=image, top_k=10))
    assert [m.subject_id for m in after.matches] == ["keep"]
    code, _ = _code(
        lambda: store.GetSubject(
            face_store_pb2.GetSubjectRequest(gallery="erase", subject_id="temp")
        )
    )
    assert code == grpc.StatusCode.NOT_FOUND
    again = store.DeleteSubject(
        face_store_pb2.DeleteSubjectRequest(gallery="erase", subject_id="temp")
    )
    assert again.deleted_faces == 0


def test_delete_face_and_gallery(ch, photos):
    store = _store(ch)
    image = _image((photos / "yaoming.jpg").read_bytes())
    (face_id,) = store.Enroll(
        face_store_pb2.EnrollRequest(gallery="scratch", subject_id="s", image=image)
    ).face_ids
    assert store.DeleteFace(face_store_pb2.DeleteFaceRequest(face_id=face_id)).deleted
    assert not store.DeleteFace(
        face_store_pb2.DeleteFaceRequest(gallery="scratch", face_id=face_id)
    ).deleted
    names = [g.name for g in store.ListGalleries(face_store_pb2.ListGalleriesRequest()).galleries]
    assert "scratch" in names
    assert store.DeleteGallery(face_store_pb2.DeleteGalleryRequest(name="scratch")).deleted
    assert not store.DeleteGallery(face_store_pb2.DeleteGalleryRequest(name="scratch")).deleted


def test_bad_requests(ch, photos):
    store = _store(ch)
    image = _image((photos / "yaoming.jpg").read_bytes())
    cases = [
        face_store_pb2.EnrollRequest(gallery="bad name!", subject_id="x", image=image),
        face_store_pb2.EnrollRequest(gallery=GALLERY, subject_id="", image=image),
        face_store_pb2.EnrollRequest(gallery=GALLERY, subject_id="x"),
        face_store_pb2.EnrollRequest(
            gallery=GALLERY, subject_id="x", embedding={"values": [0.1] * 3}
        ),
        face_store_pb2.EnrollRequest(
            gallery=GALLERY, subject_id="x", embedding={"values": [0.0] * 512}
        ),
        face_store_pb2.EnrollRequest(
            gallery=GALLERY, subject_id="x", embedding={"values": [float("nan")] * 512}
        ),
    ]
    for request in cases:
        code, message = _code(lambda r=request: store.Enroll(r))
        assert code == grpc.StatusCode.INVALID_ARGUMENT, message
    code, _ = _code(
        lambda: store.Identify(
            face_store_pb2.IdentifyRequest(gallery="missing", embedding={"values": [1.0] * 512})
        )
    )
    assert code == grpc.StatusCode.NOT_FOUND


def test_rest_and_grpc_agree(srv, ch, enrolled, yao_query):
    query = base64.b64encode(yao_query).decode()
    with httpx.Client(base_url=srv.rest_url, timeout=60) as http:
        rest = http.post(
            f"/api/faces/galleries/{GALLERY}/identify", json={"image": query, "top_k": 3}
        )
        assert rest.status_code == 200, rest.text
        body = rest.json()
        missing = http.get("/api/faces/galleries/missing/subjects")
        assert missing.status_code == 404
        assert missing.json()["success"] is False and "missing" in missing.json()["message"]
        enroll = http.post(
            "/api/faces/galleries/rest/enroll", json={"subject_id": YAO, "image": query}
        )
        assert enroll.status_code == 200, enroll.text
    via_grpc = _store(ch).Identify(
        face_store_pb2.IdentifyRequest(gallery=GALLERY, image=_image(yao_query), top_k=3)
    )
    assert body["success"] is True
    assert [m["subject_id"] for m in body["matches"]] == [m.subject_id for m in via_grpc.matches]
    assert [m["face_id"] for m in body["matches"]] == [m.face_id for m in via_grpc.matches]
    np.testing.assert_allclose(
        np.float32([m["score"] for m in body["matches"]]),
        np.float32([m.score for m in via_grpc.matches]),
        rtol=1e-6,
    )
    assert body["matches"][0]["is_match"] and body["threshold"] == pytest.approx(0.35)
    grpc_enroll = _store(ch).Enroll(
        face_store_pb2.EnrollRequest(gallery="rest", subject_id=YAO, image=_image(yao_query))
    )
    assert list(grpc_enroll.face_ids) == enroll.json()["face_ids"]


# -- durability and model versions (servers of their own) ----------------------------


def test_acknowledged_enroll_survives_sigkill_and_other_models_are_refused(tmp_path, photos):
    env = {"AURUM_DATA_DIR": str(tmp_path)}
    image = _image((photos / "yaoming.jpg").read_bytes())
    first = start_server(env)
    try:
        with first.channel() as channel:
            resp = _store(channel).Enroll(
                face_store_pb2.EnrollRequest(gallery="durable", subject_id=YAO, image=image)
            )
    finally:
        # Right after the acknowledgement: no graceful shutdown, no flush.
        first.stop(signal.SIGKILL)
    assert first.proc.returncode == -signal.SIGKILL

    # While the server is down, a gallery built with another version of the
    # model is written through the store layer.
    rng = np.random.default_rng(7)
    vec = rng.standard_normal(512).astype(np.float32)
    with FaceStore.open(StoreConfig(location=str(tmp_path / "qdrant"))) as store:
        store.enroll(
            "legacy",
            "old-subject",
            [FaceEmbedding(vec / np.linalg.norm(vec), "0" * 64, 0, 0.9, {})],
            EMBEDDER.name,
            "an-older-version",
        )

    with running_server(env) as second, second.channel() as channel:
        store_stub = _store(channel)
        subject = store_stub.GetSubject(
            face_store_pb2.GetSubjectRequest(gallery="durable", subject_id=YAO)
        )
        assert [f.face_id for f in subject.faces] == list(resp.face_ids)
        for call in (
            lambda: store_stub.Identify(
                face_store_pb2.IdentifyRequest(gallery="legacy", image=image)
            ),
            lambda: store_stub.Enroll(
                face_store_pb2.EnrollRequest(gallery="legacy", subject_id="new", image=image)
            ),
            lambda: store_stub.Verify(
                face_store_pb2.VerifyRequest(
                    gallery="legacy", subject_id="old-subject", image=image
                )
            ),
        ):
            code, message = _code(call)
            assert code == grpc.StatusCode.FAILED_PRECONDITION
            assert "an-older-version" in message and "re-enroll" in message.lower()
        # Listing and erasing still work on such a gallery.
        listed = store_stub.ListSubjects(face_store_pb2.ListSubjectsRequest(gallery="legacy"))
        assert [s.subject_id for s in listed.subjects] == ["old-subject"]


# -- store unavailable ---------------------------------------------------------------


_HOLD = """
import sys
from aurum_ml.store import StoreConfig, open_store
store = open_store(StoreConfig(location=sys.argv[1]))
print("holding", flush=True)
sys.stdin.read()
store.close()
"""


def test_locked_store_is_unavailable_and_recovers(tmp_path, photos):
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(tmp_path / "qdrant")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        env = {"AURUM_DATA_DIR": str(tmp_path), "AURUM_STORE_RETRY_S": "0.5"}
        with running_server(env) as srv, srv.channel() as channel:
            assert _health(channel, "") == SERVING
            assert _health(channel) == NOT_SERVING
            assert _health(channel, "aurum.ml.v1.FaceDetection") == SERVING
            image = _image((photos / "yaoming.jpg").read_bytes())
            code, message = _code(
                lambda: _store(channel).Enroll(
                    face_store_pb2.EnrollRequest(gallery="g", subject_id="s", image=image)
                )
            )
            assert code == grpc.StatusCode.UNAVAILABLE
            assert "in use by another process" in message
            detected = detection_pb2_grpc.FaceDetectionStub(channel).Detect(
                detection_pb2.DetectRequest(image=image)
            )
            assert len(detected.faces) == 1
            with httpx.Client(base_url=srv.rest_url, timeout=30) as http:
                rest = http.get("/api/faces/galleries")
                assert rest.status_code == 503 and rest.json()["success"] is False
                # REST health lists the store as down, with why; the legacy four
                # services alone decide the overall status (README), so 200.
                health = http.get("/api/health")
                store = health.json()["services"]["faceStore"]
                assert health.status_code == 200 and health.json()["status"] == "healthy"
                assert store["status"] == "NOT_SERVING"
                assert "in use by another process" in store["reason"]
            # The health command (the Docker health check) checks every service.
            every = subprocess.run(
                [str(CLI), "health", "--target", srv.grpc_target, "--service", "all"],
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert every.returncode != 0, every.stdout
            assert "aurum.ml.v1.FaceStore: NOT_SERVING" in every.stdout + every.stderr

            # The other process lets go: the store reopens by itself.
            assert holder.stdin is not None
            holder.stdin.close()
            holder.wait(10)
            deadline = time.monotonic() + 10
            while _health(channel) != SERVING and time.monotonic() < deadline:
                time.sleep(0.1)
            assert _health(channel) == SERVING
            resp = _store(channel).Enroll(
                face_store_pb2.EnrollRequest(gallery="g", subject_id="s", image=image)
            )
            assert len(resp.face_ids) == 1
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()


def test_missing_detector_fails_image_calls_only(tmp_path, photos):
    """A model that did not load makes image calls UNAVAILABLE; it says nothing
    about the store, which keeps serving embedding calls."""
    models = tmp_path / "models"
    shutil.copytree(ROOT / "models", models)
    (models / "scrfd_500m_bnkps.onnx").unlink()
    env = {"AURUM_DATA_DIR": str(tmp_path / "data"), "AURUM_MODELS_DIR": str(models)}
    with running_server(env) as srv, srv.channel() as channel:
        store = _store(channel)
        image = _image((photos / "yaoming.jpg").read_bytes())
        code, message = _code(
            lambda: store.Enroll(
                face_store_pb2.EnrollRequest(gallery="g", subject_id="s", image=image)
            )
        )
        assert code == grpc.StatusCode.UNAVAILABLE and "scrfd" in message
        assert _health(channel) == SERVING
        vec = np.random.default_rng(3).standard_normal(512).astype(np.float32)
        first = store.Enroll(
            face_store_pb2.EnrollRequest(gallery="g", subject_id="s", embedding={"values": vec})
        )
        again = store.Enroll(
            face_store_pb2.EnrollRequest(gallery="g", subject_id="s", embedding={"values": vec})
        )
        assert list(first.face_ids) == list(again.face_ids) and not first.faces
        found = store.Identify(
            face_store_pb2.IdentifyRequest(gallery="g", embedding={"values": vec})
        )
        assert found.matches[0].subject_id == "s" and found.matches[0].score > 0.99
