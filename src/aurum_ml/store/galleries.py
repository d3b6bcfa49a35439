"""The gallery registry: which galleries exist and which model each was built with.

Nothing is recorded besides the collections themselves: a gallery is a
collection under the configured prefix, and the name of its one vector records
its model (see :mod:`aurum_ml.store.schema` for why). Callers run these under
the store's lock and error translation (``FaceStore._call``).
"""

from __future__ import annotations

import logging

from qdrant_client import QdrantClient, models
from qdrant_client.http.exceptions import UnexpectedResponse

from aurum_ml.errors import FailedPrecondition, NotFound
from aurum_ml.store import schema
from aurum_ml.store.errors import is_already_exists, is_not_found
from aurum_ml.store.schema import GalleryModel
from aurum_ml.store.validation import GALLERY_NAME_RE

log = logging.getLogger(__name__)


class GalleryRegistry:
    def __init__(self, client: QdrantClient, prefix: str, *, remote: bool) -> None:
        self._client = client
        self._prefix = prefix
        self._remote = remote

    def collection(self, gallery: str) -> str:
        return self._prefix + gallery

    def names(self) -> list[str]:
        """Names of the collections under our prefix that could be galleries, sorted."""
        names = (
            c.name[len(self._prefix) :]
            for c in self._client.get_collections().collections
            if c.name.startswith(self._prefix)
        )
        return sorted(n for n in names if GALLERY_NAME_RE.fullmatch(n))

    def read(self, gallery: str) -> GalleryModel | None:
        """The gallery's model, None if it does not exist; FailedPrecondition
        if a collection of that name exists but is not a gallery."""
        collection = self.collection(gallery)
        try:
            info = self._client.get_collection(collection)
        except (UnexpectedResponse, ValueError) as exc:
            if is_not_found(exc):
                return None
            raise
        model = schema.gallery_model(info.config.params.vectors)
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
            try:
                self._client.create_collection(
                    self.collection(name),
                    vectors_config={
                        vector_name: models.VectorParams(size=dim, distance=models.Distance.COSINE)
                    },
                )
                log.info(
                    "created gallery %s for model %s version %s (%d-d)",
                    name,
                    model_name,
                    model_version,
                    dim,
                )
            except (UnexpectedResponse, ValueError) as exc:
                # Another process created it between our check and our call;
                # whatever it created is compared below like any existing one.
                if not is_already_exists(exc):
                    raise
            existing = self.require(name)
        check_model(name, existing, model_name, model_version)
        if existing.dim != dim:
            raise FailedPrecondition(
                f"gallery {name!r} stores {existing.dim}-d embeddings of this model, not {dim}-d"
            )
        if self._remote:
            # Subject-scoped filters and list_subjects' facet need it on a
            # server (the facet fails without it). Creating it again is a
            # no-op there, so galleries made before it existed get it too.
            # Embedded mode ignores payload indexes and warns, so it is skipped.
            self._client.create_payload_index(
                self.collection(name),
                field_name=schema.SUBJECT_ID,
                field_schema=models.PayloadSchemaType.KEYWORD,
                wait=True,
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
