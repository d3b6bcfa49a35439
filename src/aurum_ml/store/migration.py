"""Moving a gallery to another embedding model: the store's part.

The new model's generation of the gallery (see :mod:`aurum_ml.store.schema`)
is created empty, filled a page at a time from the live generation's stored
crops by a caller that owns the models (``aurum_ml.core.migration``), and
made live by ``finish``: under the gallery's write lock, whatever changed
since the pages were read is reconciled, then the old generation is deleted.

Nothing records how far a migration got: the new generation is the record.
A page skips the faces it already holds, so a migration interrupted at any
point (a restart, a crash) resumes by starting over, and re-embeds only what
is missing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from aurum_ml.errors import FailedPrecondition, NotFound
from aurum_ml.store import schema
from aurum_ml.store.engine import Engine, Point
from aurum_ml.store.galleries import GalleryRegistry
from aurum_ml.store.schema import GalleryModel, vector_name_for
from aurum_ml.store.types import MigrationProgress
from aurum_ml.store.validation import validate_dim, validate_gallery_name
from aurum_ml.store.writes import upsert_faces

log = logging.getLogger(__name__)

#: Turns crops (PNG bytes) into unit vectors of the new model, one row each.
Embed = Callable[[Sequence[bytes]], npt.NDArray[np.float32]]
_CallScope = Callable[[str], AbstractContextManager[None]]
_WriteScope = Callable[[str], AbstractContextManager[None]]

# The fields reconciling needs: enough to derive a face's id in the new generation.
_ID_FIELDS = [schema.SUBJECT_ID, schema.IMAGE_SHA256, schema.FACE_INDEX]


@dataclass(frozen=True, slots=True)
class Pending:
    """Faces of the live generation the new one lacks: payloads and crops."""

    payloads: list[dict[str, Any]]
    crops: list[bytes]


class Migrations:
    """The store's side of gallery migrations. Thread-safe like FaceStore,
    whose lock and error translation (``call``) and per-gallery write lock
    (``writes``) it shares."""

    def __init__(
        self, engine: Engine, galleries: GalleryRegistry, call: _CallScope, writes: _WriteScope
    ) -> None:
        self._engine = engine
        self._galleries = galleries
        self._call = call
        self._writes = writes

    def start(self, gallery: str, model_name: str, model_version: str, dim: int) -> None:
        """Create the gallery's generation for this model (nothing if it is
        there already). FailedPrecondition when the gallery keeps no crops,
        is bound to this model, or is migrating to another one."""
        validate_gallery_name(gallery)
        validate_dim(dim)
        with self._call("start migration"), self._writes(gallery):
            generations = self._galleries.generations(gallery)
            if not generations:
                raise NotFound(f"gallery {gallery!r} does not exist")
            live = generations[0]
            wanted = (model_name, model_version)
            if len(generations) > 1:
                target = generations[1]
                if (target.model_name, target.model_version) == wanted:
                    return
                raise FailedPrecondition(
                    f"gallery {gallery!r} is already migrating to model {target.model_name} "
                    f"version {target.model_version}; cancel that migration first"
                )
            if (live.model_name, live.model_version) == wanted:
                raise FailedPrecondition(
                    f"gallery {gallery!r} is already bound to model {model_name} "
                    f"version {model_version}"
                )
            if not live.keeps_crops:
                raise FailedPrecondition(
                    f"gallery {gallery!r} does not keep its faces' crops, so its faces cannot "
                    "be re-embedded: migration needs re-enrolment. Create a gallery with "
                    "keep_face_crops and enroll the subjects' images into it"
                )
            name = vector_name_for(model_name, model_version, keeps_crops=True)
            made = self._galleries.create_generation(live, gallery, name, dim)
            log.info(
                "gallery %s: migration to model %s version %s started (generation %d)",
                gallery,
                model_name,
                model_version,
                made.generation,
            )

    def galleries(self) -> list[str]:
        """The galleries with a migration in progress."""
        with self._call("list migrations"):
            return [g for g in self._galleries.names() if self._galleries.target(g)]

    def progress(self, gallery: str) -> MigrationProgress | None:
        """How far the gallery's migration is; None when it has none."""
        validate_gallery_name(gallery)
        with self._call("migration progress"):
            pair = self._galleries.target(gallery)
            if pair is None:
                return None
            live, target = pair
            return MigrationProgress(
                gallery,
                (live.model_name, live.model_version),
                (target.model_name, target.model_version),
                total=self._engine.count(live.collection, None),
                migrated=self._engine.count(target.collection, None),
            )

    def page(self, gallery: str, offset: str | None, limit: int) -> tuple[Pending, str | None]:
        """A page of the live generation's faces that the new one lacks, and
        the offset of the next page (None after the last)."""
        with self._call("migration page"):
            live, target = self._pair(gallery)
            points, next_offset = self._engine.export(live.collection, offset, limit)
            return self._missing(gallery, target, [p.payload for p in points]), next_offset

    def write(self, gallery: str, pending: Pending, vectors: npt.NDArray[np.float32]) -> None:
        """Store re-embedded faces in the new generation."""
        with self._call("migration write"):
            _, target = self._pair(gallery)
            self._put(gallery, target, pending, vectors)

    def finish(self, gallery: str, embed: Embed) -> MigrationProgress:
        """Make the new generation live: under the gallery's write lock (an
        enroll or erasure waits), re-embed what was enrolled since its page
        was read, drop what was erased, then delete the old generation."""
        with self._call("finish migration"), self._writes(gallery):
            live, target = self._pair(gallery)
            sources = self._engine.scroll(live.collection, None, _ID_FIELDS)
            expected = {schema.translated_id(gallery, p.payload, target): p for p in sources}
            present = {p.id for p in self._engine.scroll(target.collection, None, False)}
            late = [p.id for i, p in expected.items() if i not in present]
            if late:
                full = self._engine.retrieve(live.collection, late, True)
                pending = self._missing(gallery, target, [p.payload for p in full])
                if pending.crops:
                    self._put(gallery, target, pending, embed(pending.crops))
            extra = sorted(present - expected.keys())
            if extra:
                self._engine.delete_points(target.collection, extra)
            migrated = self._engine.count(target.collection, None)
            if migrated != len(expected):
                raise FailedPrecondition(
                    f"gallery {gallery!r}: the new generation holds {migrated} faces, "
                    f"not {len(expected)}; the migration will be retried"
                )
            self._engine.delete_collection(live.collection)
            log.info(
                "gallery %s now serves with model %s version %s (%d faces)",
                gallery,
                target.model_name,
                target.model_version,
                migrated,
            )
            return MigrationProgress(
                gallery,
                (live.model_name, live.model_version),
                (target.model_name, target.model_version),
                total=len(expected),
                migrated=migrated,
            )

    def cancel(self, gallery: str) -> bool:
        """Drop the migration's new generation; False when there was none."""
        validate_gallery_name(gallery)
        with self._call("cancel migration"), self._writes(gallery):
            pair = self._galleries.target(gallery)
            if pair is None:
                return False
            for later in self._galleries.generations(gallery)[1:]:
                self._engine.delete_collection(later.collection)
            log.info("gallery %s: migration cancelled", gallery)
            return True

    # -- internals ---------------------------------------------------------------

    def _pair(self, gallery: str) -> tuple[GalleryModel, GalleryModel]:
        pair = self._galleries.target(gallery)
        if pair is None:
            raise NotFound(f"gallery {gallery!r} has no migration in progress")
        return pair

    def _missing(
        self, gallery: str, target: GalleryModel, payloads: list[dict[str, Any]]
    ) -> Pending:
        ids = [schema.translated_id(gallery, p, target) for p in payloads]
        have = {p.id for p in self._engine.retrieve(target.collection, ids, False)}
        todo = [p for i, p in zip(ids, payloads, strict=True) if i not in have]
        out = Pending([], [])
        for payload in todo:
            crop = schema.crop_of(payload)
            if crop is None:
                # Only a face written behind the store's back lacks one (an
                # enroll into a gallery that keeps crops needs them): it is
                # left out, and finish's count says so.
                log.warning("gallery %s: a face without a crop cannot be migrated", gallery)
                continue
            out.payloads.append(payload)
            out.crops.append(crop)
        return out

    def _put(
        self,
        gallery: str,
        target: GalleryModel,
        pending: Pending,
        vectors: npt.NDArray[np.float32],
    ) -> None:
        points: list[Point] = [
            schema.migrated_point(gallery, payload, np.asarray(v, dtype=np.float32), target)
            for payload, v in zip(pending.payloads, vectors, strict=True)
        ]
        upsert_faces(self._engine, target.collection, target.vector_name, points)
