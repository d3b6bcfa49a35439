"""Face search: enroll, identify (1:N), verify (1:1) and erase, over the face store.

:class:`FaceSearch` joins the pipeline (decode, detect, align, embed, quality)
to the Qdrant storage layer (:class:`aurum_ml.store.FaceStore`). Both are
synchronous, so every call runs them on the FaceService's worker threads,
under the same admission control and deadlines as Detect and Embed.

Decisions worth knowing
-----------------------
* **Which face is enrolled.** With an image, Enroll stores the most prominent
  face (largest box area x detector confidence, as Embed picks it). With
  ``all_faces`` it stores every detected face of the image as the *same*
  subject, embedded in one batched model run. A face's ``face_index`` is its
  position in the detector's output (highest confidence first), so enrolling
  the same image again, with or without ``all_faces``, rewrites the same
  points instead of adding copies.
* **Embedding input.** An embedding must have the model's dimension and be
  finite and non-zero; it stands for the server's own model (the caller got
  it from Embed). Its source hash is the SHA-256 of the vector itself.
* **Model versions.** Every call that writes or compares names the server's
  embedder (name and version from the model manifest); a gallery built with
  another model answers FAILED_PRECONDITION, telling the operator to
  re-enroll or migrate. Listing and deleting work whatever the model.
* **Thresholds.** ``is_match`` is ``score >= threshold`` (cosine); the default
  is ``settings.match_threshold`` (0.35, see bench/calibrate_threshold.py).
  ``min_score`` only trims the returned list.
* **Store unavailable.** If the store cannot be opened at start-up (a Qdrant
  server down, the data folder locked by another process), the server starts
  without it: every call here raises ServiceUnavailable naming why, and
  ``serving`` is False (health NOT_SERVING). Reopening is tried again at most
  every ``settings.store_retry_s`` seconds (10 s), both on a call and from
  :meth:`FaceSearch.monitor`, so the service recovers by itself once the
  folder is free or the server is back. A store that fails mid-call
  (remote server gone) marks the service NOT_SERVING until a call or the
  monitor's probe succeeds again.
* **Privacy.** Embeddings are never logged; DeleteSubject removes a subject's
  points, vectors included, from the store.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import logging
import math
import threading
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np

from aurum_ml import quality, similarity
from aurum_ml.align import align_face
from aurum_ml.core.admission import Deadline
from aurum_ml.core.operations import DetectorName, ImageInput
from aurum_ml.core.pipeline import ALIGNED_SIZE
from aurum_ml.core.service import FaceService
from aurum_ml.errors import InvalidInput, NoFaceFound, NotFound, ServiceUnavailable
from aurum_ml.images import fetch_image_url
from aurum_ml.settings import Settings
from aurum_ml.store import (
    FaceEmbedding,
    FaceRecord,
    FaceStore,
    GalleryInfo,
    StoreConfig,
    SubjectSummary,
    embedding_sha256,
    validate_gallery_name,
    validate_subject_id,
)
from aurum_ml.store.face_store import MAX_PAGE_SIZE
from aurum_ml.types import Face, FloatArray, ModelInfo, QualityReport

log = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_TOP_K = 5
DEFAULT_PAGE_SIZE = 100
_DEFAULT_DIM = 512


# --------------------------------------------------------------------------
# Results


@dataclass(frozen=True, slots=True)
class EnrollResult:
    face_ids: list[str]
    #: One per face id; empty for embedding input, None entries for aligned input.
    faces: list[Face | None]
    #: One per face id; empty for embedding input.
    quality: list[QualityReport]
    model: ModelInfo


@dataclass(frozen=True, slots=True)
class Match:
    subject_id: str
    score: float
    face_id: str
    is_match: bool


@dataclass(frozen=True, slots=True)
class IdentifyResult:
    matches: list[Match]
    threshold: float
    model: ModelInfo
    face: Face | None
    quality: QualityReport | None


@dataclass(frozen=True, slots=True)
class VerifyResult:
    score: float
    is_match: bool
    threshold: float
    face_id: str
    model: ModelInfo
    face: Face | None
    quality: QualityReport | None


@dataclass(frozen=True, slots=True)
class SubjectPage:
    subjects: list[SubjectSummary]
    next_page_token: str


@dataclass(frozen=True, slots=True)
class SubjectFaces:
    subject_id: str
    faces: list[FaceRecord]
    face_count: int
    next_page_token: str


@dataclass(frozen=True, slots=True)
class FaceInput:
    """What a call identifies a face by: an image (bytes or URL) or an embedding."""

    image: ImageInput | None = None
    embedding: Sequence[float] | FloatArray | None = None
    aligned: bool = False
    detector: DetectorName | None = None


@dataclass(frozen=True, slots=True)
class _Embedded:
    """Embeddings of one input, with where they came from."""

    source_sha256: str
    vectors: FloatArray  # (n, dim)
    indices: list[int]
    faces: list[Face | None]
    quality: list[QualityReport] = field(default_factory=list)


class ModelUnavailable(ServiceUnavailable):
    """A model this call needs is not loaded: UNAVAILABLE like a store outage,
    but it says nothing about the store's health."""


