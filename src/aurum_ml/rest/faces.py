"""The face store over JSON: /api/faces/... paths over core.faces.FaceSearch.

Same conventions as the rest of the gateway: images as base64 in ``image``,
every failure ``{"success": false, "message": ...}`` with the status the
core's error names (rest/errors.py), thin endpoints that only convert. The
fields and meanings follow the FaceStore gRPC service (face_store.proto).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from aurum_ml import types
from aurum_ml.core.faces import FaceInput, FaceSearch
from aurum_ml.errors import InvalidInput
from aurum_ml.rest import schemas as s
from aurum_ml.rest.endpoints import face_out, image_in, model_out, quality_out
from aurum_ml.rest.errors import MappedRoute, error_responses
from aurum_ml.store import FaceRecord, GalleryInfo

#: Where the face store's failures mean more than the gateway's general wording.
_WORDING: dict[int, str] = {
    400: "Bad input: malformed JSON, a wrong or missing field, invalid base64, an "
    "undecodable image, a bad gallery name or subject id, or an argument out of range",
    404: "The gallery or subject does not exist, or the image has no face",
    409: "The gallery was built with another embedding model (or model version): "
    "re-enroll its subjects into a new gallery, or migrate it",
    429: "The server is overloaded; retry later",
    503: "The face store is unavailable (server down or data folder locked), or a "
    "model this call needs is not loaded",
    504: "The call did not finish within the server's deadline",
}


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return error_responses(*codes, wording=_WORDING)


_IMAGE_ERRORS = _errors(400, 404, 409, 413, 415, 429, 500, 503, 504)
_STORE_ERRORS = _errors(400, 404, 409, 429, 500, 503, 504)


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore", allow_inf_nan=False, use_attribute_docstrings=True)


class _Out(BaseModel):
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_serialization_defaults_required=True
    )


# -- requests ----------------------------------------------------------------------


class FaceQuery(_In):
    """Give exactly one of `image` and `embedding`."""

    image: str | None = Field(None, description=s.IMAGE_DOC)
    embedding: list[float] | None = None
    """A 512-d embedding of the server's model (as /api/extract-embedding returns it)."""
    aligned: bool = False
    """The image already is an aligned 112x112 face crop."""
    detector: s.Detector | None = None
    """Face detector; null means the server's default."""


class CreateGalleryRequest(_In):
    name: str
    """1-64 letters, digits, '_', '.' or '-', starting with a letter or digit."""


class EnrollRequest(FaceQuery):
    subject_id: str
    """1-128 characters, no control characters."""
    metadata: dict[str, str] = {}
    """Stored with every face of this call (at most 32 entries); returned by the subject's GET."""
    all_faces: bool = False
    """false: enroll the image's most prominent face. true: every detected face, as this
    same subject."""


class IdentifyRequest(FaceQuery):
    top_k: int = 0
    """Most subjects returned; 0 means 5."""
    min_score: float | None = None
    """Leave out subjects scoring below this; null keeps all top_k."""
    threshold: float | None = None
    """Cosine similarity at or above which a subject matches; null means the server's
    calibrated default (0.35)."""


class VerifyRequest(FaceQuery):
    subject_id: str
    threshold: float | None = None
    """Cosine similarity at or above which the face matches; null means the default."""


# -- responses ---------------------------------------------------------------------


class GalleryModel(_Out):
    name: str
    version: str


class Gallery(_Out):
    name: str
    model: GalleryModel
    """The embedding model the gallery was built with."""
    dim: int
    face_count: int
    subject_count: int | None
    """Distinct subjects; only counted by GET of one gallery, null in lists."""


class GalleryResponse(_Out):
    success: Literal[True] = True
    gallery: Gallery


class ListGalleriesResponse(_Out):
    success: Literal[True] = True
    galleries: list[Gallery]
    """Ordered by name."""


class DeletedResponse(_Out):
    success: Literal[True] = True
    deleted: bool
    """false if it was already gone (not an error)."""


class EnrollResponse(_Out):
    success: Literal[True] = True
    face_ids: list[str]
    """Ids of the stored faces; enrolling the same face again returns the same id."""
    faces: list[s.Face]
    """The enrolled faces; empty for embedding or aligned input."""
    quality: list[s.QualityReport]
    """Quality of each enrolled face; empty for embedding input."""
    model: s.ModelInfo


class SubjectMatch(_Out):
    subject_id: str
    score: float
    """Cosine similarity to the subject's closest face."""
    face_id: str
    is_match: bool


