"""The gallery registry: which galleries exist, their generations, and which
model each generation was built with.

Nothing is recorded besides the collections themselves: a generation of a
gallery is a collection under the configured prefix, the name of its one
vector records its model, and the lowest generation is the live one (see
:mod:`aurum_ml.store.schema` for why). Callers run these under the store's
lock and error translation (``FaceStore._call``).
"""

from __future__ import annotations

import dataclasses
import logging

from aurum_ml.errors import FailedPrecondition, NotFound
from aurum_ml.store import schema
from aurum_ml.store.engine import Engine
from aurum_ml.store.schema import GENERATION_SEP, GalleryModel
from aurum_ml.store.validation import GALLERY_NAME_RE

log = logging.getLogger(__name__)


class ModelMismatch(FailedPrecondition):
    """The gallery is bound to another model than the caller's: a caller
    that embedded an image may embed it again with the gallery's model
    (it may have just been migrated)."""


class GalleryRegistry:
    def __init__(self, engine: Engine, prefix: str) -> None:
        self._engine = engine
        self._prefix = prefix

    def collection(self, gallery: str, generation: int = 1) -> str:
        base = self._prefix + gallery
        return base if generation == 1 else f"{base}{GENERATION_SEP}{generation}"

    def _parse(self, collection: str) -> tuple[str, int] | None:
        """(gallery, generation) of one of our collections; None for any other."""
        if not collection.startswith(self._prefix):
            return None
        name, sep, number = collection[len(self._prefix) :].partition(GENERATION_SEP)
        if not GALLERY_NAME_RE.fullmatch(name):
            return None
        if not sep:
            return name, 1
        if not number.isdigit() or number.startswith("0") or int(number) < 2:
            return None
        return name, int(number)

    def _all(self) -> dict[str, list[int]]:
        """Each gallery's generations, lowest first."""
        out: dict[str, list[int]] = {}
        for collection in self._engine.collection_names():
            parsed = self._parse(collection)
            if parsed is not None:
                out.setdefault(parsed[0], []).append(parsed[1])
        return {name: sorted(gens) for name, gens in out.items()}

    def names(self) -> list[str]:
        """Names of the galleries that exist, sorted."""
        return sorted(self._all())

    def generations(self, gallery: str) -> list[GalleryModel]:
        """Every generation of the gallery, live first (the list is empty when
        there is no such gallery)."""
        out = []
        for generation in self._all().get(gallery, []):
            model = self._model(gallery, generation)
            if model is not None:
                out.append(model)
        return out

    def _model(self, gallery: str, generation: int) -> GalleryModel | None:
        collection = self.collection(gallery, generation)
        vectors = self._engine.vectors(collection)
        if vectors is None:
            return None
        model = schema.gallery_model(vectors)
        if model is None:
            raise FailedPrecondition(
                f"Qdrant collection {collection!r} exists but is not a face gallery; "
                "choose another gallery name or collection prefix"
            )
        return dataclasses.replace(model, collection=collection, generation=generation)

    def read(self, gallery: str) -> GalleryModel | None:
        """The gallery's live generation, None if it does not exist;
        FailedPrecondition if a collection of that name exists but is not a
        gallery."""
        # Generation 1 is live whenever it exists: one request for every
        # gallery never migrated.
        first = self._model(gallery, 1)
        if first is not None:
            return first
        later = self.generations(gallery)
        return later[0] if later else None

    def require(self, gallery: str) -> GalleryModel:
        model = self.read(gallery)
        if model is None:
            raise NotFound(f"gallery {gallery!r} does not exist")
        return model

    def target(self, gallery: str) -> tuple[GalleryModel, GalleryModel] | None:
        """(live, next) generations while the gallery is migrating; None otherwise."""
        gens = self.generations(gallery)
        return (gens[0], gens[1]) if len(gens) >= 2 else None

    def ensure(
        self,
        name: str,
        model_name: str,
        model_version: str,
        dim: int,
        vector_name: str,
    ) -> GalleryModel:
        """The gallery, created for this model unless it exists; FailedPrecondition
        if it exists for another model or dimension."""
        existing = self.read(name)
        if existing is None:
            # Another process may create it between our check and our call:
            # whatever it created is compared below like any existing one.
            if self._engine.create_collection(
                self.collection(name), vector_name, dim, schema.KEYWORD_FIELDS
            ):
                log.info(
                    "created gallery %s for model %s version %s (%d-d)",
                    name,
                    model_name,
                    model_version,
                    dim,
                )
            existing = self.require(name)
        check_model(name, existing, model_name, model_version)
        if existing.dim != dim:
            raise FailedPrecondition(
                f"gallery {name!r} stores {existing.dim}-d embeddings of this model, not {dim}-d"
            )
        return existing

    def create_generation(
        self, live: GalleryModel, gallery: str, vector_name: str, dim: int
    ) -> GalleryModel:
        """The generation after ``live``, created for another model."""
        generation = live.generation + 1
        self._engine.create_collection(
            self.collection(gallery, generation), vector_name, dim, schema.KEYWORD_FIELDS
        )
        made = self._model(gallery, generation)
        assert made is not None
        return made


def check_model(gallery: str, model: GalleryModel, model_name: str, model_version: str) -> None:
    """ModelMismatch unless the gallery was built with this model."""
    if (model.model_name, model.model_version) != (model_name, model_version):
        raise ModelMismatch(
            f"gallery {gallery!r} was built with model {model.model_name} "
            f"version {model.model_version}, not {model_name} version {model_version}: "
            "embeddings of different models cannot be compared. Re-enroll the subjects "
            "into a new gallery with the new model, migrate this gallery (it must keep "
            "face crops), or switch back to the gallery's model."
        )
