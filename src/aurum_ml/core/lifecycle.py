"""Model management: which versions are loaded, which one each role serves by
default, and how keyed traffic is split between versions.

Every version the manifest lists may be loaded beside the ones serving. A
swap is three calls: load the new version (it is checked against the
manifest's SHA-256 and shape and warmed up before it can take traffic), make
it the default (one assignment: calls already running finish on the version
they pinned), unload the old one (it drains, then its sessions and their
memory are released). A version that fails to load is listed ``failed`` with
the reason and leaves the serving one as it was.

What the operator set is saved to a JSON file (``ModelPlan``) after every
change and applied at the next start, so it survives a restart; the same
file shape may be declared at start-up.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aurum_ml.core.state import CoreState
from aurum_ml.errors import AurumError, FailedPrecondition, InvalidInput
from aurum_ml.runtime.registry import ModelRegistry, ModelState

log = logging.getLogger(__name__)

#: How a catalogue version that no one loaded is listed.
AVAILABLE = "available"


@dataclass(frozen=True, slots=True)
class ModelVersionStatus:
    """One version of one role as model management lists it."""

    role: str
    name: str
    version: str
    #: loading, ready, failed, draining, unloaded, or available (not loaded).
    state: str
    error: str = ""
    execution_provider: str = ""
    load_s: float = 0.0
    memory_bytes: int = 0
    in_use: int = 0
    is_default: bool = False
    #: Its share of the role's keyed traffic split; 0 when not in one.
    traffic_share: float = 0.0
    embedding_size: int = 0


@dataclass(slots=True)
class ModelPlan:
    """The versions to load, each role's default and the traffic splits: what
    is saved to the data folder and applied at start."""

    loaded: list[tuple[str, str]] = field(default_factory=list)
    defaults: dict[str, str] = field(default_factory=dict)
    splits: dict[str, dict[str, float]] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> ModelPlan:
        """The plan in ``path``; ValueError naming the file when malformed."""
        try:
            raw: Any = json.loads(path.read_text())
            return cls(
                loaded=[(str(m["role"]), str(m["version"])) for m in raw.get("loaded", [])],
                defaults={str(r): str(v) for r, v in raw.get("defaults", {}).items()},
                splits={
                    str(r): {str(v): float(w) for v, w in weights.items()}
                    for r, weights in raw.get("splits", {}).items()
                },
            )
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as e:
            raise ValueError(f"model plan {path}: {e}") from e

    @classmethod
    def of(cls, registry: ModelRegistry) -> ModelPlan:
        loaded = sorted(
            (e.role, e.version)
            for e in registry.entries()
            if e.state in (ModelState.LOADING, ModelState.READY)
        )
        return cls(loaded, registry.defaults(), registry.splits())

    def write(self, path: Path) -> None:
        """Replace ``path`` atomically (a crash leaves the old plan or the new)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        body = {
            "loaded": [{"role": r, "version": v} for r, v in self.loaded],
            "defaults": self.defaults,
            "splits": self.splits,
        }
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(body, indent=2, sort_keys=True) + "\n")
        os.replace(tmp, path)

    def apply(self, registry: ModelRegistry) -> list[str]:
        """Load, set defaults and splits; what could not be done, one line each
        (a failed load is listed by the registry too, and never stops the rest)."""
        problems: list[str] = []
        for role, version in self.loaded:
            try:
                entry = registry.load(role, version)
            except AurumError as e:  # a version the manifest no longer lists
                problems.append(f"load {role} {version}: {e}")
                continue
            if entry.state is ModelState.FAILED:
                problems.append(f"load {role} {version}: {entry.error}")
        for role, version in self.defaults.items():
            try:
                registry.set_default(role, version)
            except AurumError as e:
                problems.append(f"default {role}: {e}")
        for role, weights in self.splits.items():
            try:
                registry.set_split(role, weights)
            except AurumError as e:
                problems.append(f"split {role}: {e}")
        for line in problems:
            log.error("model plan: %s", line)
        return problems


