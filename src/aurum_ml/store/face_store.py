"""Face galleries over Qdrant: enroll, identify (1:N), verify (1:1), erase.

The store knows nothing about images or models: it is handed unit-length
float32 embeddings together with the name and version of the model that
produced them, and never compares embeddings of two different models.

How a gallery records its model
-------------------------------
A gallery is one Qdrant collection (``prefix + name``) holding a single
*named* dense vector whose name encodes the model::

    face@<quoted model name>@<quoted model version>

(percent-encoded, so any model name fits Qdrant's vector-name rules). This is
the gallery registry: the collection list says which galleries exist, and each
collection's vector config says which model and dimension it was built with.
It was chosen over a registry collection or a metadata point because

* it is written atomically with the collection: there is no second record to
  fall out of step when a process dies between two writes, and deleting the
  collection deletes the registration with it;
* Qdrant itself enforces it: every upsert and every query names the vector of
  the caller's model, so a point of another model cannot be written into the
  gallery, and a query cannot be scored against one, even if another process
  drops and recreates the gallery with another model between our check and
  our call. Mixing model versions is impossible by construction rather than by
  a filter that each call must remember;
* it needs nothing newer than named vectors, which every Qdrant server and
  embedded mode support (collection-level metadata needs a recent server).

Every point also carries the model name and version in its payload (with the
gallery, subject and source-image hash), and every search result is checked
against them before it is returned: a point written behind the store's back
with other model fields is skipped, never returned.

Results are checked on the client rather than with a Qdrant payload filter
because embedded (local) Qdrant evaluates filters in a Python loop over every
point: at 100k faces a filtered query took ~1.6 s against ~0.25 s unfiltered.
Subject-scoped calls (verify, get/delete subject) do filter on ``subject_id``;
that is what they are, and on a server the keyword index makes it cheap.
"""

from __future__ import annotations

import base64
import binascii
import gc
import logging
import math
import re
import sqlite3
import threading
import time
import unicodedata
import urllib.parse
import uuid
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import httpx
import numpy as np
import numpy.typing as npt
from qdrant_client import QdrantClient, models
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from aurum_ml.errors import (
    AurumError,
    FailedPrecondition,
    InvalidInput,
    NotFound,
    ServiceUnavailable,
)
from aurum_ml.store.config import StoreConfig
from aurum_ml.store.ids import face_point_id

log = logging.getLogger(__name__)

GALLERY_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_VECTOR_PREFIX = "face@"

MAX_SUBJECT_ID_LEN = 128
MAX_MODEL_FIELD_LEN = 64
MAX_TOP_K = 1000
MAX_PAGE_SIZE = 1000
MAX_DIM = 65536
# Bounds on caller metadata: payload is kept in memory by embedded Qdrant and
# returned with every GetSubject, so it must stay small.
MAX_METADATA_ITEMS = 32
MAX_METADATA_KEY_LEN = 64
MAX_METADATA_VALUE_LEN = 1024
# Qdrant rejects vector names longer than this (bytes).
_MAX_VECTOR_NAME_BYTES = 200
# Large enrolls go in several requests so a single HTTP body stays well under
# the server's default 32 MiB limit (256 x 512 floats as JSON is ~3 MiB).
_UPSERT_CHUNK = 256
_SCROLL_PAGE = 256
# Identify asks for this many points per wanted subject, then widens the
# search when subjects with many faces crowd the candidate list.
_OVERSAMPLE = 4
_MIN_CANDIDATES = 32

_PAYLOAD_MODEL_FIELDS = ["subject_id", "model_name", "model_version"]


# --------------------------------------------------------------------------
# Public value types


@dataclass(frozen=True, slots=True)
class GalleryInfo:
    name: str
    model_name: str
    model_version: str
    dim: int
    face_count: int
    #: None unless asked for: counting distinct subjects reads every point's
    #: subject_id in embedded mode.
    subject_count: int | None = None


class FaceEmbedding(NamedTuple):
    """One face to enroll; a plain 5-tuple in this order is accepted too."""

    vector: npt.ArrayLike
    image_sha256: str
    face_index: int
    quality: float
    metadata: Mapping[str, str]


