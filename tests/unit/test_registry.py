"""Model registry: entries keyed by (role, version), their states, per-model
options, handles that pin a version, and unloading that waits for them; on
the real model files."""

from __future__ import annotations

import dataclasses
import shutil
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from aurum_ml.bootstrap import PRIMARY_ROLES, build_core, model_factory, model_options
from aurum_ml.errors import FailedPrecondition, ModelUnavailable, NotFound
from aurum_ml.manifest import Manifest, ModelSet, ModelSpec
from aurum_ml.models import FaceEmbedder
from aurum_ml.runtime.registry import ModelRegistry, ModelState
from aurum_ml.settings import Settings


def _registry(models: Manifest | ModelSet, settings: Settings | None = None, **kw) -> ModelRegistry:
    model_set = models.model_set() if isinstance(models, Manifest) else models
    settings = settings or Settings(models_dir=model_set.directory)
    return ModelRegistry(model_set, model_options(settings), model_factory(settings), **kw)


def test_secondary_models_get_their_own_pool_size(manifest: Manifest) -> None:
    settings = Settings(pool_size=3, secondary_pool_size=1, models_dir=manifest.directory)
    core = build_core(settings, store=False)
    try:
        sizes = {e.role: e.options.session.pool_size for e in core.registry.entries()}
        states = {e.role: e.state for e in core.registry.entries()}
    finally:
        core.close()
    assert set(sizes) == set(manifest.models)
    assert set(states.values()) == {ModelState.READY}
    for role, size in sizes.items():
        assert size == (3 if role in PRIMARY_ROLES else 1), role


def test_entries_are_keyed_by_role_and_version(manifest: Manifest) -> None:
    reg = _registry(manifest)
    entry = reg.load("embedder")
    spec = manifest.models["embedder"]
    assert (entry.role, entry.version, entry.state) == ("embedder", spec.version, ModelState.READY)
    assert reg.entry("embedder", spec.version) is entry
    assert reg.entry("embedder", "no-such-version") is None
    assert entry.info.name == spec.name and entry.info.execution_provider


def test_a_handle_gives_the_model_and_pins_its_entry(manifest: Manifest) -> None:
    reg = _registry(manifest)
    entry = reg.load("embedder")
    with reg.handle("embedder", "face embedding model") as h:
        assert isinstance(h.model, FaceEmbedder)
        assert h.info == entry.info
        assert entry.in_use == 1
    assert entry.in_use == 0


def test_a_model_that_fails_to_load_is_failed_with_its_reason(
    manifest: Manifest, tmp_path: Path
) -> None:
    broken = tmp_path / "models"
    broken.mkdir()
    shutil.copy(manifest.path, broken / "manifest.json")
    (broken / manifest.models["embedder"].file).write_bytes(b"not an onnx file")
    reg = _registry(dataclasses.replace(manifest.model_set(), directory=broken))
    entry = reg.load("embedder")
    assert entry.state is ModelState.FAILED
    assert "SHA-256 does not match" in entry.error
    assert not reg.ready("embedder")
    assert reg.why_not("embedder") == entry.error
    with (
        pytest.raises(ModelUnavailable, match="face embedding model is not available: w600k"),
        reg.handle("embedder", "face embedding model"),
    ):
        pass
    # A role never loaded says so.
    assert reg.why_not("detector") == "detector: not loaded"


def test_unload_waits_for_calls_holding_a_handle(manifest: Manifest) -> None:
    reg = _registry(manifest)
    entry = reg.load("landmarks106")
    release = threading.Event()
    holding = threading.Event()

    def call() -> None:
        with reg.handle("landmarks106", "106-point landmark model"):
            holding.set()
            release.wait(5)

    t = threading.Thread(target=call)
    t.start()
    holding.wait(5)
    # Still held: unloading gives up after its timeout, and no new call gets it.
    assert reg.unload("landmarks106", entry.version, timeout=0.05) is False
    with pytest.raises(ModelUnavailable), reg.handle("landmarks106", "106-point landmark model"):
        pass
    release.set()
    t.join(5)
    assert entry.state is ModelState.UNLOADED and entry.model is None
    assert reg.entry("landmarks106") is None

    entry = reg.load("landmarks106")
    started = time.monotonic()
    release.clear()
    holding.clear()
    t = threading.Thread(target=call)
    t.start()
    holding.wait(5)
    threading.Timer(0.2, release.set).start()
    assert reg.unload("landmarks106", entry.version, timeout=5) is True
    assert time.monotonic() - started >= 0.2  # it waited for the call
    t.join(5)


def test_runs_are_reported_with_the_model_name_and_version(manifest: Manifest) -> None:
    seen: list[tuple[str, str, int]] = []

    def observe(spec: ModelSpec, rows: int, seconds: float) -> None:
        assert seconds >= 0
        seen.append((spec.name, spec.version, rows))

    reg = _registry(manifest, observer=observe)
    reg.load("embedder")
    with reg.handle("embedder", "face embedding model") as h:
        assert isinstance(h.model, FaceEmbedder)
        h.model.embed([np.zeros((112, 112, 3), np.uint8)] * 3)
    spec = manifest.models["embedder"]
    assert seen[-1] == (spec.name, spec.version, 3)


