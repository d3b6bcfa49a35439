"""The manifest: every model version listed once, named model sets mapping each
role to one of them, and clear errors for a manifest that contradicts itself."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from aurum_ml.manifest import Manifest, ManifestError, load_manifest


def _raw() -> dict[str, Any]:
    return json.loads((Path(__file__).parents[2] / "models" / "manifest.json").read_text())


def _load(tmp_path: Path, raw: dict[str, Any]) -> Manifest:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(raw))
    return load_manifest(path)


def test_the_bundled_manifest_lists_each_set_with_its_models(manifest: Manifest) -> None:
    assert manifest.default_set in manifest.sets
    listed = {spec.id for spec in manifest.catalogue}
    for model_set in manifest.sets.values():
        assert model_set.licence
        assert {"detector", "embedder"} <= set(model_set.models)
        for role, spec in model_set.models.items():
            assert spec.role == role and spec.id in listed
            assert model_set.model_path(role) == manifest.directory / spec.file
        # The threshold follows the embedding model.
        assert model_set.models["embedder"].match_threshold is not None
    # The old API: the default set's models by role.
    assert manifest.models == manifest.model_set().models


def test_one_role_may_have_several_versions(tmp_path: Path) -> None:
    raw = _raw()
    newer = copy.deepcopy(next(m for m in raw["models"] if m["role"] == "embedder"))
    newer.update(version="2.0", file="newer.onnx")
    raw["models"].append(newer)
    raw["model_sets"]["newer"] = {
        "licence": "test",
        "models": {"embedder": f"{newer['name']}@2.0"},
    }
    m = _load(tmp_path, raw)
    versions = {s.version for s in m.catalogue if s.role == "embedder"}
    assert len(versions) >= 2
    assert m.model_set("newer").models["embedder"].version == "2.0"


def test_an_unknown_set_is_named_with_the_ones_there_are(manifest: Manifest) -> None:
    with pytest.raises(ManifestError, match=r"model set 'nope' .* it has .*insightface"):
        manifest.model_set("nope")


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda r: r["model_sets"]["insightface"]["models"].update(detector="x@1"), "not listed"),
        (
            lambda r: r["model_sets"]["insightface"]["models"].update(
                detector=r["model_sets"]["insightface"]["models"]["embedder"]
            ),
            "in role 'detector'",
        ),
        (lambda r: r["models"].append(copy.deepcopy(r["models"][0])), "repeats"),
        (lambda r: r.update(default_set="nope"), "default_set"),
        (lambda r: r.update(schema=1), "schema"),
    ],
    ids=["unlisted-model", "wrong-role", "duplicate", "bad-default", "old-schema"],
)
def test_a_manifest_that_contradicts_itself_is_refused(tmp_path: Path, change, error) -> None:
    raw = _raw()
    change(raw)
    with pytest.raises(ManifestError, match=error):
        _load(tmp_path, raw)
