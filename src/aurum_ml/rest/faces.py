"""The face store over JSON: /api/faces/... paths over the core.

Same conventions as the rest of the gateway: images as base64 in ``image``,
every failure ``{"success": false, "message": ...}`` with the status the
core's error names (rest/errors.py), thin endpoints that only convert.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from aurum_ml import types
from aurum_ml.core import FaceInput, Match
from aurum_ml.errors import InvalidInput
from aurum_ml.rest import schemas as s
from aurum_ml.rest.endpoints import Core, face_out, image_in, model_out, quality_out
from aurum_ml.rest.errors import MappedRoute, error_responses
from aurum_ml.rest.face_schemas import (
    CreateGalleryRequest,
    DeletedResponse,
    DeleteSubjectResponse,
    EnrollRequest,
    EnrollResponse,
    FaceIdentity,
    FaceQuery,
    Gallery,
    GalleryModel,
    GalleryResponse,
    GetSubjectResponse,
    IdentifyRequest,
    IdentifyResponse,
    ListGalleriesResponse,
    ListSubjectsResponse,
    StoredFace,
    SubjectMatch,
    SubjectSummary,
    VerifyRequest,
    VerifyResponse,
)
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
        keeps_face_crops=g.keeps_face_crops,
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


router = APIRouter(route_class=MappedRoute, tags=["faces"])


@router.post(
    "/api/faces/galleries",
    operation_id="createGallery",
    responses=_STORE_ERRORS,
    summary="Create a gallery bound to an embedding model",
)
async def create_gallery(body: CreateGalleryRequest, core: Core) -> GalleryResponse:
    """An existing gallery of the same model is returned as it is."""
    name, version = (body.model.name, body.model.version) if body.model else ("", "")
    created = await core.create_gallery(
        body.name,
        model_name=name.strip(),
        model_version=version.strip(),
        keep_face_crops=body.keep_face_crops,
    )
    return GalleryResponse(gallery=gallery_out(created))


@router.get(
    "/api/faces/galleries",
    operation_id="listGalleries",
    responses=_errors(429, 500, 503, 504),
    summary="List the galleries",
)
async def list_galleries(core: Core) -> ListGalleriesResponse:
    galleries = await core.list_galleries()
    return ListGalleriesResponse(galleries=[gallery_out(g) for g in galleries])


@router.get(
    _GALLERY,
    operation_id="getGallery",
    responses=_STORE_ERRORS,
    summary="One gallery, with its subject count",
)
async def get_gallery(gallery: str, core: Core) -> GalleryResponse:
    return GalleryResponse(gallery=gallery_out(await core.get_gallery(gallery)))


@router.delete(
    _GALLERY,
    operation_id="deleteGallery",
    responses=_STORE_ERRORS,
    summary="Delete a gallery and all its faces",
)
async def delete_gallery(gallery: str, core: Core) -> DeletedResponse:
    """Deleting a gallery that does not exist is not an error (`deleted` is false)."""
    return DeletedResponse(deleted=await core.delete_gallery(gallery))


@router.post(
    f"{_GALLERY}/enroll",
    operation_id="enrollFace",
    responses=_IMAGE_ERRORS,
    summary="Enroll a subject's face",
)
async def enroll(gallery: str, body: EnrollRequest, core: Core) -> EnrollResponse:
    """Detects, aligns and embeds the most prominent face (or every face, with
    all_faces) and stores it; creates the gallery if needed. Retrying the same
    request stores nothing twice."""
    r = await core.enroll(gallery, body.subject_id, face_input(body), body.metadata, body.all_faces)
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
async def identify(gallery: str, body: IdentifyRequest, core: Core) -> IdentifyResponse:
    r = await core.identify(
        gallery,
        face_input(body),
        body.top_k,
        body.min_score,
        body.threshold,
        all_faces=body.all_faces,
    )
    return IdentifyResponse(
        matches=_matches_out(r.matches),
        threshold=r.threshold,
        model=model_out(r.model),
        face=_face_or_none(r.face),
        quality=quality_out(r.quality) if r.quality is not None else None,
        faces=[
            FaceIdentity(
                face=face_out(f.face),
                quality=quality_out(f.quality),
                matches=_matches_out(f.matches),
            )
            for f in r.faces
        ],
    )


def _matches_out(matches: list[Match]) -> list[SubjectMatch]:
    return [
        SubjectMatch(subject_id=m.subject_id, score=m.score, face_id=m.face_id, is_match=m.is_match)
        for m in matches
    ]


@router.post(
    f"{_GALLERY}/verify",
    operation_id="verifyFace",
    responses=_IMAGE_ERRORS,
    summary="Is this face the given subject?",
)
async def verify(gallery: str, body: VerifyRequest, core: Core) -> VerifyResponse:
    r = await core.verify(gallery, body.subject_id, face_input(body), body.threshold)
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
    *,
    core: Core,
) -> ListSubjectsResponse:
    page = await core.list_subjects(gallery, page_size, page_token)
    return ListSubjectsResponse(
        subjects=[
            SubjectSummary(subject_id=x.subject_id, face_count=x.face_count) for x in page.subjects
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
    *,
    core: Core,
) -> GetSubjectResponse:
    r = await core.get_subject(gallery, subject_id, page_size, page_token)
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
async def delete_subject(gallery: str, subject_id: str, core: Core) -> DeleteSubjectResponse:
    """Erasing a subject that is already gone is not an error (0 faces)."""
    return DeleteSubjectResponse(deleted_faces=await core.delete_subject(gallery, subject_id))


@router.delete(
    f"{_GALLERY}/faces/{{face_id}}",
    operation_id="deleteFace",
    responses=_STORE_ERRORS,
    summary="Erase one face",
)
async def delete_face(gallery: str, face_id: str, core: Core) -> DeletedResponse:
    """Erasing a face that is already gone is not an error (`deleted` is false)."""
    return DeletedResponse(deleted=await core.delete_face(gallery, face_id))
