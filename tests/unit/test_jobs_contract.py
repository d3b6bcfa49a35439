"""The faceScoring job contract (jobs/contract.py) and the job scores (scoring.py)."""

from __future__ import annotations

import base64
import math
from pathlib import Path

import numpy as np
import pytest

from aurum_ml import scoring
from aurum_ml.errors import InvalidInput
from aurum_ml.jobs.contract import parse_job
from aurum_ml.types import BoundingBox, Face, Landmarks

PNG = b"\x89PNG\r\n\x1a\nfake"


def _parse(data: object, root: Path | None = None, gallery: str = "", max_bytes: int = 1 << 20):
    return parse_job(data, image_root=root, default_gallery=gallery, max_bytes=max_bytes)


def test_base64_with_or_without_a_data_url_prefix():
    plain = base64.b64encode(PNG).decode()
    for image in (plain, f"data:image/png;base64,{plain}"):
        job = _parse({"image": image, "isBase64": True, "userId": "u1"})
        assert job.image.data == PNG and job.user_id == "u1" and job.gallery == ""


def test_image_paths_only_inside_the_image_root(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.png").write_bytes(PNG)
    (tmp_path / "secret.png").write_bytes(PNG)
    root = tmp_path / "in"
    assert _parse({"imagePath": "a.png"}, root).image.data == PNG
    # The app's other shape: isBase64=false means `image` is a path.
    assert _parse({"image": "a.png", "isBase64": False}, root).image.data == PNG
    with pytest.raises(InvalidInput, match="inside the server's image folder"):
        _parse({"imagePath": "../secret.png"}, root)
    with pytest.raises(InvalidInput, match="does not exist"):
        _parse({"imagePath": "b.png"}, root)
    with pytest.raises(InvalidInput, match="AURUM_QUEUE_IMAGE_ROOT"):
        _parse({"imagePath": "a.png"}, None)
    # Checked before the file is read into memory.
    with pytest.raises(InvalidInput, match="larger than the 8-byte limit"):
        _parse({"imagePath": "a.png"}, root, max_bytes=8)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ("not an object", "must be an object"),
        ({}, "either image"),
        ({"image": "aGk=", "imagePath": "a.png"}, "either image"),
        ({"image": 12}, "base64 string"),
        ({"image": "!!!"}, "not valid base64"),
        ({"image": "aGk=", "isBase64": "yes"}, "isBase64"),
        ({"image": "aGk=", "metadata": [1]}, "metadata must be an object"),
        ({"image": "aGk=", "userId": {"id": 1}}, "userId"),
        ({"image": "aGk=", "userId": True}, "userId"),
        ({"image": "aGk=", "userId": "u", "metadata": {"enrollGallery": 5}}, "enrollGallery"),
        ({"image": "aGk=", "metadata": {"enrollGallery": "g"}}, "needs a userId"),
    ],
)
def test_malformed_jobs_are_invalid_input(data, words):
    with pytest.raises(InvalidInput, match=words):
        _parse(data)


def test_metadata_is_kept_as_strings_and_names_the_gallery():
    job = _parse(
        {
            "image": "aGk=",
            "userId": 7,
            "metadata": {"source": "upload", "n": 3, "tags": ["a"], "enrollGallery": "g1"},
        },
        gallery="default",
    )
    assert job.user_id == "7" and job.gallery == "g1"
    assert job.metadata == {"source": "upload", "n": "3", "tags": '["a"]'}
    assert _parse({"image": "aGk=", "userId": "u"}, gallery="default").gallery == "default"
    # A null gallery is no gallery: the default applies, never one named "null".
    job = _parse(
        {"image": "aGk=", "userId": "u", "metadata": {"enrollGallery": None, "x": None}},
        gallery="default",
    )
    assert job.gallery == "default" and job.metadata == {"x": "null"}


def _face(points: list[tuple[float, float]], size: float = 100.0) -> Face:
    return Face(BoundingBox(0.0, 0.0, size, size), Landmarks.from_array(np.array(points)), 0.9)


#: A frontal, level face: eyes, nose on the midline, mouth corners.
FRONTAL = [(30.0, 40.0), (70.0, 40.0), (50.0, 60.0), (35.0, 80.0), (65.0, 80.0)]


def _rotated(points: list[tuple[float, float]], degrees: float) -> list[tuple[float, float]]:
    a = math.radians(degrees)
    c, s = math.cos(a), math.sin(a)
    return [(50 + (x - 50) * c - (y - 50) * s, 50 + (x - 50) * s + (y - 50) * c) for x, y in points]


def test_frontality_falls_with_roll_and_yaw():
    level = scoring.score(_face(FRONTAL)).frontality
    assert level == pytest.approx(1.0)
    rolled = scoring.score(_face(_rotated(FRONTAL, 30))).frontality
    assert rolled == pytest.approx(math.cos(math.radians(30)), abs=1e-6)
    turned = [*FRONTAL[:2], (62.0, 60.0), *FRONTAL[3:]]  # nose towards one side: yaw
    assert scoring.score(_face(turned)).frontality < level


def test_symmetry_measures_the_nose_against_the_face_not_the_box():
    assert scoring.score(_face(FRONTAL)).symmetry == pytest.approx(1.0)
    # Rolling the face keeps it symmetric; a nose off the midline is not.
    assert scoring.score(_face(_rotated(FRONTAL, 25))).symmetry == pytest.approx(1.0)
    off = [*FRONTAL[:2], (60.0, 60.0), *FRONTAL[3:]]
    assert scoring.score(_face(off)).symmetry == pytest.approx(1.0 - 10.0 / 20.0)
    # The box moving does not change it (the app's box-centre rule did).
    shifted = Face(BoundingBox(-30.0, 0.0, 100.0, 100.0), _face(FRONTAL).landmarks, 0.9)
    assert scoring.score(shifted).symmetry == pytest.approx(1.0)


def test_resolution_grows_with_the_face_up_to_the_embedder_input():
    assert scoring.resolution(_face(FRONTAL, size=56.0)) == pytest.approx(0.5)
    assert scoring.resolution(_face(FRONTAL, size=112.0)) == pytest.approx(1.0)
    assert scoring.resolution(_face(FRONTAL, size=400.0)) == 1.0


def test_face_id_is_deterministic_per_image_face_and_model():
    sha = "ab" * 32
    first = scoring.face_id(sha, 0, "w600k_mbf", "v1")
    assert first == scoring.face_id(sha.upper(), 0, "w600k_mbf", "v1")
    others = {
        scoring.face_id(sha, 1, "w600k_mbf", "v1"),
        scoring.face_id(sha, 0, "sface", "v1"),
        scoring.face_id(sha, 0, "w600k_mbf", "v2"),
        scoring.face_id("cd" * 32, 0, "w600k_mbf", "v1"),
    }
    assert first not in others and len(others) == 4
