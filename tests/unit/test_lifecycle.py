"""Model management in the core: what the operator set is saved, and a new
core built from the same settings applies it; on the real model files."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from aurum_ml.bootstrap import build_core
from aurum_ml.core import ImageInput, ModelChoice
from aurum_ml.core.lifecycle import ModelPlan
from aurum_ml.errors import FailedPrecondition, NotFound
from aurum_ml.manifest import Manifest
from aurum_ml.runtime.registry import ModelState
from aurum_ml.settings import Settings


def _embedders(manifest: Manifest) -> tuple[str, str]:
    served = manifest.models["embedder"].version
    other = next(
        s.version for s in manifest.catalogue if s.role == "embedder" and s.version != served
    )
    return served, other


def _state(settings: Settings) -> tuple[str | None, set[str]]:
    core = build_core(settings, store=False)
    try:
        loaded = {
            e.version
            for e in core.registry.entries()
            if e.role == "embedder" and e.state is ModelState.READY
        }
        return core.registry.defaults().get("embedder"), loaded
    finally:
        core.close()


def test_the_plan_survives_a_restart(manifest: Manifest, tmp_path: Path) -> None:
    served, other = _embedders(manifest)
    settings = Settings(models_dir=manifest.directory, data_dir=tmp_path)
    core = build_core(settings, store=False)
    try:
        listed = {(m.version, m.state) for m in core.model_versions() if m.role == "embedder"}
        assert listed == {(served, "ready"), (other, "available")}
        swapped = asyncio.run(core.load_model("embedder", other, make_default=True))
        assert swapped.is_default and swapped.memory_bytes >= 0 and swapped.load_s > 0
        with pytest.raises(NotFound):
            asyncio.run(core.load_model("embedder", "no-such-version"))
        asyncio.run(core.unload_model("embedder", served))
        with pytest.raises(FailedPrecondition, match="default"):
            asyncio.run(core.unload_model("embedder", other))
    finally:
        core.close()
    plan = json.loads((tmp_path / "model-plan.json").read_text())
    assert plan["defaults"]["embedder"] == other
    # The next start serves the swapped version only: the plan decides the role.
    assert _state(settings) == (other, {other})


def test_a_plan_declared_at_start_applies_until_one_is_saved(
    manifest: Manifest, tmp_path: Path
) -> None:
    served, other = _embedders(manifest)
    declared = tmp_path / "declared.json"
    ModelPlan(
        loaded=[("embedder", served), ("embedder", other)],
        defaults={"embedder": served},
        splits={"embedder": {served: 3, other: 1}},
    ).write(declared)
    settings = Settings(
        models_dir=manifest.directory,
        data_dir=tmp_path / "data",
        initial_model_plan_file=declared,
    )
    core = build_core(settings, store=False)
    try:
        assert core.registry.splits() == {"embedder": {served: 0.75, other: 0.25}}
    finally:
        core.close()
    declared.write_text("{not json")
    with pytest.raises(ValueError, match=r"declared\.json"):
        build_core(settings, store=False)


def test_a_keyed_call_follows_the_split_and_an_unkeyed_one_the_default(
    manifest: Manifest, tmp_path: Path
) -> None:
    served, other = _embedders(manifest)
    core = build_core(Settings(models_dir=manifest.directory, data_dir=tmp_path), store=False)
    image = ImageInput(data=manifest.photo_path("yaoming.jpg").read_bytes())
    try:
        asyncio.run(core.load_model("embedder", other))
        core.set_traffic_split("embedder", {other: 1})
        keyed = asyncio.run(core.score(image, routing_key="user-1"))
        plain = asyncio.run(core.embed(image))
        pinned = asyncio.run(core.embed(image, model=ModelChoice(manifest.models["embedder"].name)))
    finally:
        core.close()
    assert keyed.model.version == other
    assert plain.model.version == served == pinned.model.version