# --------------------------------------------------------------------------
# Settings -> store configuration


def store_config(settings: Settings) -> StoreConfig:
    """Where the store lives: a Qdrant server when ``qdrant_url`` is set,
    else embedded, in ``qdrant_location`` (a folder or ``:memory:``) or by
    default in ``data_dir/qdrant``."""
    key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
    location = settings.qdrant_location or str(settings.data_dir / "qdrant")
    return StoreConfig(
        location=location,
        url=settings.qdrant_url or None,
        api_key=key or None,
        timeout_s=settings.qdrant_timeout_s,
        collection_prefix=settings.qdrant_collection_prefix,
    )


def _describe_store(config: StoreConfig) -> str:
    # The url may carry credentials in its userinfo; the api key is never shown.
    if config.is_remote:
        return "Qdrant server"
    if config.location == ":memory:":
        return "in-memory store"
    return f"folder {config.location}"


# --------------------------------------------------------------------------
# The core


class FaceSearch:
    """The FaceStore service's core; transports convert and call these methods."""

    def __init__(
        self,
        service: FaceService,
        config: StoreConfig,
        *,
        retry_s: float = 10.0,
        open_now: bool = True,
    ) -> None:
        self.service = service
        self.config = config
        self.retry_s = retry_s
        spec = service.registry.manifest.models.get("embedder")
        #: The model every stored face and every query is tagged with.
        self.model_name = spec.name if spec is not None else "embedder"
        self.model_version = spec.version if spec is not None else "unknown"
        self.dim = int(spec.embedding_size or _DEFAULT_DIM) if spec is not None else _DEFAULT_DIM
        #: Awaited (on the event loop) whenever ``serving`` changes.
        self.on_change: Callable[[bool], Awaitable[None]] | None = None
        self._store: FaceStore | None = None
        self._why = "the face store has not been opened yet"
        self._failing = False
        self._next_try = 0.0
        self._open_lock = threading.Lock()
        self._closed = False
        self._reported = False
        if open_now:
            self._try_open()
        self._reported = self.serving

    @classmethod
    def create(cls, service: FaceService, settings: Settings) -> FaceSearch:
        return cls(service, store_config(settings), retry_s=settings.store_retry_s)

    # ---------------------------------------------------------------- state

    @property
    def serving(self) -> bool:
        """Whether calls can reach the store (as of the last call or probe)."""
        return self._store is not None and not self._failing and not self._closed

    @property
    def why_not(self) -> str:
        return "" if self.serving else self._why

    @property
    def model(self) -> ModelInfo:
        embedder = self.service.pipeline.embedder
        if embedder is not None:
            return embedder.info
        return ModelInfo(self.model_name, self.model_version, "")

    def _try_open(self) -> FaceStore | None:
        """Open the store unless it is open; at most once per ``retry_s``.
        Runs on a worker thread (or at start-up)."""
        with self._open_lock:
            if self._store is not None or self._closed:
                return self._store
            now = time.monotonic()
            if now < self._next_try:
                return None
            self._next_try = now + self.retry_s
            try:
                self._store = FaceStore.open(self.config)
            except ServiceUnavailable as exc:
                self._why = exc.message
                log.warning(
                    "face store (%s) unavailable: %s; FaceStore is NOT_SERVING, "
                    "retrying at most every %.0f s",
                    _describe_store(self.config),
                    exc.message,
                    self.retry_s,
                )
                return None
            self._failing = False
            log.info("face store open (%s)", _describe_store(self.config))
            return self._store

    def _store_or_raise(self) -> FaceStore:
        if self._closed:
            raise ServiceUnavailable("the face store is closed: the server is shutting down")
        store = self._store or self._try_open()
        if store is None:
            raise ServiceUnavailable(f"the face store is unavailable: {self._why}")
        return store

    def _on_store_result(self, ok: bool, why: str = "") -> None:
        if ok:
            self._failing = False
        else:
            self._failing = True
            self._why = why

    async def _notify(self) -> None:
        now = self.serving
        if now != self._reported:
            self._reported = now
            log.info("FaceStore is now %s", "SERVING" if now else "NOT_SERVING")
            if self.on_change is not None:
                try:
                    await self.on_change(now)
                except Exception:
                    log.exception("publishing the face store's health failed")

    async def _run(
        self, name: str, fn: Callable[[FaceStore, Deadline], T], timeout: float | None
    ) -> T:
        """Run ``fn(store, deadline)`` on a worker thread via FaceService._run."""

        def work(deadline: Deadline) -> T:
            store = self._store_or_raise()
            try:
                result = fn(store, deadline)
            except ModelUnavailable:
                raise
            except ServiceUnavailable as exc:
                self._on_store_result(False, exc.message)
                raise
            self._on_store_result(True)
            return result

        try:
            return await self.service.run(name, work, timeout)
        finally:
            await self._notify()

    async def probe(self) -> bool:
        """Try to bring an unavailable store back (open it, or check a remote
        one that failed); returns ``serving``. Not under admission control."""
        if not self.serving and not self._closed:

            def check() -> None:
                store = self._try_open()
                if store is not None and self._failing:
                    with self._open_lock:
                        if time.monotonic() < self._next_try:
                            return
                        self._next_try = time.monotonic() + self.retry_s
                    if store.healthy():
                        self._on_store_result(True)

            await asyncio.to_thread(check)
            await self._notify()
        return self.serving

    async def monitor(self) -> None:
        """Probe every ``retry_s`` while the store is unavailable, so health
        turns SERVING again without waiting for a call. Run it as a task and
        cancel it on shutdown."""
        interval = max(self.retry_s, 0.5)
        while not self._closed:
            await asyncio.sleep(interval)
            await self.probe()

    def close(self) -> None:
        """Close the store (releasing the data folder). Call after the worker
        pool has drained; idempotent."""
        with self._open_lock:
            self._closed = True
            store, self._store = self._store, None
        if store is not None:
            store.close()

    # ---------------------------------------------------------------- inputs

    def _threshold(self, threshold: float | None) -> float:
        if threshold is None:
            return self.service.settings.match_threshold
        value = float(threshold)
        if not math.isfinite(value) or not -1.0 <= value <= 1.0:
            raise InvalidInput("threshold must be a cosine similarity in [-1, 1]")
        return value

    def _check_input(self, face: FaceInput) -> FloatArray | None:
        """Validate what can be checked before any work; the embedding as a vector."""
        if (face.image is None) == (face.embedding is None):
            raise InvalidInput("give either an image or an embedding")
        if face.embedding is None:
            return None
        vec = similarity.as_vector(face.embedding, "embedding")
        if vec.size != self.dim:
            raise InvalidInput(
                f"embedding has {vec.size} values; the server's model "
                f"{self.model_name} produces {self.dim}"
            )
        if float(np.linalg.norm(vec.astype(np.float64))) < 1e-6:
            raise InvalidInput("embedding is all zeros; it has no direction to compare")
        return vec

    def _image_bytes(self, source: ImageInput) -> bytes:
        if source.data is not None and source.url is not None:
            raise InvalidInput("set either image data or image url, not both")
        if source.url is not None:
            config = self.service.pipeline.config
            return fetch_image_url(source.url, config.allowed_hosts, config.limits.max_bytes)
        if source.data is None:
            raise InvalidInput("no image given: set image data (bytes) or url")
        return source.data

    def _embed(self, face: FaceInput, all_faces: bool, deadline: Deadline) -> _Embedded:
        """Embeddings of an image's prominent face (or all its faces); worker thread."""
        try:
            return self._embed_image(face, all_faces, deadline)
        except ModelUnavailable:
            raise
        except ServiceUnavailable as exc:
            raise ModelUnavailable(exc.message) from None

    def _embed_image(self, face: FaceInput, all_faces: bool, deadline: Deadline) -> _Embedded:
        pipeline = self.service.pipeline
        if pipeline.embedder is None:
            why = pipeline.unavailable.get("embedder", "not loaded")
            raise ModelUnavailable(f"the face embedding model is not available: {why}")
        assert face.image is not None
        if not face.aligned:
            pipeline.detector(face.detector)  # fail fast when it is not serving
        data = self._image_bytes(face.image)
        sha = hashlib.sha256(data).hexdigest()
        if face.aligned:
            result = pipeline.embed(ImageInput(data=data), True, None, deadline)
            return _Embedded(sha, result.embedding.reshape(1, -1), [0], [None], [result.quality])
        image = pipeline.load_image(ImageInput(data=data)).image
        deadline.check()
        found, _ = pipeline.detect_image(image, 0.0, 0, face.detector)
        if not found:
            raise NoFaceFound("no face found in the image")
        if all_faces:
            chosen = list(enumerate(found))
        else:
            # Prominence as Embed defines it: the biggest face, weighted by confidence.
            chosen = [max(enumerate(found), key=lambda p: p[1].bbox.area * p[1].confidence)]
        deadline.check()
        faces = [f for _, f in chosen]
        vectors = pipeline.embed_faces(image, faces)
        reports = [
            quality.assess(align_face(image, f.landmarks, ALIGNED_SIZE), f.bbox, f.landmarks)
            for f in faces
        ]
        return _Embedded(sha, vectors, [i for i, _ in chosen], list(faces), reports)

    def _query(
        self, face: FaceInput, vec: FloatArray | None, deadline: Deadline
    ) -> tuple[FloatArray, Face | None, QualityReport | None]:
        if vec is not None:
            return vec, None, None
        emb = self._embed(face, False, deadline)
        return emb.vectors[0], emb.faces[0], emb.quality[0]

    # ---------------------------------------------------------------- galleries

    async def create_gallery(self, name: str, timeout: float | None = None) -> GalleryInfo:
        validate_gallery_name(name)
        return await self._run(
            "create_gallery",
            lambda s, _: s.create_gallery(name, self.model_name, self.model_version, self.dim),
            timeout,
        )

    async def get_gallery(self, name: str, timeout: float | None = None) -> GalleryInfo:
        validate_gallery_name(name)
        return await self._run("get_gallery", lambda s, _: s.get_gallery(name), timeout)

    async def list_galleries(self, timeout: float | None = None) -> list[GalleryInfo]:
        return await self._run("list_galleries", lambda s, _: s.list_galleries(), timeout)

    async def delete_gallery(self, name: str, timeout: float | None = None) -> bool:
        validate_gallery_name(name)
        return await self._run("delete_gallery", lambda s, _: s.delete_gallery(name), timeout)

    # ---------------------------------------------------------------- enroll

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
        meta = dict(metadata or {})

        def work(store: FaceStore, deadline: Deadline) -> EnrollResult:
            if vec is not None:
                items = [FaceEmbedding(vec, embedding_sha256(vec), 0, 0.0, meta)]
                faces: list[Face | None] = []
                reports: list[QualityReport] = []
            else:
                emb = self._embed(face, all_faces, deadline)
                items = [
                    FaceEmbedding(v, emb.source_sha256, i, _clamp01(q.overall), meta)
                    for v, i, q in zip(emb.vectors, emb.indices, emb.quality, strict=True)
                ]
                faces, reports = emb.faces, emb.quality
            deadline.check()
            ids = store.enroll(gallery, subject_id, items, self.model_name, self.model_version)
            return EnrollResult(ids, faces, reports, self.model)

        return await self._run("enroll", work, timeout)

    # ---------------------------------------------------------------- search

    async def identify(
        self,
        gallery: str,
        face: FaceInput,
        top_k: int = 0,
        min_score: float | None = None,
        threshold: float | None = None,
        timeout: float | None = None,
    ) -> IdentifyResult:
        validate_gallery_name(gallery)
        vec = self._check_input(face)
        limit = top_k or DEFAULT_TOP_K
        cut = self._threshold(threshold)

        def work(store: FaceStore, deadline: Deadline) -> IdentifyResult:
            query, found, report = self._query(face, vec, deadline)
            deadline.check()
            hits = store.identify(
                gallery, query, self.model_name, self.model_version, limit, min_score
            )
            matches = [Match(m.subject_id, m.score, m.face_id, m.score >= cut) for m in hits]
            return IdentifyResult(matches, cut, self.model, found, report)

        return await self._run("identify", work, timeout)

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
        cut = self._threshold(threshold)

        def work(store: FaceStore, deadline: Deadline) -> VerifyResult:
            query, found, report = self._query(face, vec, deadline)
            deadline.check()
            best = store.verify(gallery, subject_id, query, self.model_name, self.model_version)
            if best is None:
                raise NotFound(
                    f"subject {subject_id!r} has no faces of model {self.model_name} "
                    f"version {self.model_version} in gallery {gallery!r}"
                )
            return VerifyResult(
                best.score, best.score >= cut, cut, best.face_id, self.model, found, report
            )

        return await self._run("verify", work, timeout)

    # ---------------------------------------------------------------- erasure

    async def delete_subject(
        self, gallery: str, subject_id: str, timeout: float | None = None
    ) -> int:
        validate_gallery_name(gallery)
        validate_subject_id(subject_id)
        return await self._run(
            "delete_subject", lambda s, _: s.delete_subject(gallery, subject_id), timeout
        )

    async def delete_face(self, gallery: str, face_id: str, timeout: float | None = None) -> bool:
        """Erase one face; an empty ``gallery`` looks through every gallery
        (face ids are unique across galleries)."""
        if gallery:
            validate_gallery_name(gallery)

        def work(store: FaceStore, _: Deadline) -> bool:
            if gallery:
                return store.delete_face(gallery, face_id)
            # Stops at the first gallery that held it.
            return any(store.delete_face(g.name, face_id) for g in store.list_galleries())

        return await self._run("delete_face", work, timeout)

    # ---------------------------------------------------------------- listing

    async def list_subjects(
        self,
        gallery: str,
        page_size: int = 0,
        page_token: str = "",
        timeout: float | None = None,
    ) -> SubjectPage:
        validate_gallery_name(gallery)
        size = _page_size(page_size)

        def work(store: FaceStore, _: Deadline) -> SubjectPage:
            subjects, token = store.list_subjects(gallery, size, page_token)
            return SubjectPage(subjects, token)

        return await self._run("list_subjects", work, timeout)

    async def get_subject(
        self,
        gallery: str,
        subject_id: str,
        page_size: int = 0,
        page_token: str = "",
        timeout: float | None = None,
    ) -> SubjectFaces:
        """A subject's faces, oldest first, a page at a time. The token names
        the last face returned (its sort key), so paging is stable while
        faces are added or removed."""
        validate_gallery_name(gallery)
        validate_subject_id(subject_id)
        size = _page_size(page_size)
        after = _decode_face_token(page_token) if page_token else None

        def work(store: FaceStore, _: Deadline) -> SubjectFaces:
            detail = store.get_subject(gallery, subject_id)
            faces = detail.faces
            rest = [f for f in faces if after is None or _face_key(f) > after]
            page = rest[:size]
            token = _encode_face_token(page[-1]) if len(rest) > size else ""
            return SubjectFaces(detail.subject_id, page, len(faces), token)

        return await self._run("get_subject", work, timeout)