def test_loading_a_loaded_version_again_keeps_it(manifest: Manifest) -> None:
    reg = _registry(manifest)
    first = reg.load("landmarks106")
    assert reg.load("landmarks106") is first
    assert reg.entries() == [first]


def test_concurrent_unloads_and_a_reload_during_a_drain(manifest: Manifest) -> None:
    reg = _registry(manifest)
    old = reg.load("landmarks106")
    release = threading.Event()
    holding = threading.Event()

    def call() -> None:
        with reg.handle("landmarks106", "106-point landmark model"):
            holding.set()
            release.wait(5)

    caller = threading.Thread(target=call)
    caller.start()
    holding.wait(5)
    errors: list[BaseException] = []

    def unload() -> None:
        try:
            reg.unload("landmarks106", old.version, timeout=5)
        except BaseException as e:
            errors.append(e)

    unloaders = [threading.Thread(target=unload) for _ in range(2)]
    for t in unloaders:
        t.start()
    time.sleep(0.1)
    # Loading the draining version again gives a fresh entry that serves.
    new = reg.load("landmarks106")
    assert new is not old and new.state is ModelState.READY
    release.set()
    for t in (caller, *unloaders):
        t.join(5)
    assert not errors
    assert old.state is ModelState.UNLOADED and old.info.execution_provider
    assert reg.entry("landmarks106") is new and reg.ready("landmarks106")


def _other_embedder(manifest: Manifest) -> ModelSpec:
    served = manifest.models["embedder"]
    return next(s for s in manifest.catalogue if s.role == "embedder" and s != served)


def test_two_versions_of_a_role_side_by_side_and_an_atomic_swap(manifest: Manifest) -> None:
    reg = _registry(manifest, catalogue=manifest.catalogue)
    old = reg.load("embedder")
    other = _other_embedder(manifest)
    with reg.handle("embedder", "face embedding model") as running:
        new = reg.load("embedder", other.version)
        assert new.state is ModelState.READY and new.load_s > 0
        # Loading beside the default leaves it the default.
        assert reg.entry("embedder") is old
        reg.set_default("embedder", other.version)
        # The call that started on the old version keeps it; the next gets the new.
        assert running.entry is old and old.in_use == 1
        with reg.handle("embedder", "face embedding model") as h:
            assert h.entry is new
        with reg.handle("embedder", "face embedding model", version=old.version) as h:
            assert h.entry is old
    assert reg.unload("embedder", old.version, timeout=5) is True
    assert reg.entry("embedder") is new and old.model is None


def test_an_unknown_version_and_an_unready_default_are_refused(manifest: Manifest) -> None:
    reg = _registry(manifest, catalogue=manifest.catalogue)
    reg.load("embedder")
    with pytest.raises(NotFound, match="lists no embedder version 'nope'"):
        reg.load("embedder", "nope")
    with pytest.raises(FailedPrecondition, match="not loaded; load it first"):
        reg.set_default("embedder", _other_embedder(manifest).version)


def test_a_split_is_sticky_by_key_and_shares_keys_by_weight(manifest: Manifest) -> None:
    reg = _registry(manifest, catalogue=manifest.catalogue)
    a = reg.load("embedder")
    b = reg.load("embedder", _other_embedder(manifest).version)
    reg.set_split("embedder", {a.version: 1, b.version: 1})
    assert reg.splits() == {"embedder": {a.version: 0.5, b.version: 0.5}}

    def version(key: str) -> str:
        with reg.handle("embedder", "face embedding model", key=key) as h:
            return h.entry.version

    chosen = {f"user-{i}": version(f"user-{i}") for i in range(400)}
    assert all(version(k) == v for k, v in list(chosen.items())[:50])
    share = sum(v == a.version for v in chosen.values()) / len(chosen)
    assert 0.4 < share < 0.6
    # Without a key, the default; unloading a version in the split removes it.
    assert version("") == a.version
    reg.unload("embedder", b.version, timeout=5)
    assert reg.splits() == {} and version("user-1") == a.version


def test_a_file_of_another_shape_fails_its_load_and_the_old_version_serves(
    manifest: Manifest,
) -> None:
    # With checksums off (a model built locally), SFace's entry pointing at the
    # 512-d w600k_mbf file passes the input check but not the output's.
    served = manifest.models["embedder"]
    other = _other_embedder(manifest)
    wrong = dataclasses.replace(other, file=served.file)
    catalogue = [s if s != other else wrong for s in manifest.catalogue]
    reg = _registry(manifest, catalogue=catalogue, verify_checksums=False)
    old = reg.load("embedder")
    failed = reg.load("embedder", other.version)
    assert failed.state is ModelState.FAILED
    assert f"expected (1, {other.embedding_size})" in failed.error
    assert reg.entry("embedder") is old and reg.ready("embedder")