#: What enroll accepts per face: a FaceEmbedding or the same fields as a tuple.
EnrollItem = tuple[npt.ArrayLike, str, int, float, Mapping[str, str]]


@dataclass(frozen=True, slots=True)
class SubjectMatch:
    subject_id: str
    score: float
    face_id: str


@dataclass(frozen=True, slots=True)
class SubjectSummary:
    subject_id: str
    face_count: int


@dataclass(frozen=True, slots=True)
class FaceRecord:
    face_id: str
    image_sha256: str
    face_index: int
    quality: float
    metadata: dict[str, str]
    enrolled_at: float


@dataclass(frozen=True, slots=True)
class SubjectDetail:
    subject_id: str
    faces: list[FaceRecord] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _GalleryModel:
    """What a gallery's vector config says about it."""

    model_name: str
    model_version: str
    dim: int
    vector_name: str


@dataclass(frozen=True, slots=True)
class _Face:
    """A validated face ready to become a point."""

    vector: list[float]
    image_sha256: str
    face_index: int
    quality: float
    metadata: dict[str, str]


# --------------------------------------------------------------------------
# Validation helpers


def validate_gallery_name(name: str) -> str:
    if not isinstance(name, str) or not GALLERY_NAME_RE.fullmatch(name):
        raise InvalidInput(
            "gallery name must be 1-64 characters of letters, digits, '_', '.' or '-', "
            "starting with a letter or digit"
        )
    return name


def validate_subject_id(subject_id: str) -> str:
    if not isinstance(subject_id, str) or not subject_id.strip():
        raise InvalidInput("subject_id must be a non-empty string")
    if len(subject_id) > MAX_SUBJECT_ID_LEN:
        raise InvalidInput(f"subject_id must be at most {MAX_SUBJECT_ID_LEN} characters")
    if any(unicodedata.category(ch) == "Cc" for ch in subject_id):
        raise InvalidInput("subject_id must not contain control characters")
    return subject_id


def _validate_model_field(what: str, value: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{what} must be a non-empty string")
    if len(value) > MAX_MODEL_FIELD_LEN:
        raise InvalidInput(f"{what} must be at most {MAX_MODEL_FIELD_LEN} characters")
    return value


def vector_name_for(model_name: str, model_version: str) -> str:
    """The gallery vector name that records (and enforces) its model."""
    _validate_model_field("model_name", model_name)
    _validate_model_field("model_version", model_version)
    name = (
        _VECTOR_PREFIX
        + urllib.parse.quote(model_name, safe="")
        + "@"
        + urllib.parse.quote(model_version, safe="")
    )
    if len(name.encode()) > _MAX_VECTOR_NAME_BYTES:
        raise InvalidInput("model name and version are too long to record in the store")
    return name


def _parse_vector_name(name: str) -> tuple[str, str] | None:
    if not name.startswith(_VECTOR_PREFIX):
        return None
    parts = name[len(_VECTOR_PREFIX) :].split("@")
    if len(parts) != 2 or not parts[0] or not parts[1]:
        return None
    return urllib.parse.unquote(parts[0]), urllib.parse.unquote(parts[1])


def _unit_vector(vec: npt.ArrayLike, dim: int | None, what: str = "embedding") -> list[float]:
    try:
        arr = np.asarray(vec, dtype=np.float32)
    except (TypeError, ValueError):
        raise InvalidInput(f"{what} must be a sequence of numbers") from None
    if arr.ndim != 1 or arr.size == 0:
        raise InvalidInput(f"{what} must be a non-empty 1-D vector")
    if dim is not None and arr.size != dim:
        raise InvalidInput(f"{what} has {arr.size} dimensions, the gallery stores {dim}")
    if arr.size > MAX_DIM:
        raise InvalidInput(f"{what} has more than {MAX_DIM} dimensions")
    if not np.isfinite(arr).all():
        raise InvalidInput(f"{what} contains NaN or infinite values")
    norm = float(np.linalg.norm(arr.astype(np.float64)))
    if norm < 1e-6:
        raise InvalidInput(f"{what} has zero length")
    # Callers should already send unit vectors; normalising again costs
    # nothing and keeps scores true cosines even if one does not.
    unit: list[float] = (arr / np.float32(norm)).astype(np.float32).tolist()
    return unit


def _validate_face(item: EnrollItem, dim: int | None) -> _Face:
    try:
        vector, image_sha256, face_index, quality, metadata = item
    except (TypeError, ValueError):
        raise InvalidInput(
            "each face must be (vector, image_sha256, face_index, quality, metadata)"
        ) from None
    if not isinstance(image_sha256, str) or not _SHA256_RE.fullmatch(image_sha256.lower()):
        raise InvalidInput("image_sha256 must be 64 hexadecimal characters")
    if isinstance(face_index, bool) or not isinstance(face_index, int | np.integer):
        raise InvalidInput("face_index must be an integer")
    if int(face_index) < 0:
        raise InvalidInput("face_index must be >= 0")
    try:
        q = float(quality)
    except (TypeError, ValueError):
        raise InvalidInput("quality must be a number") from None
    if not math.isfinite(q) or not 0.0 <= q <= 1.0:
        raise InvalidInput("quality must be in [0, 1]")
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, Mapping):
        raise InvalidInput("metadata must be a mapping of strings to strings")
    if len(metadata) > MAX_METADATA_ITEMS:
        raise InvalidInput(f"metadata may hold at most {MAX_METADATA_ITEMS} entries")
    meta: dict[str, str] = {}
    for k, v in metadata.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise InvalidInput("metadata keys and values must be strings")
        if not k or len(k) > MAX_METADATA_KEY_LEN:
            raise InvalidInput(f"metadata keys must be 1-{MAX_METADATA_KEY_LEN} characters")
        if len(v) > MAX_METADATA_VALUE_LEN:
            raise InvalidInput(
                f"metadata values must be at most {MAX_METADATA_VALUE_LEN} characters"
            )
        meta[k] = v
    return _Face(
        vector=_unit_vector(vector, dim),
        image_sha256=image_sha256.lower(),
        face_index=int(face_index),
        quality=q,
        metadata=meta,
    )