# --------------------------------------------------------------------------
# Helpers


def _clamp01(x: float) -> float:
    return min(1.0, max(0.0, float(x)))


def _page_size(page_size: int) -> int:
    if isinstance(page_size, bool) or not isinstance(page_size, int):
        raise InvalidInput("page_size must be an integer")
    if page_size == 0:
        return DEFAULT_PAGE_SIZE
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(
            f"page_size must be 0 (default {DEFAULT_PAGE_SIZE}) or 1-{MAX_PAGE_SIZE}"
        )
    return page_size


_FaceKey = tuple[float, str, int, str]


def _face_key(f: FaceRecord) -> _FaceKey:
    # The order get_subject returns faces in.
    return (f.enrolled_at, f.image_sha256, f.face_index, f.face_id)


def _encode_face_token(f: FaceRecord) -> str:
    raw = json.dumps(list(_face_key(f)), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _decode_face_token(token: str) -> _FaceKey:
    try:
        padded = token + "=" * (-len(token) % 4)
        value = json.loads(base64.b64decode(padded.encode("ascii"), altchars=b"-_", validate=True))
        when, sha, index, face_id = value
        if not (
            isinstance(when, int | float)
            and isinstance(sha, str)
            and isinstance(index, int)
            and isinstance(face_id, str)
        ):
            raise ValueError
        return (float(when), sha, index, face_id)
    except (ValueError, TypeError, UnicodeError, binascii.Error):
        raise InvalidInput("page_token is not one this server issued") from None
