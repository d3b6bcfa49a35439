from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from aurum_ml.core.pipeline import _with_landmarks_106
from aurum_ml.errors import InvalidInput
from aurum_ml.models.landmark106 import MAX_BATCH
from aurum_ml.types import BoundingBox


@pytest.fixture(scope="module")
def yao_face(scrfd, yaoming):
    faces = scrfd.detect(yaoming)
    assert len(faces) == 1
    return faces[0]


def _inside(points: np.ndarray, box: BoundingBox, grow: float) -> np.ndarray:
    mx, my = box.width * grow, box.height * grow
    return (
        (points[:, 0] >= box.x - mx)
        & (points[:, 0] <= box.x + box.width + mx)
        & (points[:, 1] >= box.y - my)
        & (points[:, 1] <= box.y + box.height + my)
    )


def test_info(landmark106):
    assert landmark106.info.name == "2d106det"


def test_yaoming_106_points_on_face(landmark106, yaoming, yao_face):
    pts = landmark106.predict_many(yaoming, [yao_face.bbox])[0]
    assert pts.shape == (106, 2)
    assert pts.dtype == np.float32
    assert np.all(np.isfinite(pts))
    assert _inside(pts, yao_face.bbox, 0.1).mean() >= 0.95
    # The points spread over the face, not collapsed onto one spot.
    spread = pts.max(axis=0) - pts.min(axis=0)
    assert spread[0] > 0.7 * yao_face.bbox.width
    assert spread[1] > 0.5 * yao_face.bbox.height


def test_agrees_with_detector_landmarks(landmark106, yaoming, yao_face):
    pts = landmark106.predict_many(yaoming, [yao_face.bbox])[0]
    # The nose tip of the 106-point layout is index 86; it should sit near
    # SCRFD's nose estimate.
    nose = yao_face.landmarks.nose
    dist = np.hypot(pts[86, 0] - nose.x, pts[86, 1] - nose.y)
    assert dist < 0.15 * yao_face.bbox.width


def test_many_matches_single(landmark106, scrfd, players):
    boxes = [f.bbox for f in scrfd.detect(players)[:4]]
    many = landmark106.predict_many(players, boxes)
    assert many.shape == (4, 106, 2)
    for i, b in enumerate(boxes):
        np.testing.assert_allclose(many[i], landmark106.predict_many(players, [b])[0], atol=1e-3)


def test_empty_boxes(landmark106, yaoming):
    assert landmark106.predict_many(yaoming, []).shape == (0, 106, 2)


def test_rejects_empty_box(landmark106, yaoming):
    with pytest.raises(InvalidInput):
        landmark106.predict_many(yaoming, [BoundingBox(10, 10, 0, 0)])


def test_more_boxes_than_one_run_takes(landmark106, scrfd, players):
    # players.jpg has 22 faces: two runs of at most MAX_BATCH, results in box order.
    boxes = [f.bbox for f in scrfd.detect(players)]
    assert len(boxes) > MAX_BATCH
    many = landmark106.predict_many(players, boxes)
    assert many.shape == (len(boxes), 106, 2)
    for i in (0, MAX_BATCH - 1, MAX_BATCH, len(boxes) - 1):
        np.testing.assert_allclose(
            many[i], landmark106.predict_many(players, [boxes[i]])[0], atol=1e-3
        )


def test_box_clipped_to_nothing_keeps_no_points(landmark106, scrfd, yaoming):
    # A detector box clipped to zero width at the image edge has no crop to read;
    # the request must not fail for it, and the other faces still get their points.
    face = scrfd.detect(yaoming)[0]
    clipped = dataclasses.replace(face, bbox=BoundingBox(face.bbox.x, face.bbox.y, 0.0, 10.0))
    got = _with_landmarks_106(landmark106, yaoming, [face, clipped])
    assert len(got[0].landmarks_106) == 106
    assert got[1].landmarks_106 == ()