def _validate_face_id(face_id: str) -> str:
    try:
        return str(uuid.UUID(str(face_id)))
    except ValueError:
        raise InvalidInput("face_id must be a UUID") from None


def _encode_page_token(subject_id: str) -> str:
    return base64.urlsafe_b64encode(subject_id.encode()).decode().rstrip("=")


def _decode_page_token(token: str) -> str:
    try:
        padded = token + "=" * (-len(token) % 4)
        subject_id = base64.b64decode(padded.encode("ascii"), altchars=b"-_", validate=True)
        return validate_subject_id(subject_id.decode())
    except (ValueError, binascii.Error, UnicodeError, InvalidInput):
        raise InvalidInput("page_token is not valid") from None


_NUMBER_RUN = re.compile(r"[-+0-9.eE,\s\[\]]{40,}")


def _safe_text(exc: BaseException) -> str:
    """An exception's message fit for a log line: short, and with long runs of
    numbers (an embedding echoed back by a validation error) cut out."""
    return _NUMBER_RUN.sub(" <numbers> ", str(exc))[:300]


def _payload_str(payload: Mapping[str, Any] | None, key: str) -> str | None:
    if payload is None:
        return None
    value = payload.get(key)
    return value if isinstance(value, str) else None


# --------------------------------------------------------------------------
# The store


