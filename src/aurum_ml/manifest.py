"""The model manifest (models/manifest.json): what each model file is and how to feed it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


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

    @classmethod
    def from_dict(cls, role: str, d: dict[str, Any]) -> ModelSpec:
        return cls(
            role=role,
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
        )

    @property
    def installed_sha256(self) -> str:
        """The digest of the file as it lies in the models folder (after any patch)."""
        return self.patched_sha256 or self.sha256


@dataclass(frozen=True, slots=True)
class Manifest:
    path: Path
    sources: dict[str, dict[str, str]]
    models: dict[str, ModelSpec]
    photos: dict[str, dict[str, str]]

    @property
    def directory(self) -> Path:
        return self.path.parent

    def model_path(self, role: str) -> Path:
        return self.directory / self.models[role].file

    def photo_path(self, name: str) -> Path:
        return self.directory / "photos" / name


def load_manifest(path: Path) -> Manifest:
    raw = json.loads(path.read_text())
    return Manifest(
        path=path,
        sources=raw["sources"],
        models={role: ModelSpec.from_dict(role, d) for role, d in raw["models"].items()},
        photos=raw.get("photos", {}),
    )


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