class ModelLifecycle(CoreState):
    """The model management use cases."""

    def model_versions(self) -> list[ModelVersionStatus]:
        """Every version the manifest lists, loaded or not, role by role."""
        reg = self.registry
        defaults, splits = reg.defaults(), reg.splits()
        entries = {(e.role, e.version): e for e in reg.entries()}
        out = []
        for spec in reg.catalogue:
            e = entries.get((spec.role, spec.version))
            out.append(
                ModelVersionStatus(
                    role=spec.role,
                    name=spec.name,
                    version=spec.version,
                    state=str(e.state) if e is not None else AVAILABLE,
                    error=e.error if e is not None else "",
                    execution_provider=e.provider if e is not None else "",
                    load_s=e.load_s if e is not None else 0.0,
                    memory_bytes=e.memory_bytes if e is not None else 0,
                    in_use=e.in_use if e is not None else 0,
                    is_default=e is not None and defaults.get(spec.role) == spec.version,
                    traffic_share=splits.get(spec.role, {}).get(spec.version, 0.0),
                    embedding_size=spec.embedding_size or 0,
                )
            )
        return out

    def model_version(self, role: str, version: str) -> ModelVersionStatus:
        self.registry.spec(role, version)  # NotFound for a version not listed
        return next(m for m in self.model_versions() if (m.role, m.version) == (role, version))

    async def load_model(
        self, role: str, version: str, make_default: bool = False
    ) -> ModelVersionStatus:
        """Load (check, build, warm up) a version beside those serving; with
        ``make_default`` switch the role to it once it is ready. FailedPrecondition
        with the reason when it fails: whatever served the role serves on."""
        self.registry.spec(role, version)
        entry = await asyncio.to_thread(self.registry.load, role, version)
        self.health_may_have_changed()
        if entry.state is ModelState.FAILED:
            raise FailedPrecondition(f"{role} version {version!r} failed to load: {entry.error}")
        if make_default:
            self.registry.set_default(role, version)
        self._save_plan()
        return self.model_version(role, version)

    async def unload_model(self, role: str, version: str) -> ModelVersionStatus:
        """Take a version out of service once the calls on it have finished
        (up to the longest a request may run). The role's default cannot be
        unloaded: make another version the default first."""
        self.registry.spec(role, version)
        if self.registry.defaults().get(role) == version:
            raise FailedPrecondition(
                f"{role} version {version!r} is the role's default; "
                "make another version the default before unloading it"
            )
        entry = self.registry.entry(role, version)
        if entry is None:
            raise FailedPrecondition(f"{role} version {version!r} is not loaded")
        if entry.state is ModelState.LOADING:
            raise FailedPrecondition(f"{role} version {version!r} is still loading")
        await asyncio.to_thread(self.registry.unload, role, version, self.workers.max_request_s)
        self.health_may_have_changed()
        self._save_plan()
        return self.model_version(role, version)

    def set_default_model(self, role: str, version: str) -> ModelVersionStatus:
        self.registry.spec(role, version)
        self.registry.set_default(role, version)
        self.health_may_have_changed()
        self._save_plan()
        return self.model_version(role, version)

    def set_traffic_split(self, role: str, weights: Mapping[str, float]) -> dict[str, float]:
        """Split ``role``'s keyed calls between versions by weight (empty: no split)."""
        for version, weight in weights.items():
            self.registry.spec(role, version)
            if not 0 < weight <= 1e6:
                raise InvalidInput(f"the weight of {version!r} must be in (0, 1000000]")
        self.registry.set_split(role, weights)
        self._save_plan()
        return self.registry.splits().get(role, {})

    def _save_plan(self) -> None:
        path = self.config.model_plan_path
        if path is not None:
            ModelPlan.of(self.registry).write(path)
