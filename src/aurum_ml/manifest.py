"""The model manifest (models/manifest.json): what each model file is, how to feed
it, and which models make up each named model set.

Every model version is listed once, identified by its role, name and version
(a role may have several versions: a detector of another family, a newer
embedder). A model set maps each role to one of them; the server serves one set
(``AURUM_MODEL_SET``, the manifest's ``default_set`` when unset).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = 2


class ManifestError(ValueError):
    """The manifest is malformed, or names a model set or model it does not have."""


@dataclass(frozen=True, slots=True)
class ModelSpec:
    role: str
    name: str
    version: str
    family: str
    file: str
    source: str
    member: str
    sha256: str
    input_size: tuple[int, int]
    color: str
    mean: float
    std: float
    licence: str
    #: Graph rewrites (aurum_ml.modelpatch) applied after unpacking, in order.
    patches: tuple[str, ...] = ()
    patched_sha256: str | None = None
    embedding_size: int | None = None
    #: Embedders: the cosine similarity at or above which two faces are the same
    #: person, calibrated for this model (README, "Similarity and the match threshold").
    match_threshold: float | None = None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ModelSpec:
        threshold = d.get("match_threshold")
        return cls(
            role=d["role"],
            name=d["name"],
            version=d["version"],
            family=d["family"],
            file=d["file"],
            source=d["source"],
            member=d["member"],
            sha256=d["sha256"],
            input_size=(int(d["input_size"][0]), int(d["input_size"][1])),
            color=d["color"],
            mean=float(d["mean"]),
            std=float(d["std"]),
            licence=d["licence"],
            patches=tuple(d.get("patches", ())),
            patched_sha256=d.get("patched_sha256"),
            embedding_size=d.get("embedding_size"),
            match_threshold=None if threshold is None else float(threshold),
        )

    @property
    def id(self) -> str:
        """How a model set names it: ``name@version``."""
        return f"{self.name}@{self.version}"

    @property
    def installed_sha256(self) -> str:
        """The digest of the file as it lies in the models folder (after any patch)."""
        return self.patched_sha256 or self.sha256


@dataclass(frozen=True, slots=True)
class ModelSet:
    """One model per role: what a server serves."""

    name: str
    #: What the set's licences allow, in one sentence (README, "Models and licences").
    licence: str
    directory: Path
    models: dict[str, ModelSpec]

    def model_path(self, role: str) -> Path:
        return self.directory / self.models[role].file

    def families(self) -> dict[str, str]:
        """Each role's model family, e.g. ``{"detector": "yunet", ...}``."""
        return {role: spec.family for role, spec in self.models.items()}


@dataclass(frozen=True, slots=True)
class Manifest:
    path: Path
    sources: dict[str, dict[str, str]]
    #: Every model version of every set, each once.
    catalogue: tuple[ModelSpec, ...]
    sets: dict[str, ModelSet]
    default_set: str
    photos: dict[str, dict[str, str]]

    @property
    def directory(self) -> Path:
        return self.path.parent

    def model_set(self, name: str | None = None) -> ModelSet:
        """The set called ``name`` (None: the default set)."""
        chosen = name or self.default_set
        found = self.sets.get(chosen)
        if found is None:
            raise ManifestError(
                f"model set {chosen!r} is not in {self.path.name}; it has "
                + ", ".join(sorted(self.sets))
            )
        return found

    @property
    def models(self) -> dict[str, ModelSpec]:
        """The default set's models by role."""
        return self.model_set().models

    def model_path(self, role: str) -> Path:
        """Where the default set's model for ``role`` lies."""
        return self.model_set().model_path(role)

    def file_path(self, spec: ModelSpec) -> Path:
        return self.directory / spec.file

    def photo_path(self, name: str) -> Path:
        return self.directory / "photos" / name


def load_manifest(path: Path) -> Manifest:
    raw = json.loads(path.read_text())
    if raw.get("schema") != SCHEMA:
        raise ManifestError(f"{path}: schema {raw.get('schema')!r}, expected {SCHEMA}")
    catalogue = tuple(ModelSpec.from_dict(d) for d in raw["models"])
    by_id = _index(path, catalogue)
    sets = {name: _model_set(path, name, body, by_id) for name, body in raw["model_sets"].items()}
    default = raw["default_set"]
    if default not in sets:
        raise ManifestError(f"{path}: default_set {default!r} is not one of its model sets")
    return Manifest(
        path=path,
        sources=raw["sources"],
        catalogue=catalogue,
        sets=sets,
        default_set=default,
        photos=raw.get("photos", {}),
    )


def _index(path: Path, catalogue: tuple[ModelSpec, ...]) -> dict[str, ModelSpec]:
    """Models by id; each id, each (role, version) and each file must be unique,
    since the registry keys a loaded model by (role, version)."""
    by_id: dict[str, ModelSpec] = {}
    keys: set[tuple[str, str]] = set()
    files: set[str] = set()
    for spec in catalogue:
        if spec.id in by_id or (spec.role, spec.version) in keys or spec.file in files:
            raise ManifestError(
                f"{path}: {spec.id} repeats another model's id, file, or role and version"
            )
        by_id[spec.id] = spec
        keys.add((spec.role, spec.version))
        files.add(spec.file)
    return by_id


def _model_set(
    path: Path, name: str, body: Mapping[str, Any], by_id: Mapping[str, ModelSpec]
) -> ModelSet:
    models: dict[str, ModelSpec] = {}
    for role, model_id in body["models"].items():
        spec = by_id.get(model_id)
        if spec is None:
            raise ManifestError(f"{path}: model set {name!r} names {model_id}, which is not listed")
        if spec.role != role:
            raise ManifestError(
                f"{path}: model set {name!r} puts {model_id} (a {spec.role}) in role {role!r}"
            )
        models[role] = spec
    return ModelSet(name=name, licence=body["licence"], directory=path.parent, models=models)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