class IdentifyResponse(_Out):
    success: Literal[True] = True
    matches: list[SubjectMatch]
    """Best first."""
    threshold: float
    model: s.ModelInfo
    face: s.Face | None
    """The query face (image input not aligned)."""
    quality: s.QualityReport | None


class VerifyResponse(_Out):
    success: Literal[True] = True
    score: float
    is_match: bool
    threshold: float
    face_id: str
    """The subject's face that scored best."""
    model: s.ModelInfo
    face: s.Face | None
    quality: s.QualityReport | None


class DeleteSubjectResponse(_Out):
    success: Literal[True] = True
    deleted_faces: int
    """Faces erased; 0 if the subject was already gone (not an error)."""


class SubjectSummary(_Out):
    subject_id: str
    face_count: int


class ListSubjectsResponse(_Out):
    success: Literal[True] = True
    subjects: list[SubjectSummary]
    """Ordered by subject_id."""
    next_page_token: str
    """Pass as page_token for the next page; empty on the last page."""


class StoredFace(_Out):
    face_id: str
    image_sha256: str
    """SHA-256 of the source image (or of the embedding, for embedding input)."""
    face_index: int
    quality: float
    """Overall quality at enrollment; 0 for embedding input."""
    metadata: dict[str, str]
    enrolled_at: float
    """Unix time of the first enrollment."""


class GetSubjectResponse(_Out):
    success: Literal[True] = True
    subject_id: str
    faces: list[StoredFace]
    """Oldest first; never the embeddings."""
    face_count: int
    next_page_token: str


# -- conversions -------------------------------------------------------------------


def face_input(body: FaceQuery) -> FaceInput:
    if (body.image is None) == (body.embedding is None):
        raise InvalidInput("give exactly one of image (base64) and embedding")
    if body.embedding is not None:
        if body.aligned:
            raise InvalidInput("aligned applies to image input, not to an embedding")
        return FaceInput(embedding=body.embedding)
    assert body.image is not None
    return FaceInput(image=image_in(body.image), aligned=body.aligned, detector=body.detector)


def gallery_out(g: GalleryInfo) -> Gallery:
    return Gallery(
        name=g.name,
        model=GalleryModel(name=g.model_name, version=g.model_version),
        dim=g.dim,
        face_count=g.face_count,
        subject_count=g.subject_count,
    )


def _face_or_none(face: types.Face | None) -> s.Face | None:
    return face_out(face) if face is not None else None


def stored_face_out(f: FaceRecord) -> StoredFace:
    return StoredFace(
        face_id=f.face_id,
        image_sha256=f.image_sha256,
        face_index=f.face_index,
        quality=f.quality,
        metadata=f.metadata,
        enrolled_at=f.enrolled_at,
    )


# -- the router --------------------------------------------------------------------

_GALLERY = "/api/faces/galleries/{gallery}"


