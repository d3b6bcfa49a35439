"""Face galleries over Qdrant: enroll, identify (1:N), verify (1:1), erase, list.

How a gallery is laid out (and why its model is recorded in its vector name)
is in :mod:`aurum_ml.store.schema`; opening the client and keeping track of
its health is :mod:`aurum_ml.store.connection`'s job.

This module is longer than the others (~460 lines) because it is the one
facade: every public method is one store operation that must run under the
same lock and error translation (``_call``), each is short, and what they
share (gallery registry, layout, grouping search hits by subject, writes,
validation, error mapping, paging) already lives in its own module.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from aurum_ml.errors import (
    AurumError,
    FailedPrecondition,
    InvalidInput,
    NotFound,
    ServiceUnavailable,
)
from aurum_ml.store import paging, schema
from aurum_ml.store.config import StoreConfig
from aurum_ml.store.engine import Engine, IndexState, Point, Where
from aurum_ml.store.errors import safe_text, translated_errors
from aurum_ml.store.galleries import GalleryRegistry, check_model
from aurum_ml.store.migration import Migrations
from aurum_ml.store.schema import GalleryModel, subject_filter, vector_name_for
from aurum_ml.store.search import best_per_subject
from aurum_ml.store.types import (
    EnrollItem,
    FaceRecord,
    GalleryInfo,
    SubjectFaces,
    SubjectMatch,
    SubjectPage,
    SubjectSummary,
)
from aurum_ml.store.validation import (
    unit_vector,
    validate_dim,
    validate_enroll_batch,
    validate_face_id,
    validate_gallery_name,
    validate_min_score,
    validate_subject_id,
    validate_top_k,
)
from aurum_ml.store.writes import upsert_faces

log = logging.getLogger(__name__)
T = TypeVar("T")


class FaceStore:
    """Galleries of face embeddings in Qdrant. Methods are synchronous and
    thread-safe; the server calls them from worker threads."""

    def __init__(self, engine: Engine, config: StoreConfig) -> None:
        """Prefer :func:`aurum_ml.store.open_store`, which starts the engine and
        maps its failures."""
        self.engine = engine
        self._galleries = GalleryRegistry(engine, config.collection_prefix)
        # qdrant-client's embedded mode is not safe to search while another
        # thread writes; one lock also makes check-then-write sequences
        # atomic there. A server, and the Edge store process, order requests
        # themselves.
        self._lock: threading.RLock | None = threading.RLock() if engine.needs_lock else None
        self._closed = False
        # Per gallery: writes wait while a migration switches generations, so
        # no face lands in the generation being retired.
        self._write_locks: dict[str, threading.Lock] = {}
        self._write_locks_guard = threading.Lock()
        #: Moving galleries to another embedding model (see store.migration).
        self.migrations = Migrations(engine, self._galleries, self._call, self._writes)

    # ---------------------------------------------------------------- lifecycle

    @classmethod
    def open(cls, config: StoreConfig) -> FaceStore:
        """The same as :func:`aurum_ml.store.open_store`."""
        # Imported here: the connection module builds FaceStores, so it imports this one.
        from aurum_ml.store.connection import open_store

        return open_store(config)

    def close(self) -> None:
        """Release the engine (and, embedded, the folder lock). Idempotent."""
        with self._locked():
            if self._closed:
                return
            self._closed = True
            try:
                self.engine.close()
            except Exception as exc:  # closing must not fail shutdown
                log.warning("error while closing the face store: %s", safe_text(exc))

    def healthy(self) -> bool:
        if self._closed:
            return False
        try:
            with self._call("health check"):
                return self.engine.healthy()
        except AurumError:
            return False

    def __enter__(self) -> FaceStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---------------------------------------------------------------- galleries

    def create_gallery(
        self,
        name: str,
        model_name: str,
        model_version: str,
        dim: int,
        *,
        keep_face_crops: bool = False,
    ) -> GalleryInfo:
        """Create a gallery; an existing one with the same model is returned as
        is. ``keep_face_crops``: store each face's aligned crop with it, so the
        gallery can be migrated to another model (see schema)."""
        validate_gallery_name(name)
        vector_name = vector_name_for(model_name, model_version, keep_face_crops)
        validate_dim(dim)
        with self._call("create gallery"):
            self._galleries.ensure(name, model_name, model_version, dim, vector_name)
            return self._gallery_info(name, count_subjects=False)

    def get_gallery(self, name: str, *, count_subjects: bool = True) -> GalleryInfo:
        validate_gallery_name(name)
        with self._call("get gallery"):
            return self._gallery_info(name, count_subjects=count_subjects)

    def gallery_model(self, name: str) -> tuple[str, str] | None:
        """The (model name, model version) a gallery is bound to; None when
        there is no such gallery. Cheaper than get_gallery: nothing is counted."""
        validate_gallery_name(name)
        with self._call("get gallery"):
            model = self._galleries.read(name)
            return None if model is None else (model.model_name, model.model_version)

    def list_galleries(self, *, count_subjects: bool = False) -> list[GalleryInfo]:
        with self._call("list galleries"):
            out: list[GalleryInfo] = []
            for name in self._galleries.names():
                try:
                    out.append(self._gallery_info(name, count_subjects=count_subjects))
                except (NotFound, FailedPrecondition):
                    # Deleted since the listing, or a collection under our
                    # prefix that is not a gallery: neither is listed.
                    continue
            return out

    def delete_gallery(self, name: str) -> bool:
        """Delete a gallery and all its faces; False if it did not exist."""
        validate_gallery_name(name)
        with self._call("delete gallery"), self._writes(name):
            generations = self._galleries.generations(name)
            if not generations:
                return False
            # The migration target first: the live generation goes last, so
            # the gallery exists until nothing of it is left.
            for generation in reversed(generations):
                self.engine.delete_collection(generation.collection)
            log.info("deleted gallery %s", name)
            return True

    def collection(self, gallery: str) -> str:
        """The engine's name for the collection of the gallery's live generation."""
        validate_gallery_name(gallery)
        with self._call("get gallery"):
            return self._galleries.require(gallery).collection

    def count(self, gallery: str) -> int:
        """Number of faces (points) in the gallery."""
        validate_gallery_name(gallery)
        with self._call("count"):
            return self._live(gallery, lambda m: self._count(m, None))

    # ------------------------------------------------------------------ enroll

    def enroll(
        self,
        gallery: str,
        subject_id: str,
        embeddings: Sequence[EnrollItem],
        model_name: str,
        model_version: str,
        *,
        create_gallery: bool = True,
    ) -> list[str]:
        """Store one subject's faces and return their face ids, in input order.

        Acknowledged only once Qdrant has applied the write. Idempotent: a
        retried call rewrites the same points (ids are derived from the
        gallery, subject, image hash, face index and model) and keeps their
        original enrolled_at.
        """
        return self.enroll_batch(
            gallery,
            [(subject_id, embeddings)],
            model_name,
            model_version,
            create_gallery=create_gallery,
        )[0]

    def enroll_batch(
        self,
        gallery: str,
        subjects: Sequence[tuple[str, Sequence[EnrollItem]]],
        model_name: str,
        model_version: str,
        *,
        create_gallery: bool = True,
    ) -> list[list[str]]:
        """Bulk form of :meth:`enroll` for imports: several subjects per call.

        Everything is validated before anything is written. Returns one list
        of face ids per subject, in input order.
        """
        validate_gallery_name(gallery)
        vector_name = vector_name_for(model_name, model_version)
        prepared, dim = validate_enroll_batch(subjects)

        with self._call("enroll"), self._writes(gallery):
            model = self._galleries.read(gallery)
            if model is None:
                if not create_gallery:
                    raise NotFound(f"gallery {gallery!r} does not exist")
                model = self._galleries.ensure(gallery, model_name, model_version, dim, vector_name)
            check_model(gallery, model, model_name, model_version)
            if model.dim != dim:
                raise InvalidInput(
                    f"embeddings have {dim} dimensions; gallery {gallery!r} stores {model.dim}"
                )
            if model.keeps_crops:
                if any(f.crop is None for _, faces in prepared for f in faces):
                    raise FailedPrecondition(
                        f"gallery {gallery!r} keeps each face's crop so that it can be "
                        "migrated to another model: enroll images into it, not embeddings"
                    )
            else:
                # Biometric data the gallery's owner did not opt in to keep.
                prepared = [
                    (s, [dataclasses.replace(f, crop=None) for f in faces]) for s, faces in prepared
                ]
            now = time.time()
            points: list[Point] = []
            ids_per_subject: list[list[str]] = []
            for subject_id, faces in prepared:
                mine = schema.face_points(
                    gallery, subject_id, model_name, model_version, faces, now
                )
                ids_per_subject.append([str(p.id) for p in mine])
                points += mine
            upsert_faces(self.engine, model.collection, model.vector_name, points)
            log.info(
                "enrolled %d face(s) of %d subject(s) into gallery %s",
                len(points),
                len(prepared),
                gallery,
            )
            return ids_per_subject

    # ---------------------------------------------------------------- searches

    def identify(
        self,
        gallery: str,
        vec: npt.ArrayLike,
        model_name: str,
        model_version: str,
        top_k: int = 5,
        min_score: float | None = None,
    ) -> list[SubjectMatch]:
        """The top_k subjects closest to ``vec``, best first, each scored by its
        closest face (cosine similarity in [-1, 1])."""
        validate_gallery_name(gallery)
        vector_name_for(model_name, model_version)
        validate_top_k(top_k)
        min_score = validate_min_score(min_score)
        with self._call("identify"):

            def search(model: GalleryModel) -> list[SubjectMatch]:
                check_model(gallery, model, model_name, model_version)
                query = _query_vector(vec, model)
                return best_per_subject(
                    self.engine, model.collection, model, [query], top_k, min_score, None
                )[0]

            return self._live(gallery, search)

    def identify_many(
        self,
        gallery: str,
        vecs: Sequence[npt.ArrayLike],
        model_name: str,
        model_version: str,
        top_k: int = 5,
        min_score: float | None = None,
    ) -> list[list[SubjectMatch]]:
        """:meth:`identify` for several faces at once (every face of a photo),
        in one batched search: one ranked list per vector, in order."""
        validate_gallery_name(gallery)
        vector_name_for(model_name, model_version)
        validate_top_k(top_k)
        min_score = validate_min_score(min_score)
        if not vecs:
            return []
        with self._call("identify"):

            def search(model: GalleryModel) -> list[list[SubjectMatch]]:
                check_model(gallery, model, model_name, model_version)
                queries = [_query_vector(v, model) for v in vecs]
                return best_per_subject(
                    self.engine, model.collection, model, queries, top_k, min_score, None
                )

            return self._live(gallery, search)

    def verify(
        self,
        gallery: str,
        subject_id: str,
        vec: npt.ArrayLike,
        model_name: str,
        model_version: str,
    ) -> SubjectMatch | None:
        """The subject's face closest to ``vec``. NotFound if the subject has
        no faces; None only if none of its faces carries this model (points
        written behind the store's back)."""
        validate_gallery_name(gallery)
        validate_subject_id(subject_id)
        vector_name_for(model_name, model_version)
        only_subject = subject_filter(subject_id)
        with self._call("verify"):

            def search(model: GalleryModel) -> SubjectMatch | None:
                check_model(gallery, model, model_name, model_version)
                query = _query_vector(vec, model)
                (matches,) = best_per_subject(
                    self.engine, model.collection, model, [query], 1, None, only_subject
                )
                if matches:
                    return matches[0]
                if self._count(model, only_subject) == 0:
                    raise NotFound(f"subject {subject_id!r} is not enrolled in gallery {gallery!r}")
                return None

            return self._live(gallery, search)

    # ---------------------------------------------------------------- erasure

    def delete_subject(self, gallery: str, subject_id: str) -> int:
        """Erase every face of a subject; returns how many were deleted.

        Absence is not an error: a missing subject or gallery deletes 0 faces,
        so an erasure request can always be retried until it succeeds.
        """
        validate_gallery_name(gallery)
        validate_subject_id(subject_id)
        with self._call("delete subject"), self._writes(gallery):
            generations = self._galleries.generations(gallery)
            if not generations:
                return 0
            only_subject = subject_filter(subject_id)
            n = self._count(generations[0], only_subject)
            # Every generation: a subject erased during a migration must not
            # come back with the new one.
            for generation in generations:
                self.engine.delete_where(generation.collection, only_subject)
            if n:
                log.info("deleted %d face(s) of one subject from gallery %s", n, gallery)
            return n

    def delete_face(self, gallery: str, face_id: str) -> bool:
        """Erase one face; False if it (or the gallery) does not exist."""
        validate_gallery_name(gallery)
        point_id = validate_face_id(face_id)
        with self._call("delete face"), self._writes(gallery):
            generations = self._galleries.generations(gallery)
            if not generations:
                return False
            live = generations[0]
            found = self.engine.retrieve(live.collection, [point_id], schema.RECORD_FIELDS)
            if not found:
                return False
            # Its copy in a migration's new generation goes too.
            for later in generations[1:]:
                copy = schema.translated_id(gallery, found[0].payload, later)
                self.engine.delete_points(later.collection, [copy])
            self.engine.delete_points(live.collection, [point_id])
            return True

    # ---------------------------------------------------------------- listing

    def list_subjects(self, gallery: str, page_size: int = 0, page_token: str = "") -> SubjectPage:
        """Subjects ordered by subject_id with their face counts, a page at a
        time (page_size 0: the default). The token is the last subject_id of
        the previous page, so paging is stable while subjects come and go."""
        validate_gallery_name(gallery)
        size = paging.page_size(page_size)
        after = paging.decode_subject_token(page_token) if page_token else None
        with self._call("list subjects"):
            found = self._live(
                gallery,
                lambda m: self.engine.values(m.collection, schema.SUBJECT_ID, after, size),
            )
        page = [SubjectSummary(s, n) for s, n in found.values]
        token = paging.encode_token([page[-1].subject_id]) if found.more and page else ""
        return SubjectPage(page, token)

    def get_subject(
        self, gallery: str, subject_id: str, page_size: int = 0, page_token: str = ""
    ) -> SubjectFaces:
        """A subject's faces (no embeddings), oldest first, a page at a time.
        The token is the sort key of the last face returned, so paging is
        stable while faces are added or removed. NotFound if it has none."""
        validate_gallery_name(gallery)
        validate_subject_id(subject_id)
        size = paging.page_size(page_size)
        after = paging.decode_face_token(page_token) if page_token else None
        with self._call("get subject"):
            faces = self._live(gallery, lambda m: self._subject_faces(m, subject_id))
        if not faces:
            raise NotFound(f"subject {subject_id!r} is not enrolled in gallery {gallery!r}")
        faces.sort(key=_face_key)
        rest = [f for f in faces if after is None or _face_key(f) > after]
        page = rest[:size]
        token = paging.encode_token(_face_key(page[-1])) if len(rest) > size else ""
        return SubjectFaces(subject_id, page, len(faces), token)

    # ---------------------------------------------------------------- internals

    def _gallery_info(self, name: str, *, count_subjects: bool) -> GalleryInfo:
        def info(model: GalleryModel) -> GalleryInfo:
            return GalleryInfo(
                name=name,
                model_name=model.model_name,
                model_version=model.model_version,
                dim=model.dim,
                face_count=self._count(model, None),
                subject_count=(
                    self.engine.distinct(model.collection, schema.SUBJECT_ID)
                    if count_subjects
                    else None
                ),
                keeps_face_crops=model.keeps_crops,
            )

        return self._live(name, info)

    def index_state(self, gallery: str) -> IndexState:
        """How much of the gallery its vector index covers (benchmarks, tests)."""
        validate_gallery_name(gallery)
        with self._call("index state"):
            state = self._live(gallery, lambda m: self.engine.index_state(m.collection))
        if state is None:
            raise NotFound(f"gallery {gallery!r} does not exist")
        return state

    def _live(self, gallery: str, fn: Callable[[GalleryModel], T]) -> T:
        """``fn`` on the gallery's live generation. A migration that switched
        generations between our lookup and our call deleted the one we had:
        the call is made again on the new one, so no reader sees it fail."""
        model = self._galleries.require(gallery)
        try:
            return fn(model)
        except NotFound:
            now = self._galleries.read(gallery)
            if now is None or now.collection == model.collection:
                raise
            return fn(now)

    def _count(self, model: GalleryModel, where: Where) -> int:
        return self.engine.count(model.collection, where)

    def _subject_faces(self, model: GalleryModel, subject_id: str) -> list[FaceRecord]:
        # All of them, whatever the page: the order is by payload, which
        # Qdrant's scroll (ordered by point id) cannot give.
        records = self.engine.scroll(
            model.collection, subject_filter(subject_id), schema.RECORD_FIELDS
        )
        return [schema.face_record(r.id, r.payload) for r in records]

    @contextmanager
    def _writes(self, gallery: str) -> Iterator[None]:
        """Hold the gallery's write lock (see ``_write_locks``)."""
        with self._write_locks_guard:
            lock = self._write_locks.setdefault(gallery, threading.Lock())
        with lock:
            yield

    @contextmanager
    def _locked(self) -> Iterator[None]:
        if self._lock is None:
            yield
        else:
            with self._lock:
                yield

    @contextmanager
    def _call(self, op: str) -> Iterator[None]:
        """Serialise (embedded mode) and turn client failures into AurumErrors
        whose messages are safe to show a client."""
        with self._locked():
            if self._closed:
                raise ServiceUnavailable("the face store is closed")
            with translated_errors(op):
                yield


def _query_vector(vec: npt.ArrayLike, model: GalleryModel) -> npt.NDArray[np.float32]:
    return unit_vector(vec, "query embedding", model.dim, f"the gallery stores {model.dim}")


def _face_key(f: FaceRecord) -> tuple[float, str, int, str]:
    # The order get_subject returns faces in, and what its page token names.
    return (f.enrolled_at, f.image_sha256, f.face_index, f.face_id)
