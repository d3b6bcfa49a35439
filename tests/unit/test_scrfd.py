from __future__ import annotations

import numpy as np
import pytest

from aurum_ml.errors import InvalidImage, InvalidInput
from aurum_ml.models import FaceDetector, ScrfdDetector
from aurum_ml.types import Face

FOREGROUND_MIN_HEIGHT = 40
# Yao Ming (shirt 13) in players.jpg, from the reference pipeline.
YAO_BOX = (719.0, 143.0, 44.0, 49.0)


def _points(face: Face):
    lm = face.landmarks
    return (lm.left_eye, lm.right_eye, lm.nose, lm.left_mouth, lm.right_mouth)


@pytest.fixture(scope="module")
def players_faces(scrfd, players):
    return scrfd.detect(players, min_confidence=0.5)


def test_is_a_face_detector(scrfd):
    assert isinstance(scrfd, FaceDetector)
    assert scrfd.info.name == "scrfd_500m_bnkps"
    assert scrfd.info.execution_provider


def test_players_finds_all_foreground_faces(players_faces):
    foreground = [f for f in players_faces if f.bbox.height >= FOREGROUND_MIN_HEIGHT]
    assert len(foreground) == 16


def test_players_landmarks_inside_boxes(players_faces):
    for face in players_faces:
        assert all(face.bbox.contains(p) for p in _points(face)), face


def test_players_sorted_and_clipped(players, players_faces):
    h, w = players.shape[:2]
    conf = [f.confidence for f in players_faces]
    assert conf == sorted(conf, reverse=True)
    assert all(c >= 0.5 for c in conf)
    for f in players_faces:
        b = f.bbox
        assert b.x >= 0 and b.y >= 0 and b.width > 0 and b.height > 0
        assert b.x + b.width <= w and b.y + b.height <= h


def test_yao_ming_box(players_faces):
    x, y, w, h = YAO_BOX
    near = [f for f in players_faces if abs(f.bbox.x - x) < 5 and abs(f.bbox.y - y) < 5]
    assert len(near) == 1
    b = near[0].bbox
    assert b.width == pytest.approx(w, abs=4)
    assert b.height == pytest.approx(h, abs=4)


def test_yaoming_exactly_one_face(scrfd, yaoming):
    faces = scrfd.detect(yaoming, min_confidence=0.5)
    assert len(faces) == 1
    assert all(faces[0].bbox.contains(p) for p in _points(faces[0]))


def test_max_faces_keeps_most_confident(scrfd, players, players_faces):
    top = scrfd.detect(players, min_confidence=0.5, max_faces=3)
    assert top == players_faces[:3]


def test_min_confidence_filters(scrfd, players, players_faces):
    strict = scrfd.detect(players, min_confidence=0.8)
    assert strict == [f for f in players_faces if f.confidence >= 0.8]


def test_deterministic(scrfd, players, players_faces):
    assert scrfd.detect(players, min_confidence=0.5) == players_faces


def test_preprocess_letterbox(scrfd, players):
    tensor, scale = scrfd.preprocess(players)
    assert tensor.shape == (1, 3, 640, 640)
    assert tensor.dtype == np.float32
    # 1237x800 fits by width: 640 wide, 413 high, black padding below.
    assert scale == pytest.approx(413 / 800)
    assert np.all(tensor[0, :, 413:, :] == np.float32(-127.5 / 128))


def test_preprocess_postprocess_match_detect(scrfd, pools, players, players_faces):
    tensor, scale = scrfd.preprocess(players)
    # A batching runtime stacks several tensors and splits the outputs again.
    outputs = pools["detector"].run(
        {pools["detector"].input_names[0]: np.concatenate([tensor] * 2)}
    )
    faces = scrfd.postprocess(outputs, scale, players.shape, 0.5, 0, batch_index=1)
    assert faces == players_faces


def test_input_size_override(scrfd, players):
    faces = scrfd.detect(players, input_size=(1024, 672))
    foreground = [f for f in faces if f.bbox.height >= FOREGROUND_MIN_HEIGHT]
    assert len(foreground) == 16


