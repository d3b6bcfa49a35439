from __future__ import annotations

import numpy as np
import pytest

from aurum_ml.align import align_face
from aurum_ml.errors import InvalidInput

YAO_XY = (719.0, 143.0)


@pytest.fixture(scope="module")
def yao_embedding(scrfd, arcface, yaoming):
    faces = scrfd.detect(yaoming)
    assert len(faces) == 1
    return arcface.embed([align_face(yaoming, faces[0].landmarks)])[0]


@pytest.fixture(scope="module")
def players_crops(scrfd, players):
    faces = scrfd.detect(players)
    return faces, [align_face(players, f.landmarks) for f in faces]


@pytest.fixture(scope="module")
def players_embeddings(arcface, players_crops):
    return arcface.embed(players_crops[1])


def test_info_and_dim(arcface):
    assert arcface.dim == 512
    assert arcface.info.name == "w600k_mbf"
    assert arcface.info.execution_provider


def test_embedding_shape_and_norm(players_embeddings, players_crops):
    assert players_embeddings.shape == (len(players_crops[1]), 512)
    assert players_embeddings.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(players_embeddings, axis=1), 1.0, atol=1e-5)


def test_yao_ming_is_best_match(yao_embedding, players_embeddings, players_crops):
    faces = players_crops[0]
    cos = players_embeddings @ yao_embedding
    best = int(np.argmax(cos))
    b = faces[best].bbox
    assert abs(b.x - YAO_XY[0]) < 6 and abs(b.y - YAO_XY[1]) < 6
    assert cos[best] >= 0.5
    others = np.delete(cos, best)
    assert others.max() < 0.3


def test_identical_input_is_bitwise_identical(arcface, players_crops):
    crop = players_crops[1][0]
    a = arcface.embed([crop])
    b = arcface.embed([crop.copy()])
    assert a.tobytes() == b.tobytes()


def test_batch_matches_single_runs(arcface, players_crops):
    crops = players_crops[1][:8]
    batch = arcface.embed(crops)
    singles = np.concatenate([arcface.embed([c]) for c in crops])
    np.testing.assert_allclose(batch, singles, atol=1e-5)


def test_empty_input(arcface):
    out = arcface.embed([])
    assert out.shape == (0, 512)
    assert out.dtype == np.float32


@pytest.mark.parametrize(
    "crop",
    [
        np.zeros((100, 112, 3), np.uint8),
        np.zeros((112, 112), np.uint8),
        np.zeros((112, 112, 3), np.float32),
    ],
    ids=["size", "gray", "dtype"],
)
def test_rejects_bad_crops(arcface, crop):
    good = np.zeros((112, 112, 3), np.uint8)
    with pytest.raises(InvalidInput, match="aligned face crops must be 112x112"):
        arcface.embed([good, crop])


# -- SFace: the same class, fed as its manifest entry says ---------------------------------


def test_sface_identifies_yao_ming_among_players(sface, yunet, yaoming, players):
    assert sface.dim == 128
    (yao,) = yunet.detect(yaoming)
    query = sface.embed([align_face(yaoming, yao.landmarks)])[0]
    faces = yunet.detect(players)
    vectors = sface.embed([align_face(players, f.landmarks) for f in faces])
    assert vectors.shape == (len(faces), 128)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    cos = vectors @ query
    best = int(np.argmax(cos))
    b = faces[best].bbox
    assert abs(b.x - YAO_XY[0]) < 6 and abs(b.y - YAO_XY[1]) < 6
    threshold = sface.spec.match_threshold
    assert cos[best] >= threshold > np.delete(cos, best).max()


def test_colour_order_follows_the_manifest(sface, arcface):
    crop = np.zeros((112, 112, 3), np.uint8)
    crop[..., 0] = 200  # blue in a BGR crop
    # Both models take RGB: blue is the last plane, before any normalisation.
    assert sface.preprocess([crop])[0, 2].max() == 200.0
    assert arcface.preprocess([crop])[0, 2].max() == pytest.approx((200 - 127.5) / 127.5)