class FaceStore:
    """Galleries of face embeddings in Qdrant. Methods are synchronous and
    thread-safe; the server calls them from worker threads."""

    def __init__(self, client: QdrantClient, config: StoreConfig) -> None:
        """Prefer :meth:`open`, which builds the client and maps its failures."""
        self._client = client
        self._config = config
        self._prefix = config.collection_prefix
        self._remote = config.is_remote
        # Embedded Qdrant is plain Python objects and numpy arrays resized on
        # upsert: not safe to search while another thread writes. One lock
        # also makes check-then-write sequences atomic there. The HTTP client
        # for a server is thread-safe and the server orders writes itself.
        self._lock: threading.RLock | None = None if self._remote else threading.RLock()
        self._closed = False

    # ---------------------------------------------------------------- lifecycle

    @classmethod
    def open(cls, config: StoreConfig) -> FaceStore:
        """Connect (server) or open (embedded) the store.

        Raises ServiceUnavailable on any failure, so the caller can start its
        server with the store marked NOT_SERVING and retry later.
        """
        if config.is_remote:
            return cls._open_remote(config)
        if not config.location:
            raise ServiceUnavailable("store location is empty: give ':memory:' or a folder path")
        failure: str | None = None
        client: QdrantClient | None = None
        # When the folder is locked, qdrant-client has already opened its lock
        # file and abandons it on the failed instance; it is closed when the
        # exception is dropped, which would emit a ResourceWarning. The
        # exception is consumed inside this block (no `raise ... from`) so the
        # abandoned objects are freed while the warning is silenced.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                if config.location == ":memory:":
                    client = QdrantClient(location=":memory:")
                else:
                    client = QdrantClient(path=config.location)
            except RuntimeError as exc:
                if "already accessed by another instance" in str(exc):
                    log.warning(
                        "face store folder %s is locked by another process or store instance",
                        config.location,
                    )
                    failure = (
                        "the local face store folder is in use by another process or store "
                        "instance; stop it, or run a Qdrant server and configure its url"
                    )
                else:
                    log.warning(
                        "cannot open face store at %s: %s", config.location, _safe_text(exc)
                    )
                    failure = "the local face store cannot be opened"
            except (OSError, sqlite3.Error, ValueError, KeyError) as exc:
                # Permissions, a full disk, a corrupt meta.json or sqlite file.
                log.warning("cannot open face store at %s: %s", config.location, _safe_text(exc))
                failure = "the local face store cannot be opened (see server log)"
            if failure is not None:
                # Collect the abandoned instance now, while its warning is off.
                gc.collect()
        if failure is not None or client is None:
            raise ServiceUnavailable(failure or "the local face store cannot be opened")
        return cls(client, config)

    @classmethod
    def _open_remote(cls, config: StoreConfig) -> FaceStore:
        try:
            client = QdrantClient(
                url=config.url,
                api_key=config.api_key,
                timeout=max(1, math.ceil(config.timeout_s)),
                # Its probe only warns; ours below fails the open instead.
                check_compatibility=False,
            )
        except (ValueError, TypeError) as exc:
            log.warning("invalid Qdrant url %r: %s", config.url, _safe_text(exc))
            raise ServiceUnavailable("the face store url is not valid") from None
        store = cls(client, config)
        if not store.healthy():
            store.close()
            raise ServiceUnavailable("the face store server is unreachable or rejected the api key")
        return store

    def close(self) -> None:
        """Release the client (and, embedded, the folder lock). Idempotent."""
        with self._locked():
            if self._closed:
                return
            self._closed = True
            try:
                self._client.close()
            except Exception as exc:  # closing must not fail shutdown
                log.warning("error while closing the face store: %s", _safe_text(exc))

    def healthy(self) -> bool:
        if self._closed:
            return False
        try:
            with self._call("health check"):
                self._client.get_collections()
        except AurumError:
            return False
        return True

    def __enter__(self) -> FaceStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---------------------------------------------------------------- galleries

    def create_gallery(
        self, name: str, model_name: str, model_version: str, dim: int
    ) -> GalleryInfo:
        """Create a gallery; an existing one with the same model is returned as is."""
        validate_gallery_name(name)
        vector_name = vector_name_for(model_name, model_version)
        if isinstance(dim, bool) or not isinstance(dim, int) or not 1 <= dim <= MAX_DIM:
            raise InvalidInput(f"dim must be an integer in [1, {MAX_DIM}]")
        with self._call("create gallery"):
            self._ensure_gallery(name, model_name, model_version, dim, vector_name)
            return self._gallery_info(name, count_subjects=False)

    def get_gallery(self, name: str, *, count_subjects: bool = True) -> GalleryInfo:
        validate_gallery_name(name)
        with self._call("get gallery"):
            return self._gallery_info(name, count_subjects=count_subjects)

    def list_galleries(self, *, count_subjects: bool = False) -> list[GalleryInfo]:
        with self._call("list galleries"):
            names = sorted(
                c.name[len(self._prefix) :]
                for c in self._client.get_collections().collections
                if c.name.startswith(self._prefix)
            )
            out: list[GalleryInfo] = []
            for name in names:
                if not GALLERY_NAME_RE.fullmatch(name):
                    continue
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
        with self._call("delete gallery"):
            model = self._read_model(name)
            if model is None:
                return False
            self._client.delete_collection(self._collection(name))
            log.info("deleted gallery %s", name)
            return True

    def count(self, gallery: str) -> int:
        """Number of faces (points) in the gallery."""
        validate_gallery_name(gallery)
        with self._call("count"):
            self._require_model(gallery)
            return self._count(gallery, None)

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
        if not subjects:
            raise InvalidInput("nothing to enroll")
        first_dim: int | None = None
        prepared: list[tuple[str, list[_Face]]] = []
        for subject_id, items in subjects:
            validate_subject_id(subject_id)
            if not items:
                raise InvalidInput(f"no embeddings given for subject {subject_id!r}")
            faces: list[_Face] = []
            for item in items:
                face = _validate_face(item, first_dim)
                first_dim = len(face.vector)
                faces.append(face)
            prepared.append((subject_id, faces))
        assert first_dim is not None

        with self._call("enroll"):
            model = self._read_model(gallery)
            if model is None:
                if not create_gallery:
                    raise NotFound(f"gallery {gallery!r} does not exist")
                model = self._ensure_gallery(
                    gallery, model_name, model_version, first_dim, vector_name
                )
            self._check_model(gallery, model, model_name, model_version)
            if model.dim != first_dim:
                raise InvalidInput(
                    f"embeddings have {first_dim} dimensions; gallery {gallery!r} stores "
                    f"{model.dim}"
                )

            now = time.time()
            points: list[models.PointStruct] = []
            ids_per_subject: list[list[str]] = []
            for subject_id, faces in prepared:
                ids: list[str] = []
                for face in faces:
                    point_id = face_point_id(
                        gallery,
                        subject_id,
                        face.image_sha256,
                        face.face_index,
                        model_name,
                        model_version,
                    )
                    ids.append(point_id)
                    points.append(
                        models.PointStruct(
                            id=point_id,
                            vector={vector_name: face.vector},
                            payload={
                                "gallery": gallery,
                                "subject_id": subject_id,
                                "model_name": model_name,
                                "model_version": model_version,
                                "image_sha256": face.image_sha256,
                                "face_index": face.face_index,
                                "quality": face.quality,
                                "metadata": face.metadata,
                                "enrolled_at": now,
                            },
                        )
                    )
                ids_per_subject.append(ids)

            collection = self._collection(gallery)
            for start in range(0, len(points), _UPSERT_CHUNK):
                chunk = points[start : start + _UPSERT_CHUNK]
                self._keep_enrolled_at(collection, chunk)
                self._client.upsert(collection, points=chunk, wait=True)
            log.info(
                "enrolled %d face(s) of %d subject(s) into gallery %s",
                len(points),
                len(prepared),
                gallery,
            )
            return ids_per_subject

    def _keep_enrolled_at(self, collection: str, chunk: list[models.PointStruct]) -> None:
        """A retry must not move a face's enrollment time."""
        existing = self._client.retrieve(
            collection,
            ids=[p.id for p in chunk],
            with_payload=["enrolled_at"],
            with_vectors=False,
        )
        if not existing:
            return
        first_seen = {
            str(r.id): r.payload["enrolled_at"]
            for r in existing
            if r.payload and isinstance(r.payload.get("enrolled_at"), int | float)
        }
        for p in chunk:
            when = first_seen.get(str(p.id))
            if when is not None and p.payload is not None:
                p.payload["enrolled_at"] = when

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
        if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= MAX_TOP_K:
            raise InvalidInput(f"top_k must be an integer in [1, {MAX_TOP_K}]")
        min_score = self._check_min_score(min_score)
        with self._call("identify"):
            model = self._require_model(gallery)
            self._check_model(gallery, model, model_name, model_version)
            query = _unit_vector(vec, model.dim, "query embedding")
            return self._best_per_subject(
                gallery, model, query, top_k, min_score, subject_filter=None
            )

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
        with self._call("verify"):
            model = self._require_model(gallery)
            self._check_model(gallery, model, model_name, model_version)
            query = _unit_vector(vec, model.dim, "query embedding")
            only_subject = _subject_filter(subject_id)
            matches = self._best_per_subject(
                gallery, model, query, 1, None, subject_filter=only_subject
            )
            if matches:
                return matches[0]
            if self._count(gallery, only_subject) == 0:
                raise NotFound(f"subject {subject_id!r} is not enrolled in gallery {gallery!r}")
            return None

    def _best_per_subject(
        self,
        gallery: str,
        model: _GalleryModel,
        query: list[float],
        top_k: int,
        min_score: float | None,
        subject_filter: models.Filter | None,
    ) -> list[SubjectMatch]:
        # Grouping by subject happens here rather than in query_points_groups:
        # embedded Qdrant implements that by scoring and materialising every
        # point (~4 s at 100k faces). Asking for a few candidates per wanted
        # subject and widening only when subjects with many faces crowd the
        # list gives the same answer, and the server does the same internally.
        collection = self._collection(gallery)
        limit = max(top_k * _OVERSAMPLE, _MIN_CANDIDATES)
        skipped = 0
        while True:
            result = self._client.query_points(
                collection,
                query=query,
                using=model.vector_name,
                query_filter=subject_filter,
                limit=limit,
                with_payload=_PAYLOAD_MODEL_FIELDS,
                with_vectors=False,
            )
            best: dict[str, SubjectMatch] = {}
            skipped = 0
            below_threshold = False
            for point in result.points:
                score = float(point.score)
                if min_score is not None and score < min_score:
                    below_threshold = True
                    break
                payload = point.payload
                subject = _payload_str(payload, "subject_id")
                if (
                    subject is None
                    or _payload_str(payload, "model_name") != model.model_name
                    or _payload_str(payload, "model_version") != model.model_version
                ):
                    skipped += 1
                    continue
                if subject not in best:
                    best[subject] = SubjectMatch(subject, score, str(point.id))
                    if len(best) >= top_k:
                        break
            exhausted = len(result.points) < limit
            if len(best) >= top_k or below_threshold or exhausted:
                break
            limit *= _OVERSAMPLE
        if skipped:
            log.warning(
                "gallery %s holds %d point(s) whose payload names another model; skipped",
                gallery,
                skipped,
            )
        return sorted(best.values(), key=lambda m: (-m.score, m.subject_id))[:top_k]

    @staticmethod
    def _check_min_score(min_score: float | None) -> float | None:
        if min_score is None:
            return None
        try:
            value = float(min_score)
        except (TypeError, ValueError):
            raise InvalidInput("min_score must be a number") from None
        if not math.isfinite(value) or not -1.0 <= value <= 1.0:
            raise InvalidInput("min_score must be in [-1, 1]")
        return value

    # ---------------------------------------------------------------- erasure

    def delete_subject(self, gallery: str, subject_id: str) -> int:
        """Erase every face of a subject; returns how many were deleted.

        Absence is not an error: a missing subject or gallery deletes 0 faces,
        so an erasure request can always be retried until it succeeds.
        """
        validate_gallery_name(gallery)
        validate_subject_id(subject_id)
        with self._call("delete subject"):
            if self._read_model(gallery) is None:
                return 0
            only_subject = _subject_filter(subject_id)
            n = self._count(gallery, only_subject)
            if n:
                self._client.delete(
                    self._collection(gallery),
                    points_selector=models.FilterSelector(filter=only_subject),
                    wait=True,
                )
                log.info("deleted %d face(s) of one subject from gallery %s", n, gallery)
            return n

    def delete_face(self, gallery: str, face_id: str) -> bool:
        """Erase one face; False if it (or the gallery) does not exist."""
        validate_gallery_name(gallery)
        point_id = _validate_face_id(face_id)
        with self._call("delete face"):
            if self._read_model(gallery) is None:
                return False
            collection = self._collection(gallery)
            found = self._client.retrieve(
                collection, ids=[point_id], with_payload=False, with_vectors=False
            )
            if not found:
                return False
            self._client.delete(
                collection,
                points_selector=models.PointIdsList(points=[point_id]),
                wait=True,
            )
            return True

    # ---------------------------------------------------------------- listing

    def list_subjects(
        self, gallery: str, page_size: int = 100, page_token: str = ""
    ) -> tuple[list[SubjectSummary], str]:
        """Subjects ordered by subject_id with their face counts.

        The token is the last subject_id of the previous page, so paging is
        stable while subjects are added or removed. An empty next token means
        the last page.
        """
        validate_gallery_name(gallery)
        if (
            isinstance(page_size, bool)
            or not isinstance(page_size, int)
            or not 1 <= page_size <= MAX_PAGE_SIZE
        ):
            raise InvalidInput(f"page_size must be an integer in [1, {MAX_PAGE_SIZE}]")
        after = _decode_page_token(page_token) if page_token else None
        with self._call("list subjects"):
            self._require_model(gallery)
            counts = self._subject_counts(gallery)
        subjects = sorted(s for s in counts if after is None or s > after)
        page = subjects[:page_size]
        next_token = _encode_page_token(page[-1]) if len(subjects) > page_size else ""
        return [SubjectSummary(s, counts[s]) for s in page], next_token

    def get_subject(self, gallery: str, subject_id: str) -> SubjectDetail:
        """A subject's faces (no embeddings), oldest first. NotFound if none."""
        validate_gallery_name(gallery)
        validate_subject_id(subject_id)
        with self._call("get subject"):
            self._require_model(gallery)
            collection = self._collection(gallery)
            faces: list[FaceRecord] = []
            offset: Any = None
            while True:
                records, offset = self._client.scroll(
                    collection,
                    scroll_filter=_subject_filter(subject_id),
                    limit=_SCROLL_PAGE,
                    offset=offset,
                    with_payload=True,
                    with_vectors=False,
                )
                faces.extend(_face_record(str(r.id), r.payload or {}) for r in records)
                if offset is None:
                    break
        if not faces:
            raise NotFound(f"subject {subject_id!r} is not enrolled in gallery {gallery!r}")
        faces.sort(key=lambda f: (f.enrolled_at, f.image_sha256, f.face_index, f.face_id))
        return SubjectDetail(subject_id, faces)

    # ---------------------------------------------------------------- internals

    def _collection(self, gallery: str) -> str:
        return self._prefix + gallery

    def _read_model(self, gallery: str) -> _GalleryModel | None:
        """The gallery's model, None if it does not exist; FailedPrecondition
        if a collection of that name exists but is not a gallery."""
        collection = self._collection(gallery)
        try:
            info = self._client.get_collection(collection)
        except UnexpectedResponse as exc:
            if exc.status_code == 404:
                return None
            raise
        except ValueError as exc:
            if "not found" in str(exc):
                return None
            raise
        vectors = info.config.params.vectors
        if isinstance(vectors, Mapping) and len(vectors) == 1:
            ((vector_name, params),) = vectors.items()
            parsed = _parse_vector_name(vector_name)
            if parsed is not None:
                return _GalleryModel(parsed[0], parsed[1], int(params.size), vector_name)
        raise FailedPrecondition(
            f"Qdrant collection {collection!r} exists but is not a face gallery; "
            "choose another gallery name or collection prefix"
        )

    def _require_model(self, gallery: str) -> _GalleryModel:
        model = self._read_model(gallery)
        if model is None:
            raise NotFound(f"gallery {gallery!r} does not exist")
        return model

    @staticmethod
    def _check_model(
        gallery: str, model: _GalleryModel, model_name: str, model_version: str
    ) -> None:
        if (model.model_name, model.model_version) != (model_name, model_version):
            raise FailedPrecondition(
                f"gallery {gallery!r} was built with model {model.model_name} "
                f"version {model.model_version}, not {model_name} version {model_version}: "
                "embeddings of different models cannot be compared. Re-enroll the subjects "
                "into a new gallery with the new model, or migrate this gallery by "
                "re-embedding its source images, or switch back to the gallery's model."
            )

    def _ensure_gallery(
        self, name: str, model_name: str, model_version: str, dim: int, vector_name: str
    ) -> _GalleryModel:
        existing = self._read_model(name)
        if existing is None:
            collection = self._collection(name)
            try:
                self._client.create_collection(
                    collection,
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
                if not _is_already_exists(exc):
                    raise
            existing = self._require_model(name)
        self._check_model(name, existing, model_name, model_version)
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
                self._collection(name),
                field_name="subject_id",
                field_schema=models.PayloadSchemaType.KEYWORD,
                wait=True,
            )
        return existing

    def _gallery_info(self, name: str, *, count_subjects: bool) -> GalleryInfo:
        model = self._require_model(name)
        return GalleryInfo(
            name=name,
            model_name=model.model_name,
            model_version=model.model_version,
            dim=model.dim,
            face_count=self._count(name, None),
            subject_count=len(self._subject_counts(name)) if count_subjects else None,
        )

    def _count(self, gallery: str, flt: models.Filter | None) -> int:
        return int(
            self._client.count(self._collection(gallery), count_filter=flt, exact=True).count
        )

    def _subject_counts(self, gallery: str) -> dict[str, int]:
        collection = self._collection(gallery)
        total = self._count(gallery, None)
        if total == 0:
            return {}
        # A facet with a limit of the point count returns every distinct
        # subject in one request (there cannot be more subjects than points).
        response = self._client.facet(collection, key="subject_id", limit=total, exact=True)
        return {
            str(hit.value): int(hit.count) for hit in response.hits if isinstance(hit.value, str)
        }

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
            try:
                yield
            except AurumError:
                raise
            except UnexpectedResponse as exc:
                raise _from_http(op, exc) from None
            except (ResponseHandlingException, httpx.HTTPError, OSError, sqlite3.Error) as exc:
                log.warning("face store %s failed: %s", op, _safe_text(exc))
                raise ServiceUnavailable(
                    f"the face store is unavailable ({op} failed); retry later"
                ) from None
            except RuntimeError as exc:
                # Embedded mode: the instance was closed underneath us.
                log.warning("face store %s failed: %s", op, _safe_text(exc))
                raise ServiceUnavailable(f"the face store is not serving ({op} failed)") from None
            except ValueError as exc:
                raise _from_local_value_error(op, exc) from None