def test_postprocess_rejects_mismatched_input_size(scrfd, pools, players):
    tensor, scale = scrfd.preprocess(players)
    outputs = pools["detector"].run({pools["detector"].input_names[0]: tensor})
    with pytest.raises(ValueError, match="input size"):
        scrfd.postprocess(outputs, scale, players.shape, input_size=(320, 320))


@pytest.mark.parametrize("size", [(600, 640), (640, 0), (100, 96)])
def test_input_size_must_be_multiple_of_32(scrfd, players, size):
    with pytest.raises(InvalidInput, match="multiples of 32"):
        scrfd.detect(players, input_size=size)


def test_constructor_validates_input_size(pools, manifest):
    with pytest.raises(InvalidInput):
        ScrfdDetector(pools["detector"], manifest.models["detector"], input_size=(650, 640))


@pytest.mark.parametrize(("conf", "max_faces"), [(-0.1, 0), (1.5, 0), (0.5, -1)])
def test_bad_limits(scrfd, yaoming, conf, max_faces):
    with pytest.raises(InvalidInput):
        scrfd.detect(yaoming, min_confidence=conf, max_faces=max_faces)


@pytest.mark.parametrize(
    "image",
    [
        np.zeros((10, 10), np.uint8),
        np.zeros((10, 10, 3), np.float32),
        np.zeros((0, 5, 3), np.uint8),
    ],
    ids=["gray", "float", "empty"],
)
def test_bad_image(scrfd, image):
    with pytest.raises(InvalidImage):
        scrfd.detect(image)


def test_blank_image_has_no_faces(scrfd):
    assert scrfd.detect(np.full((480, 640, 3), 128, np.uint8)) == []


# -- trimmed letterbox ---------------------------------------------------------------


@pytest.fixture(scope="module")
def scrfd_trim(manifest, pools):
    return ScrfdDetector(pools["detector"], manifest.models["detector"], padding="trim")


@pytest.mark.parametrize(
    ("image", "canvas"),
    # players 1237x800 scales to 640x413, yaoming 233x287 to 519x640: each side
    # rounds up, with the 32-pixel margin, to a multiple of 32, never past 640.
    [("players", (640, 448)), ("yaoming", (576, 640)), ("gdp", (544, 640))],
)
def test_trim_cuts_the_padding(scrfd, scrfd_trim, image, canvas, request):
    img = request.getfixturevalue(image)
    square, square_scale = scrfd.preprocess(img)
    trimmed, scale = scrfd_trim.preprocess(img)
    w, h = canvas
    assert trimmed.shape == (1, 3, h, w)
    assert scale == square_scale
    # The same pixels at the same scale: the trimmed tensor is a corner of the square one.
    np.testing.assert_array_equal(trimmed, square[:, :, :h, :w])


@pytest.mark.parametrize("image", ["players", "yaoming", "gdp"])
def test_trim_finds_the_faces_the_square_finds(scrfd, scrfd_trim, image, request):
    img = request.getfixturevalue(image)
    square = scrfd.detect(img, min_confidence=0.5)
    trimmed = scrfd_trim.detect(img, min_confidence=0.5)
    assert len(trimmed) == len(square) > 0
    for a in square:
        best = max(trimmed, key=lambda b: a.bbox.iou(b.bbox))
        assert a.bbox.iou(best.bbox) > 0.9
        assert best.confidence == pytest.approx(a.confidence, abs=0.05)


def test_trim_postprocess_uses_the_trimmed_size(scrfd_trim, pools, players):
    tensor, scale = scrfd_trim.preprocess(players)
    outputs = pools["detector"].run({pools["detector"].input_names[0]: tensor})
    faces = scrfd_trim.postprocess(outputs, scale, players.shape, 0.5, 0)
    assert faces == scrfd_trim.detect(players, min_confidence=0.5)


def test_padding_must_be_known(manifest, pools):
    with pytest.raises(ValueError, match="padding"):
        ScrfdDetector(pools["detector"], manifest.models["detector"], padding="round")  # type: ignore[arg-type]
