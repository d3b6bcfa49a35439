from __future__ import annotations

import numpy as np
import pytest

from aurum_ml.align import ARCFACE_TEMPLATE, align_face, estimate_similarity
from aurum_ml.errors import InvalidImage, InvalidInput
from aurum_ml.types import Landmarks

IDENTITY = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])


def _similarity(scale: float, angle_deg: float, tx: float, ty: float) -> np.ndarray:
    a = np.deg2rad(angle_deg)
    c, s = scale * np.cos(a), scale * np.sin(a)
    return np.array([[c, -s, tx], [s, c, ty]])


def _apply(m: np.ndarray, pts: np.ndarray) -> np.ndarray:
    return pts @ m[:, :2].T + m[:, 2]


def test_template_shape_and_dtype():
    assert ARCFACE_TEMPLATE.shape == (5, 2)
    assert ARCFACE_TEMPLATE.dtype == np.float32
    # Left eye is left of the right eye, mouth below the nose below the eyes.
    le, re, nose, lm, rm = ARCFACE_TEMPLATE
    assert le[0] < re[0] and lm[0] < rm[0]
    assert max(le[1], re[1]) < nose[1] < min(lm[1], rm[1])


def test_template_onto_itself_is_identity():
    m = estimate_similarity(ARCFACE_TEMPLATE, ARCFACE_TEMPLATE)
    assert m.shape == (2, 3)
    np.testing.assert_allclose(m, IDENTITY, atol=1e-9)


@pytest.mark.parametrize(
    ("scale", "angle", "tx", "ty"),
    [(1.0, 0.0, 10.0, -5.0), (2.5, 30.0, 100.0, 40.0), (0.3, -75.0, -3.0, 7.0)],
)
def test_recovers_exact_similarity(scale, angle, tx, ty):
    truth = _similarity(scale, angle, tx, ty)
    src = ARCFACE_TEMPLATE.astype(np.float64)
    dst = _apply(truth, src)
    np.testing.assert_allclose(estimate_similarity(src, dst), truth, atol=1e-9)


def test_never_returns_a_reflection():
    mirrored = ARCFACE_TEMPLATE * np.array([-1.0, 1.0])
    m = estimate_similarity(ARCFACE_TEMPLATE, mirrored)
    assert np.linalg.det(m[:, :2]) > 0


def test_accepts_landmarks_dataclass():
    lm = Landmarks.from_array(ARCFACE_TEMPLATE)
    np.testing.assert_allclose(estimate_similarity(lm, ARCFACE_TEMPLATE), IDENTITY, atol=1e-6)


@pytest.mark.parametrize(
    "src",
    [
        np.full((5, 2), 42.0),
        np.where(np.eye(5, 2) > 0, np.nan, 1.0),
        np.full((5, 2), np.inf),
    ],
    ids=["coincident", "nan", "inf"],
)
def test_degenerate_landmarks_raise(src):
    with pytest.raises(InvalidInput, match="landmarks"):
        estimate_similarity(src, ARCFACE_TEMPLATE)


def test_wrong_point_count_raises():
    with pytest.raises(InvalidInput, match="five"):
        estimate_similarity(np.zeros((4, 2)), ARCFACE_TEMPLATE[:4])


def test_align_with_template_points_is_identity_crop():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, size=(150, 130, 3), dtype=np.uint8)
    crop = align_face(image, ARCFACE_TEMPLATE)
    assert crop.shape == (112, 112, 3)
    assert crop.dtype == np.uint8
    np.testing.assert_array_equal(crop, image[:112, :112])


def test_align_size_scales_template():
    rng = np.random.default_rng(1)
    image = rng.integers(0, 256, size=(300, 300, 3), dtype=np.uint8)
    crop = align_face(image, ARCFACE_TEMPLATE * 2, size=224)
    assert crop.shape == (224, 224, 3)
    np.testing.assert_array_equal(crop, image[:224, :224])


def test_align_pads_outside_with_black():
    image = np.full((60, 60, 3), 200, dtype=np.uint8)
    # Landmarks 80 px up-left of the template: the crop's top-left corner
    # samples outside the image, its bottom-right corner inside.
    crop = align_face(image, ARCFACE_TEMPLATE - 80)
    assert crop[0, 0].tolist() == [0, 0, 0]
    assert crop[-1, -1].tolist() == [200, 200, 200]


def test_align_rejects_bad_image():
    with pytest.raises(InvalidImage):
        align_face(np.zeros((10, 10), dtype=np.uint8), ARCFACE_TEMPLATE)


def test_align_real_face_is_112_uint8(scrfd, yaoming):
    face = scrfd.detect(yaoming)[0]
    crop = align_face(yaoming, face.landmarks)
    assert crop.shape == (112, 112, 3)
    assert crop.dtype == np.uint8
    # A real face crop has content in the middle, not the black border.
    assert crop[40:90, 30:80].mean() > 30
