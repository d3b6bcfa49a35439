"""Choosing the model set the core runs (AURUM_MODEL_SET): its models, its
default detector, its match threshold, and clear answers for what it lacks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from aurum_ml.bootstrap import build_core, default_detector
from aurum_ml.core import Core
from aurum_ml.core.pipeline import detectors_in
from aurum_ml.errors import FailedPrecondition
from aurum_ml.manifest import Manifest, ManifestError
from aurum_ml.settings import Settings


@pytest.fixture(scope="module")
def permissive_core(manifest: Manifest) -> Iterator[Core]:
    settings = Settings(models_dir=manifest.directory, model_set="permissive")
    core = build_core(settings, roles=["detector", "embedder", "landmarks106"], store=False)
    yield core
    core.close()


def test_each_set_has_its_detectors(manifest: Manifest) -> None:
    assert detectors_in(manifest.model_set("insightface")) == ["scrfd", "mtcnn"]
    assert detectors_in(manifest.model_set("permissive")) == ["yunet", "mtcnn"]


def test_the_permissive_set_serves_yunet_and_sface(permissive_core: Core) -> None:
    models = {m.role: m for m in permissive_core.models()}
    assert models["detector"].info.name == "face_detection_yunet_2023mar"
    assert models["embedder"].info.name == "face_recognition_sface_2021dec_int8bq"
    assert "landmarks106" not in models
    assert permissive_core.config.default_detector == "yunet"
    assert permissive_core.serving()["embedding"]
    # The threshold follows the embedding model.
    assert permissive_core.pipeline.match_threshold() == 0.525


def test_a_detector_or_model_the_set_lacks_is_a_failed_precondition(
    permissive_core: Core,
) -> None:
    pipe = permissive_core.pipeline
    with (
        pytest.raises(FailedPrecondition, match=r"scrfd .* 'permissive'.* yunet, mtcnn"),
        pipe.detector("scrfd"),
    ):
        pass
    with (
        pytest.raises(FailedPrecondition, match=r"106-point landmark model is not in .*permissive"),
        pipe.landmarker(),
    ):
        pass


def test_the_operator_threshold_overrides_the_model_one(manifest: Manifest) -> None:
    settings = Settings(models_dir=manifest.directory, match_threshold=0.4)
    core = build_core(settings, roles=[], store=False)
    try:
        assert core.pipeline.match_threshold() == 0.4
    finally:
        core.close()
    core = build_core(Settings(models_dir=manifest.directory), roles=[], store=False)
    try:
        assert core.pipeline.match_threshold() == 0.35
    finally:
        core.close()


def test_a_bad_choice_fails_before_anything_loads(manifest: Manifest) -> None:
    with pytest.raises(ManifestError, match=r"model set 'commercial' .* permissive"):
        build_core(Settings(models_dir=manifest.directory, model_set="commercial"), store=False)
    wrong = Settings(models_dir=manifest.directory, model_set="permissive", detector="scrfd")
    with pytest.raises(ValueError, match=r"scrfd face detector \(AURUM_DETECTOR\).* yunet, mtcnn"):
        default_detector(wrong, manifest.model_set("permissive"))