def build_faces_router(faces: FaceSearch) -> APIRouter:
    """The /api/faces/... endpoints over one FaceSearch."""
    router = APIRouter(route_class=MappedRoute, tags=["faces"])

    @router.post(
        "/api/faces/galleries",
        operation_id="createGallery",
        responses=_STORE_ERRORS,
        summary="Create a gallery for the server's embedding model",
    )
    async def create_gallery(body: CreateGalleryRequest) -> GalleryResponse:
        """An existing gallery of the same model is returned as it is."""
        return GalleryResponse(gallery=gallery_out(await faces.create_gallery(body.name)))

    @router.get(
        "/api/faces/galleries",
        operation_id="listGalleries",
        responses=_errors(429, 500, 503, 504),
        summary="List the galleries",
    )
    async def list_galleries() -> ListGalleriesResponse:
        galleries = await faces.list_galleries()
        return ListGalleriesResponse(galleries=[gallery_out(g) for g in galleries])

    @router.get(
        _GALLERY,
        operation_id="getGallery",
        responses=_STORE_ERRORS,
        summary="One gallery, with its subject count",
    )
    async def get_gallery(gallery: str) -> GalleryResponse:
        return GalleryResponse(gallery=gallery_out(await faces.get_gallery(gallery)))

    @router.delete(
        _GALLERY,
        operation_id="deleteGallery",
        responses=_STORE_ERRORS,
        summary="Delete a gallery and all its faces",
    )
    async def delete_gallery(gallery: str) -> DeletedResponse:
        """Deleting a gallery that does not exist is not an error (`deleted` is false)."""
        return DeletedResponse(deleted=await faces.delete_gallery(gallery))

    @router.post(
        f"{_GALLERY}/enroll",
        operation_id="enrollFace",
        responses=_IMAGE_ERRORS,
        summary="Enroll a subject's face",
    )
    async def enroll(gallery: str, body: EnrollRequest) -> EnrollResponse:
        """Detects, aligns and embeds the most prominent face (or every face, with
        all_faces) and stores it; creates the gallery if needed. Retrying the same
        request stores nothing twice."""
        r = await faces.enroll(
            gallery, body.subject_id, face_input(body), body.metadata, body.all_faces
        )
        return EnrollResponse(
            face_ids=r.face_ids,
            faces=[face_out(f) for f in r.faces if f is not None],
            quality=[quality_out(q) for q in r.quality],
            model=model_out(r.model),
        )

    @router.post(
        f"{_GALLERY}/identify",
        operation_id="identifyFace",
        responses=_IMAGE_ERRORS,
        summary="Find the subjects closest to a face",
    )
    async def identify(gallery: str, body: IdentifyRequest) -> IdentifyResponse:
        r = await faces.identify(
            gallery, face_input(body), body.top_k, body.min_score, body.threshold
        )
        return IdentifyResponse(
            matches=[
                SubjectMatch(
                    subject_id=m.subject_id, score=m.score, face_id=m.face_id, is_match=m.is_match
                )
                for m in r.matches
            ],
            threshold=r.threshold,
            model=model_out(r.model),
            face=_face_or_none(r.face),
            quality=quality_out(r.quality) if r.quality is not None else None,
        )

    @router.post(
        f"{_GALLERY}/verify",
        operation_id="verifyFace",
        responses=_IMAGE_ERRORS,
        summary="Is this face the given subject?",
    )
    async def verify(gallery: str, body: VerifyRequest) -> VerifyResponse:
        r = await faces.verify(gallery, body.subject_id, face_input(body), body.threshold)
        return VerifyResponse(
            score=r.score,
            is_match=r.is_match,
            threshold=r.threshold,
            face_id=r.face_id,
            model=model_out(r.model),
            face=_face_or_none(r.face),
            quality=quality_out(r.quality) if r.quality is not None else None,
        )

    @router.get(
        f"{_GALLERY}/subjects",
        operation_id="listSubjects",
        responses=_STORE_ERRORS,
        summary="Subjects of a gallery, a page at a time",
    )
    async def list_subjects(
        gallery: str,
        page_size: int = Query(0, description="0 means 100; at most 1000"),
        page_token: str = Query("", description="next_page_token of the previous page"),
    ) -> ListSubjectsResponse:
        page = await faces.list_subjects(gallery, page_size, page_token)
        return ListSubjectsResponse(
            subjects=[
                SubjectSummary(subject_id=x.subject_id, face_count=x.face_count)
                for x in page.subjects
            ],
            next_page_token=page.next_page_token,
        )

    @router.get(
        f"{_GALLERY}/subjects/{{subject_id:path}}",
        operation_id="getSubject",
        responses=_STORE_ERRORS,
        summary="A subject's faces (never the embeddings), a page at a time",
    )
    async def get_subject(
        gallery: str,
        subject_id: str,
        page_size: int = Query(0, description="0 means 100; at most 1000"),
        page_token: str = Query("", description="next_page_token of the previous page"),
    ) -> GetSubjectResponse:
        r = await faces.get_subject(gallery, subject_id, page_size, page_token)
        return GetSubjectResponse(
            subject_id=r.subject_id,
            faces=[stored_face_out(f) for f in r.faces],
            face_count=r.face_count,
            next_page_token=r.next_page_token,
        )

    @router.delete(
        f"{_GALLERY}/subjects/{{subject_id:path}}",
        operation_id="deleteSubject",
        responses=_STORE_ERRORS,
        summary="Erase every face of a subject",
    )
    async def delete_subject(gallery: str, subject_id: str) -> DeleteSubjectResponse:
        """Erasing a subject that is already gone is not an error (0 faces)."""
        return DeleteSubjectResponse(deleted_faces=await faces.delete_subject(gallery, subject_id))

    @router.delete(
        f"{_GALLERY}/faces/{{face_id}}",
        operation_id="deleteFace",
        responses=_STORE_ERRORS,
        summary="Erase one face",
    )
    async def delete_face(gallery: str, face_id: str) -> DeletedResponse:
        """Erasing a face that is already gone is not an error (`deleted` is false)."""
        return DeletedResponse(deleted=await faces.delete_face(gallery, face_id))

    return router
