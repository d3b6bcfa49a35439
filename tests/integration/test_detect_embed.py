"""Detect, Embed and Process over gRPC on the real models and photos."""

from __future__ import annotations

from pathlib import Path

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
    processing_pb2,
    processing_pb2_grpc,
)

YAO_BOX = (719, 143)  # top-left of Yao Ming's face box in players.jpg
#: The channel of the server running each model set (tests/conftest.py).
CHANNELS = {"insightface": "channel", "permissive": "permissive_channel"}


@pytest.fixture(scope="module")
def detect_stub(channel: grpc.Channel) -> detection_pb2_grpc.FaceDetectionStub:
    return detection_pb2_grpc.FaceDetectionStub(channel)


@pytest.fixture(scope="module")
def embed_stub(channel: grpc.Channel) -> embedding_pb2_grpc.FaceEmbeddingStub:
    return embedding_pb2_grpc.FaceEmbeddingStub(channel)


@pytest.fixture(scope="module")
def process_stub(channel: grpc.Channel) -> processing_pb2_grpc.ImageProcessingStub:
    return processing_pb2_grpc.ImageProcessingStub(channel)


def _stubs(
    request: pytest.FixtureRequest, model_set: str
) -> tuple[
    detection_pb2_grpc.FaceDetectionStub,
    embedding_pb2_grpc.FaceEmbeddingStub,
    processing_pb2_grpc.ImageProcessingStub,
]:
    """Stubs on the server running ``model_set``."""
    ch = request.getfixturevalue(CHANNELS[model_set])
    return (
        detection_pb2_grpc.FaceDetectionStub(ch),
        embedding_pb2_grpc.FaceEmbeddingStub(ch),
        processing_pb2_grpc.ImageProcessingStub(ch),
    )


def _image(path: Path) -> common_pb2.Image:
    return common_pb2.Image(data=path.read_bytes())


def _inside(face: common_pb2.Face) -> bool:
    b = face.bbox
    lm = face.landmarks
    pts = [lm.left_eye, lm.right_eye, lm.nose, lm.left_mouth, lm.right_mouth]
    return all(b.x <= p.x <= b.x + b.width and b.y <= p.y <= b.y + b.height for p in pts)


@pytest.mark.parametrize(
    ("model_set", "detector", "min_height"),
    [
        ("insightface", common_pb2.DETECTOR_SCRFD, 40),
        ("insightface", common_pb2.DETECTOR_MTCNN, 40),
        # YuNet's boxes are a little shorter: its smallest of the 16 people in
        # front is 40.3 px tall, its largest crowd face 37.0 (tests/unit/test_yunet.py).
        ("permissive", common_pb2.DETECTOR_YUNET, 38.5),
        ("permissive", common_pb2.DETECTOR_MTCNN, 40),
    ],
    ids=["scrfd", "mtcnn", "yunet", "permissive-mtcnn"],
)
def test_players_foreground_faces(request, photos, model_set, detector, min_height):
    detect_stub = _stubs(request, model_set)[0]
    resp = detect_stub.Detect(
        detection_pb2.DetectRequest(image=_image(photos / "players.jpg"), detector=detector)
    )
    assert (resp.image_width, resp.image_height) == (1237, 800)
    foreground = [f for f in resp.faces if f.bbox.height >= min_height]
    assert len(foreground) == 16, "one face for each person in front"
    # MTCNN's and YuNet's tiny crowd faces may put a landmark a fraction of a
    # pixel outside their box; every foreground face must be fully consistent.
    checked = resp.faces if detector == common_pb2.DETECTOR_SCRFD else foreground
    assert all(_inside(f) for f in checked)
    assert all(0.0 <= f.confidence <= 1.0 for f in resp.faces)
    confs = [f.confidence for f in resp.faces]
    assert confs == sorted(confs, reverse=True)
    assert any(
        abs(f.bbox.x - YAO_BOX[0]) < 12 and abs(f.bbox.y - YAO_BOX[1]) < 12 for f in foreground
    )
    assert resp.model.name


@pytest.mark.parametrize(
    ("model_set", "detector"),
    [
        ("insightface", common_pb2.DETECTOR_SCRFD),
        ("insightface", common_pb2.DETECTOR_MTCNN),
        ("permissive", common_pb2.DETECTOR_YUNET),
    ],
    ids=["scrfd", "mtcnn", "yunet"],
)
def test_yaoming_single_face(request, photos, model_set, detector):
    detect_stub = _stubs(request, model_set)[0]
    resp = detect_stub.Detect(
        detection_pb2.DetectRequest(image=_image(photos / "yaoming.jpg"), detector=detector)
    )
    assert len(resp.faces) == 1
    assert _inside(resp.faces[0])


def test_max_faces_caps_highest_confidence_first(detect_stub, photos):
    full = detect_stub.Detect(detection_pb2.DetectRequest(image=_image(photos / "players.jpg")))
    capped = detect_stub.Detect(
        detection_pb2.DetectRequest(image=_image(photos / "players.jpg"), max_faces=3)
    )
    assert len(capped.faces) == 3
    assert [f.confidence for f in capped.faces] == pytest.approx(
        [f.confidence for f in full.faces[:3]]
    )


