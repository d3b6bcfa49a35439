"""Face search: enroll, identify (1:N), verify (1:1), erase and list, over the
face store.

Decisions worth knowing
-----------------------
* **Which face is enrolled.** With an image, Enroll stores the most prominent
  face (rules.most_prominent, as Embed picks it). With ``all_faces`` it stores
  every detected face of the image as the *same* subject, embedded in one
  batched model run. A face's ``face_index`` is its position in the
  detector's output (highest confidence first), so enrolling the same image
  again, with or without ``all_faces``, rewrites the same points instead of
  adding copies.
* **Embedding input.** An embedding must have the model's dimension and be
  finite and non-zero; it stands for the server's own model (the caller got
  it from Embed). Its source hash is the SHA-256 of the vector itself.
* **Model versions.** A gallery is bound to the embedding model it was
  created with: Enroll, Identify and Verify on an image embed it with that
  model's version, whatever the default or a traffic split says, and answer
  FAILED_PRECONDITION when that version is not loaded. A new gallery takes
  the model it is created with (the default unless one is named). Embedding
  input is taken as the gallery's model's; a gallery of another model answers
  FAILED_PRECONDITION,
  telling the operator to re-enroll or migrate. Listing and deleting work
  whatever the model.
* **Thresholds.** ``is_match`` is ``score >= threshold`` (cosine); the default
  is the server's match threshold (0.35, see bench/calibrate_threshold.py).
  ``min_score`` only trims the returned list.
* **Store unavailable.** The store's connection (store.StoreConnection) owns
  its state: a call while it is down raises ServiceUnavailable naming why,
  and it is reopened at most every ``store_retry_s``, on a call or by the
  core's monitor. A model that is not loaded fails the call with
  ModelUnavailable and says nothing about the store's health.
* **Privacy.** Embeddings are never logged; DeleteSubject removes a subject's
  points, vectors included, from the store.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TypeVar

from aurum_ml import similarity
from aurum_ml.core import rules
from aurum_ml.core.crops import encode_crop
from aurum_ml.core.operations import DEFAULT_MODEL, ImageInput, ModelChoice
from aurum_ml.core.pipeline import EMBEDDER_ROLE, EmbeddedFaces
from aurum_ml.core.results import (
    EnrollResult,
    FaceIdentity,
    FaceInput,
    IdentifyResult,
    Match,
    VerifyResult,
)
from aurum_ml.core.state import CoreState
from aurum_ml.core.workers import Deadline
from aurum_ml.errors import FailedPrecondition, InvalidInput, NotFound
from aurum_ml.runtime.registry import ModelState
from aurum_ml.store import (
    FaceEmbedding,
    FaceStore,
    GalleryInfo,
    SubjectFaces,
    SubjectPage,
    embedding_sha256,
    paging,
    validate_gallery_name,
    validate_metadata,
    validate_subject_id,
)
from aurum_ml.store.galleries import ModelMismatch
from aurum_ml.types import Face, FloatArray, ModelInfo, QualityReport

T = TypeVar("T")
P = TypeVar("P")
#: A query embedding, its model, and (image input) the face and its quality.
_Query = tuple[FloatArray, ModelInfo, Face | None, QualityReport | None]

DEFAULT_TOP_K = 5
_DEFAULT_DIM = 512


class Galleries(CoreState):
    """The FaceStore use cases; Core adds the image ones."""

    # -- plumbing ------------------------------------------------------------------

    async def _store_call(
        self,
        name: str,
        fn: Callable[[Deadline], T],
        timeout: float | None,
        *,
        wait: bool = False,
        background: bool = False,
        store_only: bool = False,
        image: ImageInput | None = None,
    ) -> T:
        """Run ``fn`` on a worker thread once the store is known to be open
        (so a call fails fast, before any model work, while it is down).
        ``store_only``: ``fn`` only waits on the store, so it runs on the
        store's own threads (WorkerPool.run)."""
        store = self.store_or_raise()

        def work(deadline: Deadline) -> T:
            store.require()
            return fn(deadline)

        try:
            return await self.run(
                name,
                work,
                timeout,
                wait=wait,
                background=background,
                store=store_only,
                image=image,
            )
        finally:
            self.store_health_may_have_changed()

    async def _model_then_store(
        self,
        name: str,
        model_work: Callable[[Deadline], P],
        store_work: Callable[[P], T],
        timeout: float | None,
        *,
        store_only: bool,
        image: ImageInput | None = None,
    ) -> T:
        """``store_work(model_work(deadline))``: the model part on the CPU
        workers, then the store part on the store's threads, so a busy store
        never holds a thread that Detect or Embed could use. Both within
        ``timeout``. ``store_only`` (no model work to do): one store call;
        ``image`` chooses the model part's lane (see CoreState.run).

        If the gallery switched to another model (a migration finished)
        between the model part and the store part, both are made once more:
        the image is embedded again with the gallery's new model. Input
        given as an embedding (``store_only``) stays the old model's."""
        if store_only:
            return await self._store_call(
                name, lambda d: store_work(model_work(d)), timeout, store_only=True
            )
        try:
            return await self._model_part_then_store(name, model_work, store_work, timeout, image)
        except ModelMismatch:
            return await self._model_part_then_store(name, model_work, store_work, timeout, image)

    async def _query_then_store(
        self,
        name: str,
        gallery: str,
        face: FaceInput,
        vec: FloatArray | None,
        store_work: Callable[[_Query], T],
        timeout: float | None,
    ) -> T:
        """_model_then_store for a call that searches with one face: the
        query is the given embedding, or the image embedded (_query)."""
        return await self._model_then_store(
            name,
            lambda d: self._query(gallery, face, vec, d),
            store_work,
            timeout,
            store_only=vec is not None,
            image=face.image,
        )

    async def _model_part_then_store(
        self,
        name: str,
        model_work: Callable[[Deadline], P],
        store_work: Callable[[P], T],
        timeout: float | None,
        image: ImageInput | None,
    ) -> T:
        started = time.monotonic()
        prepared = await self._store_call(name, model_work, timeout, image=image)
        left = None if timeout is None else max(0.0, timeout - (time.monotonic() - started))
        try:
            return await self.workers.run(lambda _: store_work(prepared), left, store=True)
        finally:
            self.store_health_may_have_changed()

    @staticmethod
    def _given_threshold(threshold: float | None) -> float | None:
        """The caller's threshold, checked before any work; None: the model's."""
        if threshold is None:
            return None
        return rules.threshold(threshold, lambda: 0.0, score=True)

    def _cut(self, given: float | None, model: ModelInfo) -> float:
        """The threshold of a gallery call answered with ``model``: the
        caller's, else the one its model is calibrated for."""
        return given if given is not None else self.pipeline.match_threshold(model)

    def _on_store(self, fn: Callable[[FaceStore], T]) -> T:
        return self.store_or_raise().call(fn)

    async def _store_op(self, name: str, fn: Callable[[FaceStore], T], timeout: float | None) -> T:
        """A call that is only a store operation."""
        return await self._store_call(name, lambda _: self._on_store(fn), timeout, store_only=True)

    def enroll_embedded(
        self, gallery: str, subject_id: str, emb: EmbeddedFaces, metadata: dict[str, str]
    ) -> list[str]:
        """Store the faces of one image, embedded by the pipeline; worker thread.
        Ids are deterministic, so storing the same faces again rewrites them."""
        # Encoded whatever the gallery: ~1 ms a face, and the store drops the
        # crops of a gallery that does not keep them.
        crops: list[bytes | None] = [encode_crop(c) for c in emb.crops]
        crops += [None] * (len(emb.indices) - len(crops))
        items = [
            FaceEmbedding(v, emb.image_sha256, i, _clamp01(q.overall), metadata, crop)
            for v, i, q, crop in zip(emb.vectors, emb.indices, emb.quality, crops, strict=True)
        ]
        return self._store_faces(gallery, subject_id, items, emb.model)

    def _store_faces(
        self, gallery: str, subject_id: str, items: list[FaceEmbedding], model: ModelInfo
    ) -> list[str]:
        return self._on_store(
            lambda s: s.enroll(gallery, subject_id, items, model.name, model.version)
        )

    def _gallery_model(self) -> tuple[ModelInfo, int]:
        """The embedder galleries are written and searched with, and its
        dimension, as the registry lists it now (loaded or not)."""
        entry = self.registry.entry(EMBEDDER_ROLE)
        spec = (
            entry.spec if entry is not None else self.registry.model_set.models.get(EMBEDDER_ROLE)
        )
        if spec is None:
            return ModelInfo("embedder", "unknown"), _DEFAULT_DIM
        info = entry.info if entry is not None else ModelInfo(spec.name, spec.version)
        return info, int(spec.embedding_size or _DEFAULT_DIM)

    def _check_input(self, face: FaceInput) -> FloatArray | None:
        """Validate what can be checked before any work; the embedding as a vector."""
        if (face.image is None) == (face.embedding is None):
            raise InvalidInput("give either an image or an embedding")
        if face.embedding is None:
            return None
        # Its length is checked against the gallery's model once the gallery
        # is known (the store, or _vector_model for a gallery not made yet).
        return similarity.as_vector(face.embedding, "embedding", nonzero=True)

    def _bound_model(self, gallery: str) -> ModelChoice | None:
        """The embedder version ``gallery`` is bound to, pinned; None when the
        gallery does not exist (yet). FailedPrecondition when that version is
        not loaded: its embeddings are comparable with no other model's."""
        bound = self._on_store(lambda s: s.gallery_model(gallery))
        if bound is None:
            return None
        name, version = bound
        entry = self.registry.entry(EMBEDDER_ROLE, version)
        if entry is not None and entry.spec.name == name and entry.state is ModelState.READY:
            return ModelChoice(name, version)
        bound_to = f"gallery {gallery!r} is bound to the embedding model {name} version {version}"
        if any(s.name == name and s.version == version for s in self.registry.catalogue):
            raise FailedPrecondition(
                f"{bound_to}, which is not loaded; load it to use this gallery"
            )
        raise FailedPrecondition(
            f"{bound_to}, which this server's manifest does not list; embeddings of "
            "different models cannot be compared. Re-enroll the subjects into a new "
            "gallery, or migrate it"
        )

    def _vector_model(self, gallery: str, vec: FloatArray) -> ModelInfo:
        """The model an embedding given as input is taken to be of: the
        gallery's (the store checks the length), or for a gallery not created
        yet the default embedder, whose length it must have."""
        bound = self._on_store(lambda s: s.gallery_model(gallery))
        if bound is not None:
            return ModelInfo(*bound)
        model, dim = self._gallery_model()
        if len(vec) != dim:
            raise InvalidInput(
                f"embedding has {len(vec)} values, expected {dim}; "
                f"the server's model {model.name} produces {dim}"
            )
        return model

    def _embed(
        self, gallery: str, face: FaceInput, all_faces: bool, deadline: Deadline
    ) -> EmbeddedFaces:
        """The image's faces embedded by the gallery's model (the default for
        a gallery an enroll is about to create)."""
        assert face.image is not None
        return self.pipeline.embed_image(
            face.image,
            aligned=face.aligned,
            all_faces=all_faces,
            detector=face.detector,
            deadline=deadline,
            with_sha256=True,
            model=self._bound_model(gallery) or DEFAULT_MODEL,
        )

    def _query(
        self, gallery: str, face: FaceInput, vec: FloatArray | None, deadline: Deadline
    ) -> _Query:
        if vec is not None:
            return vec, self._vector_model(gallery, vec), None, None
        emb = self._embed(gallery, face, False, deadline)
        return emb.vectors[0], emb.model, emb.faces[0], emb.quality[0]

    # -- galleries -------------------------------------------------------------------

    async def create_gallery(
        self,
        name: str,
        timeout: float | None = None,
        model_name: str = "",
        model_version: str = "",
        *,
        keep_face_crops: bool = False,
    ) -> GalleryInfo:
        """Create a gallery bound to the default embedder, or to the one named
        (any version the manifest lists; it need not be loaded yet).
        ``keep_face_crops``: keep each face's aligned crop, so the gallery can
        be migrated to another model later (biometric data: see the README)."""
        validate_gallery_name(name)
        model, dim = self._gallery_model()
        if model_name:
            spec = self.pipeline.named_spec(EMBEDDER_ROLE, model_name, model_version)
            model, dim = ModelInfo(spec.name, spec.version), int(spec.embedding_size or dim)
        return await self._store_op(
            "create_gallery",
            lambda s: s.create_gallery(
                name, model.name, model.version, dim, keep_face_crops=keep_face_crops
            ),
            timeout,
        )

    async def get_gallery(self, name: str, timeout: float | None = None) -> GalleryInfo:
        validate_gallery_name(name)
        return await self._store_op("get_gallery", lambda s: s.get_gallery(name), timeout)

    async def list_galleries(self, timeout: float | None = None) -> list[GalleryInfo]:
        return await self._store_op("list_galleries", lambda s: s.list_galleries(), timeout)

    async def delete_gallery(self, name: str, timeout: float | None = None) -> bool:
        validate_gallery_name(name)
        return await self._store_op("delete_gallery", lambda s: s.delete_gallery(name), timeout)

    # -- enroll and search -------------------------------------------------------------

    async def enroll(
        self,
        gallery: str,
        subject_id: str,
        face: FaceInput,
        metadata: Mapping[str, str] | None = None,
        all_faces: bool = False,
        timeout: float | None = None,
    ) -> EnrollResult:
        validate_gallery_name(gallery)
        validate_subject_id(subject_id)
        vec = self._check_input(face)
        if all_faces and (vec is not None or face.aligned):
            raise InvalidInput("all_faces needs an image that is not an aligned crop")
        meta = validate_metadata(metadata)

        def embed(deadline: Deadline) -> EmbeddedFaces | None:
            return None if vec is not None else self._embed(gallery, face, all_faces, deadline)

        def store(emb: EmbeddedFaces | None) -> EnrollResult:
            if emb is None:
                assert vec is not None
                model = self._vector_model(gallery, vec)
                items = [FaceEmbedding(vec, embedding_sha256(vec), 0, 0.0, meta)]
                ids = self._store_faces(gallery, subject_id, items, model)
                return EnrollResult(ids, [], [], model)
            ids = self.enroll_embedded(gallery, subject_id, emb, meta)
            return EnrollResult(ids, list(emb.faces), list(emb.quality), emb.model)

        return await self._model_then_store(
            "enroll", embed, store, timeout, store_only=vec is not None, image=face.image
        )

    async def identify(
        self,
        gallery: str,
        face: FaceInput,
        top_k: int = 0,
        min_score: float | None = None,
        threshold: float | None = None,
        timeout: float | None = None,
        *,
        all_faces: bool = False,
    ) -> IdentifyResult:
        """The subjects closest to the probe's most prominent face, or (with
        ``all_faces``) to each face of the probe image: one batched embedder
        run and one batched search, one ranked answer per face."""
        validate_gallery_name(gallery)
        vec = self._check_input(face)
        if all_faces and (vec is not None or face.aligned):
            raise InvalidInput("all_faces needs an image that is not an aligned crop")
        limit = top_k or DEFAULT_TOP_K
        given = self._given_threshold(threshold)

        if all_faces:

            def store_all(emb: EmbeddedFaces) -> IdentifyResult:
                model = emb.model
                cut = self._cut(given, model)
                ranked = self._on_store(
                    lambda s: s.identify_many(
                        gallery, list(emb.vectors), model.name, model.version, limit, min_score
                    )
                )
                found: list[Face] = [f for f in emb.faces if f is not None]
                per_face = [
                    FaceIdentity(
                        f,
                        q,
                        [Match(m.subject_id, m.score, m.face_id, m.score >= cut) for m in hits],
                    )
                    for f, q, hits in zip(found, emb.quality, ranked, strict=True)
                ]
                top = per_face[rules.most_prominent(found)]
                return IdentifyResult(top.matches, cut, model, top.face, top.quality, per_face)

            return await self._model_then_store(
                "identify",
                lambda d: self._embed(gallery, face, True, d),
                store_all,
                timeout,
                store_only=False,
                image=face.image,
            )

        def store(q: _Query) -> IdentifyResult:
            query, model, found, report = q
            cut = self._cut(given, model)
            hits = self._on_store(
                lambda s: s.identify(gallery, query, model.name, model.version, limit, min_score)
            )
            matches = [Match(m.subject_id, m.score, m.face_id, m.score >= cut) for m in hits]
            return IdentifyResult(matches, cut, model, found, report)

        return await self._query_then_store("identify", gallery, face, vec, store, timeout)

    async def verify(
        self,
        gallery: str,
        subject_id: str,
        face: FaceInput,
        threshold: float | None = None,
        timeout: float | None = None,
    ) -> VerifyResult:
        validate_gallery_name(gallery)
        validate_subject_id(subject_id)
        vec = self._check_input(face)
        given = self._given_threshold(threshold)

        def store(q: _Query) -> VerifyResult:
            query, model, found, report = q
            cut = self._cut(given, model)
            best = self._on_store(
                lambda s: s.verify(gallery, subject_id, query, model.name, model.version)
            )
            if best is None:
                raise NotFound(
                    f"subject {subject_id!r} has no faces of model {model.name} "
                    f"version {model.version} in gallery {gallery!r}"
                )
            is_match = best.score >= cut
            return VerifyResult(best.score, is_match, cut, best.face_id, model, found, report)

        return await self._query_then_store("verify", gallery, face, vec, store, timeout)

    # -- erasure and listing -------------------------------------------------------------

    async def delete_subject(
        self, gallery: str, subject_id: str, timeout: float | None = None
    ) -> int:
        validate_gallery_name(gallery)
        validate_subject_id(subject_id)
        return await self._store_op(
            "delete_subject", lambda s: s.delete_subject(gallery, subject_id), timeout
        )

    async def delete_face(self, gallery: str, face_id: str, timeout: float | None = None) -> bool:
        """Erase one face; an empty ``gallery`` looks through every gallery
        (face ids are unique across galleries)."""
        if gallery:
            validate_gallery_name(gallery)

        def erase(s: FaceStore) -> bool:
            if gallery:
                return s.delete_face(gallery, face_id)
            # Stops at the first gallery that held it.
            return any(s.delete_face(g.name, face_id) for g in s.list_galleries())

        return await self._store_op("delete_face", erase, timeout)

    async def list_subjects(
        self, gallery: str, page_size: int = 0, page_token: str = "", timeout: float | None = None
    ) -> SubjectPage:
        validate_gallery_name(gallery)
        # Refused before the store is asked, so a bad argument is INVALID_ARGUMENT
        # even while the store is down or the server busy.
        paging.page_size(page_size)
        if page_token:
            paging.decode_subject_token(page_token)
        return await self._store_op(
            "list_subjects", lambda s: s.list_subjects(gallery, page_size, page_token), timeout
        )

    async def get_subject(
        self,
        gallery: str,
        subject_id: str,
        page_size: int = 0,
        page_token: str = "",
        timeout: float | None = None,
    ) -> SubjectFaces:
        """A subject's faces, oldest first, a page at a time."""
        validate_gallery_name(gallery)
        validate_subject_id(subject_id)
        paging.page_size(page_size)
        if page_token:
            paging.decode_face_token(page_token)
        return await self._store_op(
            "get_subject",
            lambda s: s.get_subject(gallery, subject_id, page_size, page_token),
            timeout,
        )


def _clamp01(x: float) -> float:
    return min(1.0, max(0.0, float(x)))