# --------------------------------------------------------------------------
# Error mapping and small helpers


def _subject_filter(subject_id: str) -> models.Filter:
    return models.Filter(
        must=[models.FieldCondition(key="subject_id", match=models.MatchValue(value=subject_id))]
    )


def _face_record(face_id: str, payload: Mapping[str, Any]) -> FaceRecord:
    meta = payload.get("metadata")
    return FaceRecord(
        face_id=face_id,
        image_sha256=str(payload.get("image_sha256", "")),
        face_index=int(payload.get("face_index", 0)),
        quality=float(payload.get("quality", 0.0)),
        metadata={str(k): str(v) for k, v in meta.items()} if isinstance(meta, Mapping) else {},
        enrolled_at=float(payload.get("enrolled_at", 0.0)),
    )


def _is_already_exists(exc: Exception) -> bool:
    if isinstance(exc, UnexpectedResponse):
        return exc.status_code == 409 or (
            exc.status_code == 400 and b"already exists" in (exc.content or b"")
        )
    return "already exists" in str(exc)


def _is_vector_name_error(text: str) -> bool:
    text = text.lower()
    return "vector name" in text or ("vector" in text and "not found" in text)


def _from_http(op: str, exc: UnexpectedResponse) -> AurumError:
    status = exc.status_code or 0
    body = (exc.content or b"")[:300].decode("utf-8", "replace")
    log.warning("face store %s: Qdrant answered %s: %s", op, status, _NUMBER_RUN.sub("<n>", body))
    if status == 404:
        return NotFound(f"not found in the face store ({op})")
    if status in (401, 403):
        return ServiceUnavailable("the face store rejected our credentials")
    if status == 400 and _is_vector_name_error(body):
        # The gallery was recreated for another model between our check and
        # our call: its vector no longer has our model's name.
        return FailedPrecondition(
            "the gallery's model changed during the call; check the gallery and retry"
        )
    if status in (408, 429) or status >= 500:
        return ServiceUnavailable(f"the face store is unavailable ({op} failed); retry later")
    return AurumError(f"the face store rejected the request ({op})")


def _from_local_value_error(op: str, exc: ValueError) -> AurumError:
    text = str(exc)
    if "not found" in text.lower() and "collection" in text.lower():
        return NotFound(f"gallery not found ({op})")
    if _is_vector_name_error(text):
        return FailedPrecondition(
            "the gallery's model changed during the call; check the gallery and retry"
        )
    log.error("face store %s failed: %s: %s", op, type(exc).__name__, _safe_text(exc))
    return AurumError(f"the face store could not complete the request ({op})")