def _vec(resp: embedding_pb2.EmbedResponse) -> np.ndarray:
    return np.array(resp.embedding, dtype=np.float32)


@pytest.mark.parametrize(
    ("model_set", "dim", "min_height"),
    [("insightface", 512, 40), ("permissive", 128, 38.5)],
    ids=["arcface", "sface"],
)
def test_embed_identifies_yao_among_players(request, photos, model_set, dim, min_height):
    detect_stub, embed_stub, process_stub = _stubs(request, model_set)
    yao = embed_stub.Embed(embedding_pb2.EmbedRequest(image=_image(photos / "yaoming.jpg")))
    q = _vec(yao)
    assert q.shape == (dim,)
    assert np.linalg.norm(q) == pytest.approx(1.0, abs=1e-4)
    assert 0.0 <= yao.quality <= 1.0 and 0.0 <= yao.confidence <= 1.0
    assert yao.face.bbox.width > 0

    players = _image(photos / "players.jpg")
    faces = detect_stub.Detect(detection_pb2.DetectRequest(image=players)).faces
    foreground = [f for f in faces if f.bbox.height >= min_height]
    scores = []
    for f in foreground:
        aligned = process_stub.Process(
            processing_pb2.ProcessRequest(
                image=players,
                operations=[
                    processing_pb2.Operation(align=processing_pb2.Align(landmarks=f.landmarks))
                ],
                output_format=processing_pb2.IMAGE_FORMAT_PNG,
            )
        )
        assert (aligned.width, aligned.height) == (112, 112)
        emb = embed_stub.Embed(
            embedding_pb2.EmbedRequest(image=common_pb2.Image(data=aligned.image), aligned=True)
        )
        assert not emb.HasField("face")
        scores.append(float(np.dot(q, _vec(emb))))
    best = int(np.argmax(scores))
    bb = foreground[best].bbox
    assert abs(bb.x - YAO_BOX[0]) < 12 and abs(bb.y - YAO_BOX[1]) < 12
    # Clear of each model's match threshold on both sides (0.35 for ArcFace,
    # 0.525 for SFace, whose Yao Ming scores 0.70 and the next player 0.30).
    assert scores[best] >= 0.6
    others = [s for i, s in enumerate(scores) if i != best]
    assert max(others) < 0.35


def test_embedding_deterministic(embed_stub, photos):
    req = embedding_pb2.EmbedRequest(image=_image(photos / "yaoming.jpg"))
    a, b = embed_stub.Embed(req), embed_stub.Embed(req)
    assert list(a.embedding) == list(b.embedding)


def test_embed_batch_matches_single_calls_and_isolates_failures(embed_stub, photos):
    good = embedding_pb2.EmbedRequest(image=_image(photos / "yaoming.jpg"))
    bad = embedding_pb2.EmbedRequest(image=common_pb2.Image(data=b"not an image"))
    resp = embed_stub.EmbedBatch(embedding_pb2.EmbedBatchRequest(requests=[good, bad, good]))
    assert [r.WhichOneof("result") for r in resp.results] == ["response", "error", "response"]
    assert resp.results[1].error.code == "INVALID_ARGUMENT"
    single = _vec(embed_stub.Embed(good))
    np.testing.assert_allclose(np.array(resp.results[0].response.embedding), single, atol=1e-6)


def test_detect_batch(detect_stub, photos):
    reqs = [
        detection_pb2.DetectRequest(image=_image(photos / "yaoming.jpg")),
        detection_pb2.DetectRequest(image=_image(photos / "gdp.jpg")),
    ]
    resp = detect_stub.DetectBatch(detection_pb2.DetectBatchRequest(requests=reqs))
    assert len(resp.results) == 2
    assert len(resp.results[0].response.faces) == 1
    assert len(resp.results[1].response.faces) >= 3


def test_blur_lowers_quality(embed_stub, process_stub, photos):
    data = (photos / "yaoming.jpg").read_bytes()
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    blurred = cv2.GaussianBlur(img, (9, 9), 3)
    ok, enc = cv2.imencode(".png", blurred)
    assert ok
    sharp = embed_stub.Embed(embedding_pb2.EmbedRequest(image=common_pb2.Image(data=data)))
    soft = embed_stub.Embed(embedding_pb2.EmbedRequest(image=common_pb2.Image(data=enc.tobytes())))
    assert soft.quality < sharp.quality
    assert soft.quality_report.sharpness < sharp.quality_report.sharpness

    q = processing_pb2.Operation(quality=processing_pb2.AssessQuality())
    p_sharp = process_stub.Process(
        processing_pb2.ProcessRequest(image=common_pb2.Image(data=data), operations=[q])
    )
    p_soft = process_stub.Process(
        processing_pb2.ProcessRequest(image=common_pb2.Image(data=enc.tobytes()), operations=[q])
    )
    assert p_soft.quality.overall < p_sharp.quality.overall
    assert len(p_sharp.faces) == 1


