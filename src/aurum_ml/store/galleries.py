"""The gallery registry: which galleries exist and which model each was built with.

Nothing is recorded besides the collections themselves: a gallery is a
collection under the configured prefix, and the name of its one vector records
its model (see :mod:`aurum_ml.store.schema` for why). Callers run these under
the store's lock and error translation (``FaceStore._call``).
"""

from __future__ import annotations

import logging

from aurum_ml.errors import FailedPrecondition, NotFound
from aurum_ml.store import schema
from aurum_ml.store.engine import Engine
from aurum_ml.store.schema import GalleryModel
from aurum_ml.store.validation import GALLERY_NAME_RE

log = logging.getLogger(__name__)


class GalleryRegistry:
    def __init__(self, engine: Engine, prefix: str) -> None:
        self._engine = engine
        self._prefix = prefix

    def collection(self, gallery: str) -> str:
        return self._prefix + gallery

    def names(self) -> list[str]:
        """Names of the collections under our prefix that could be galleries, sorted."""
        names = (
            name[len(self._prefix) :]
            for name in self._engine.collection_names()
            if name.startswith(self._prefix)
        )
        return sorted(n for n in names if GALLERY_NAME_RE.fullmatch(n))

    def read(self, gallery: str) -> GalleryModel | None:
        """The gallery's model, None if it does not exist; FailedPrecondition
        if a collection of that name exists but is not a gallery."""
        collection = self.collection(gallery)
        vectors = self._engine.vectors(collection)
        if vectors is None:
            return None
        model = schema.gallery_model(vectors)
        if model is None:
            raise FailedPrecondition(
                f"Qdrant collection {collection!r} exists but is not a face gallery; "
                "choose another gallery name or collection prefix"
            )
        return model

    def require(self, gallery: str) -> GalleryModel:
        model = self.read(gallery)
        if model is None:
            raise NotFound(f"gallery {gallery!r} does not exist")
        return model

    def ensure(
        self, name: str, model_name: str, model_version: str, dim: int, vector_name: str
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


def check_model(gallery: str, model: GalleryModel, model_name: str, model_version: str) -> None:
    """FailedPrecondition unless the gallery was built with this model."""
    if (model.model_name, model.model_version) != (model_name, model_version):
        raise FailedPrecondition(
            f"gallery {gallery!r} was built with model {model.model_name} "
            f"version {model.model_version}, not {model_name} version {model_version}: "
            "embeddings of different models cannot be compared. Re-enroll the subjects "
            "into a new gallery with the new model, or migrate this gallery by "
            "re-embedding its source images, or switch back to the gallery's model."
        )
