"""Model registry: per-role pool sizes, on the real model files."""

from __future__ import annotations

from aurum_ml.core.service import PRIMARY_ROLES, FaceService
from aurum_ml.manifest import Manifest
from aurum_ml.runtime.registry import ModelRegistry
from aurum_ml.runtime.session_pool import SessionOptions
from aurum_ml.settings import Settings


def test_per_role_options_override_only_the_roles_named(manifest: Manifest) -> None:
    reg = ModelRegistry.load(
        manifest, SessionOptions(pool_size=2), per_role={"landmarks106": SessionOptions()}
    )
    assert not reg.errors
    assert reg.pools["landmarks106"].options.pool_size == 1
    assert reg.pools["detector"].options.pool_size == 2
    assert reg.pools["embedder"].options.pool_size == 2


def test_service_gives_secondary_models_their_own_pool_size(manifest: Manifest) -> None:
    settings = Settings(pool_size=3, secondary_pool_size=1, models_dir=manifest.directory)
    service = FaceService.create(settings)
    try:
        sizes = {role: pool.options.pool_size for role, pool in service.registry.pools.items()}
    finally:
        service.close()
    assert set(sizes) == set(manifest.models)
    for role, size in sizes.items():
        assert size == (3 if role in PRIMARY_ROLES else 1), role
