"""Loads every model of the manifest into a session pool, once, at start-up.

A model that is missing, fails its checksum, has unexpected input shapes or
fails its warm-up run is recorded as failed with a reason; the others still
load, so the services that do not need it keep serving.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from aurum_ml.manifest import Manifest, ModelSpec, sha256_file
from aurum_ml.runtime.session_pool import SessionOptions, SessionPool

log = logging.getLogger(__name__)

#: Channel layout of each model family's single input.
_CHANNELS_LAST = {"scrfd": False, "arcface": False, "landmark106": False, "mtcnn": True}


def _warmup_shape(spec: ModelSpec) -> tuple[int, ...]:
    """A batch of one at the manifest's input size, in the family's layout."""
    if spec.family not in _CHANNELS_LAST:
        raise ValueError(f"unknown model family {spec.family!r}")
    h, w = spec.input_size
    return (1, h, w, 3) if _CHANNELS_LAST[spec.family] else (1, 3, h, w)


def _check_shape(spec: ModelSpec, pool: SessionPool) -> None:
    shapes = pool.input_shapes
    if len(shapes) != 1 or len(shapes[0]) != 4:
        raise ValueError(f"expected one 4-d input, the model declares {shapes}")
    want = _warmup_shape(spec)
    for axis, (declared, wanted) in enumerate(zip(shapes[0], want, strict=True)):
        # Symbolic or dynamic axes (None, 'batch', '?') accept any size.
        if axis > 0 and isinstance(declared, int) and declared not in (wanted, -1):
            raise ValueError(f"input axis {axis} is {declared}, expected {wanted}")


@dataclass
class ModelRegistry:
    manifest: Manifest
    pools: dict[str, SessionPool] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        manifest: Manifest,
        options: SessionOptions,
        *,
        per_role: Mapping[str, SessionOptions] | None = None,
        verify_checksums: bool = True,
    ) -> ModelRegistry:
        """Load every model of the manifest; ``per_role`` overrides ``options``
        for the roles it names."""
        reg = cls(manifest)
        for role, spec in manifest.models.items():
            role_options = (per_role or {}).get(role, options)
            try:
                reg.pools[role] = _load_one(manifest, role, spec, role_options, verify_checksums)
            except Exception as e:  # any failure makes just this model unavailable
                reason = f"{spec.file}: {e}"
                reg.errors[role] = reason
                log.error("model %s failed to load: %s", role, reason)
        return reg

    def pool(self, role: str) -> SessionPool | None:
        return self.pools.get(role)

    def ready(self, *roles: str) -> bool:
        return all(r in self.pools for r in roles)

    def why_not(self, *roles: str) -> str:
        missing = [self.errors.get(r, f"{r}: not loaded") for r in roles if r not in self.pools]
        return "; ".join(missing)


def _load_one(
    manifest: Manifest, role: str, spec: ModelSpec, options: SessionOptions, verify: bool
) -> SessionPool:
    path = manifest.model_path(role)
    if not path.exists():
        raise FileNotFoundError("model file is missing; run `make models`")
    if verify and sha256_file(path) != spec.installed_sha256:
        raise ValueError("SHA-256 does not match the manifest; run `make models` again")
    pool = SessionPool(path, options)
    _check_shape(spec, pool)
    feeds = {pool.input_names[0]: np.zeros(_warmup_shape(spec), dtype=np.float32)}
    pool.run(feeds)
    log.info("loaded %s (%s %s) on %s", role, spec.name, spec.version, pool.provider)
    return pool
