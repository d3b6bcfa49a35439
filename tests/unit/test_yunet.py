"""YuNet (the permissive set's detector) on the real model and photos.

Its agreement with OpenCV's own FaceDetectorYN is checked through the server in
tests/integration/test_permissive_set.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from aurum_ml.models import FaceDetector, YunetDetector
from aurum_ml.models.yunet import _nms
from aurum_ml.types import Face

#: YuNet's boxes are a little shorter than SCRFD's: the smallest of the 16 people
#: in front is 40.3 px tall, the largest crowd face 37.0.
FOREGROUND_MIN_HEIGHT = 38.5
YAO_XY = (719.0, 143.0)  # Yao Ming (shirt 13) in players.jpg


@pytest.fixture(scope="module")
def players_faces(yunet, players):
    return yunet.detect(players, min_confidence=0.5)


def _points(face: Face):
    lm = face.landmarks
    return (lm.left_eye, lm.right_eye, lm.nose, lm.left_mouth, lm.right_mouth)


def test_is_a_face_detector(yunet, permissive):
    assert isinstance(yunet, FaceDetector)
    assert yunet.info.name == permissive.models["detector"].name
    assert yunet.info.execution_provider


def test_players_finds_all_foreground_faces(players_faces):
    foreground = [f for f in players_faces if f.bbox.height >= FOREGROUND_MIN_HEIGHT]
    assert len(foreground) == 16
    assert any(abs(f.bbox.x - YAO_XY[0]) < 6 and abs(f.bbox.y - YAO_XY[1]) < 6 for f in foreground)
    for f in foreground:
        assert all(f.bbox.contains(p) for p in _points(f)), f
        # Five points in the ArcFace template's order: left_eye on the image's left.
        assert f.landmarks.left_eye.x < f.landmarks.right_eye.x
        assert f.landmarks.left_mouth.x < f.landmarks.right_mouth.x


def test_sorted_and_bounded(players_faces, players):
    confs = [f.confidence for f in players_faces]
    assert confs == sorted(confs, reverse=True)
    assert all(0.5 <= c <= 1.0 for c in confs)
    h, w = players.shape[:2]
    assert all(f.bbox.x >= 0 and f.bbox.x + f.bbox.width <= w for f in players_faces)
    assert all(f.bbox.y >= 0 and f.bbox.y + f.bbox.height <= h for f in players_faces)


def test_yaoming_exactly_one_face(yunet, yaoming):
    (face,) = yunet.detect(yaoming)
    assert all(face.bbox.contains(p) for p in _points(face))


def test_max_faces_and_min_confidence(yunet, players, players_faces):
    assert yunet.detect(players, max_faces=3) == players_faces[:3]
    strict = yunet.detect(players, min_confidence=0.8)
    assert strict == [f for f in players_faces if f.confidence >= 0.8]


def test_preprocess_is_raw_bgr(yunet, players):
    tensor, scale = yunet.preprocess(players)
    assert tensor.shape == (1, 3, 640, 640)
    assert scale == pytest.approx(413 / 800)
    canvas, _ = yunet.canvas(players)
    np.testing.assert_array_equal(tensor[0], canvas.transpose(2, 0, 1).astype(np.float32))


def test_a_batch_of_two_decodes_like_each_alone(yunet, permissive, players, players_faces):
    pool = yunet._runner
    tensor, scale = yunet.preprocess(players)
    outputs = pool.run({pool.input_names[0]: np.concatenate([np.zeros_like(tensor), tensor])})
    assert yunet.postprocess(outputs, scale, players.shape, 0.5, 0, batch_index=1) == players_faces
    assert yunet.postprocess(outputs, scale, players.shape, 0.5, 0, batch_index=0) == []


@pytest.mark.parametrize("image", ["players", "yaoming", "gdp"])
def test_trim_finds_the_faces_the_square_finds(yunet, permissive, image, request):
    img = request.getfixturevalue(image)
    spec = permissive.models["detector"]
    trim = YunetDetector(yunet._runner, spec, padding="trim")
    square = yunet.detect(img)
    trimmed = trim.detect(img)
    assert len(trimmed) == len(square) > 0
    for a in square:
        best = max(trimmed, key=lambda b: a.bbox.iou(b.bbox))
        assert a.bbox.iou(best.bbox) > 0.9


def test_postprocess_wants_twelve_outputs(yunet, players):
    with pytest.raises(ValueError, match="12 outputs"):
        yunet.postprocess([np.zeros((1, 6400, 1), np.float32)] * 9, 1.0, players.shape)


def test_nms_on_integer_boxes_as_opencv():
    boxes = np.array(
        [
            [0, 0, 10, 10],  # kept
            [1, 0, 10, 10],  # overlaps the first by 90/110 > 0.3: dropped
            [7, 0, 10, 10],  # 30/170 = 0.18: kept
            [50, 50, 0, 0],  # empty, and apart from the rest: kept
            [50, 50, 0, 0],  # two empty boxes are the same box: dropped
        ],
        dtype=np.int64,
    )
    assert _nms(boxes, 0.3) == [0, 2, 3]