def test_process_align_detected_face_and_convert(process_stub, photos):
    resp = process_stub.Process(
        processing_pb2.ProcessRequest(
            image=_image(photos / "yaoming.jpg"),
            operations=[
                processing_pb2.Operation(align=processing_pb2.Align()),
                processing_pb2.Operation(normalize=processing_pb2.Normalize()),
                processing_pb2.Operation(
                    convert=processing_pb2.Convert(format=processing_pb2.IMAGE_FORMAT_WEBP)
                ),
            ],
        )
    )
    assert (resp.width, resp.height) == (112, 112)
    assert resp.format == processing_pb2.IMAGE_FORMAT_WEBP
    assert resp.image[:4] == b"RIFF" and resp.image[8:12] == b"WEBP"
    assert list(resp.applied) == ["align", "normalize", "convert"]
    assert len(resp.faces) == 1


def test_process_resize_keeps_aspect(process_stub, photos):
    resp = process_stub.Process(
        processing_pb2.ProcessRequest(
            image=_image(photos / "players.jpg"),
            operations=[processing_pb2.Operation(resize=processing_pb2.Resize(width=400))],
            output_format=processing_pb2.IMAGE_FORMAT_JPEG,
        )
    )
    assert (resp.width, resp.height) == (400, round(800 * 400 / 1237))
    img = cv2.imdecode(np.frombuffer(resp.image, np.uint8), cv2.IMREAD_COLOR)
    assert img.shape[:2] == (resp.height, resp.width)


def test_process_quality_after_align_uses_the_aligned_crop(process_stub, photos):
    ops = [
        processing_pb2.Operation(quality=processing_pb2.AssessQuality()),
        processing_pb2.Operation(align=processing_pb2.Align()),
        processing_pb2.Operation(quality=processing_pb2.AssessQuality()),
    ]
    resp = process_stub.Process(
        processing_pb2.ProcessRequest(image=_image(photos / "yaoming.jpg"), operations=ops)
    )
    assert list(resp.applied) == ["quality", "align", "quality"]
    assert len(resp.faces) == 1, "the face was detected once and reused"
    assert 0.0 < resp.quality.overall <= 1.0
    assert resp.quality.frontality == pytest.approx(1.0, abs=0.05)


def test_process_resize_beyond_pixel_limit_is_invalid(process_stub, photos):
    with pytest.raises(grpc.RpcError) as e:
        process_stub.Process(
            processing_pb2.ProcessRequest(
                image=_image(photos / "yaoming.jpg"),
                operations=[
                    processing_pb2.Operation(
                        resize=processing_pb2.Resize(width=10000, height=10000)
                    )
                ],
            )
        )
    assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "pixel limit" in e.value.details()


def _near(p: common_pb2.Point, points: list[common_pb2.Point], tolerance: float) -> bool:
    return min(float(np.hypot(p.x - q.x, p.y - q.y)) for q in points) <= tolerance


def test_landmarks_106_only_when_asked(detect_stub, photos):
    image = _image(photos / "yaoming.jpg")
    plain = detect_stub.Detect(detection_pb2.DetectRequest(image=image))
    assert len(plain.faces) == 1 and not plain.faces[0].landmarks_106
    dense = detect_stub.Detect(detection_pb2.DetectRequest(image=image, landmarks_106=True))
    assert len(dense.faces[0].landmarks_106) == 106
    # Asking for more points does not change what the detector found.
    assert dense.faces[0].bbox == plain.faces[0].bbox


def test_landmarks_106_follow_each_face(detect_stub, photos):
    resp = detect_stub.Detect(
        detection_pb2.DetectRequest(image=_image(photos / "players.jpg"), landmarks_106=True)
    )
    foreground = [f for f in resp.faces if f.bbox.height >= 40]
    assert len(foreground) == 16
    for face in foreground:
        b, lm = face.bbox, face.landmarks
        points = list(face.landmarks_106)
        assert len(points) == 106
        # The dense points cover the face: all near the box, spread across it.
        margin = 0.25 * b.height
        assert all(
            b.x - margin <= p.x <= b.x + b.width + margin
            and b.y - margin <= p.y <= b.y + b.height + margin
            for p in points
        )
        xs, ys = [p.x for p in points], [p.y for p in points]
        assert max(xs) - min(xs) > 0.6 * b.width and max(ys) - min(ys) > 0.6 * b.height
        # And agree with the detector's own five points: each has a dense point close by.
        for p in (lm.left_eye, lm.right_eye, lm.nose, lm.left_mouth, lm.right_mouth):
            assert _near(p, points, 0.15 * b.height), (face.bbox, p)


def test_landmarks_106_in_batches(detect_stub, photos):
    image = _image(photos / "yaoming.jpg")
    resp = detect_stub.DetectBatch(
        detection_pb2.DetectBatchRequest(
            requests=[
                detection_pb2.DetectRequest(image=image, landmarks_106=True),
                detection_pb2.DetectRequest(image=image),
            ]
        )
    )
    with_points, without = (item.response for item in resp.results)
    assert len(with_points.faces[0].landmarks_106) == 106
    assert not without.faces[0].landmarks_106
