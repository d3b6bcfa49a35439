"""The FaceStore gRPC service: convert, call the core, convert back."""

from __future__ import annotations

from typing import Any

import grpc

from aurum.ml.v1 import common_pb2, face_store_pb2, face_store_pb2_grpc
from aurum_ml.core import Core, EnrollResult, FaceInput, IdentifyResult, Match, VerifyResult
from aurum_ml.errors import InvalidInput
from aurum_ml.grpc import converters as cv
from aurum_ml.grpc.errors import mapped
from aurum_ml.store import FaceRecord, GalleryInfo, SubjectFaces
from aurum_ml.types import ModelInfo

Ctx = grpc.aio.ServicerContext[Any, Any]


# -- requests -------------------------------------------------------------------


_FaceRequest = (
    face_store_pb2.EnrollRequest | face_store_pb2.IdentifyRequest | face_store_pb2.VerifyRequest
)


def face_in(msg: _FaceRequest) -> FaceInput:
    """The image | embedding oneof (named ``input`` in every request)."""
    which = msg.WhichOneof("input")
    if which == "image":
        return FaceInput(
            image=cv.image_in(msg.image),
            aligned=msg.aligned,
            detector=cv.detector_in(msg.detector),
        )
    if which == "embedding":
        if msg.aligned:
            raise InvalidInput("aligned applies to image input, not to an embedding")
        return FaceInput(embedding=list(msg.embedding.values))
    raise InvalidInput("give either image (encoded bytes or url) or embedding")


# -- responses ------------------------------------------------------------------


def _model_pb(model_name: str, model_version: str) -> common_pb2.ModelInfo:
    return cv.model_pb(ModelInfo(model_name, model_version))


def gallery_pb(g: GalleryInfo) -> face_store_pb2.Gallery:
    return face_store_pb2.Gallery(
        name=g.name,
        model=_model_pb(g.model_name, g.model_version),
        dim=g.dim,
        face_count=g.face_count,
        subject_count=g.subject_count or 0,
        keeps_face_crops=g.keeps_face_crops,
    )


def enroll_pb(r: EnrollResult) -> face_store_pb2.EnrollResponse:
    return face_store_pb2.EnrollResponse(
        face_ids=r.face_ids,
        faces=[cv.face_pb(f) for f in r.faces if f is not None],
        quality=[cv.quality_pb(q) for q in r.quality],
        model=cv.model_pb(r.model),
    )


def _matches_pb(matches: list[Match]) -> list[face_store_pb2.SubjectMatch]:
    return [
        face_store_pb2.SubjectMatch(
            subject_id=m.subject_id, score=m.score, face_id=m.face_id, is_match=m.is_match
        )
        for m in matches
    ]


def identify_pb(r: IdentifyResult) -> face_store_pb2.IdentifyResponse:
    resp = face_store_pb2.IdentifyResponse(
        matches=_matches_pb(r.matches),
        threshold=r.threshold,
        model=cv.model_pb(r.model),
        faces=[
            face_store_pb2.FaceIdentity(
                face=cv.face_pb(f.face),
                quality=cv.quality_pb(f.quality),
                matches=_matches_pb(f.matches),
            )
            for f in r.faces
        ],
    )
    if r.face is not None:
        resp.face.CopyFrom(cv.face_pb(r.face))
    if r.quality is not None:
        resp.quality.CopyFrom(cv.quality_pb(r.quality))
    return resp


def verify_pb(r: VerifyResult) -> face_store_pb2.VerifyResponse:
    resp = face_store_pb2.VerifyResponse(
        score=r.score,
        is_match=r.is_match,
        threshold=r.threshold,
        face_id=r.face_id,
        model=cv.model_pb(r.model),
    )
    if r.face is not None:
        resp.face.CopyFrom(cv.face_pb(r.face))
    if r.quality is not None:
        resp.quality.CopyFrom(cv.quality_pb(r.quality))
    return resp


def stored_face_pb(f: FaceRecord) -> face_store_pb2.StoredFace:
    return face_store_pb2.StoredFace(
        face_id=f.face_id,
        image_sha256=f.image_sha256,
        face_index=f.face_index,
        quality=f.quality,
        metadata=f.metadata,
        enrolled_at=f.enrolled_at,
    )


def subject_pb(s: SubjectFaces) -> face_store_pb2.GetSubjectResponse:
    return face_store_pb2.GetSubjectResponse(
        subject_id=s.subject_id,
        faces=[stored_face_pb(f) for f in s.faces],
        face_count=s.face_count,
        next_page_token=s.next_page_token,
    )


def _optional(msg: Any, name: str) -> float | None:
    return float(getattr(msg, name)) if msg.HasField(name) else None


# -- the servicer ---------------------------------------------------------------


class FaceStoreServicer(face_store_pb2_grpc.FaceStoreServicer):
    def __init__(self, core: Core) -> None:
        self.core = core

    @mapped
    async def CreateGallery(
        self, request: face_store_pb2.CreateGalleryRequest, context: Ctx
    ) -> face_store_pb2.Gallery:
        return gallery_pb(
            await self.core.create_gallery(
                request.name,
                timeout=context.time_remaining(),
                model_name=request.model.name.strip(),
                model_version=request.model.version.strip(),
                keep_face_crops=request.keep_face_crops,
            )
        )

    @mapped
    async def ListGalleries(
        self, request: face_store_pb2.ListGalleriesRequest, context: Ctx
    ) -> face_store_pb2.ListGalleriesResponse:
        galleries = await self.core.list_galleries(timeout=context.time_remaining())
        return face_store_pb2.ListGalleriesResponse(galleries=[gallery_pb(g) for g in galleries])

    @mapped
    async def GetGallery(
        self, request: face_store_pb2.GetGalleryRequest, context: Ctx
    ) -> face_store_pb2.Gallery:
        return gallery_pb(
            await self.core.get_gallery(request.name, timeout=context.time_remaining())
        )

    @mapped
    async def DeleteGallery(
        self, request: face_store_pb2.DeleteGalleryRequest, context: Ctx
    ) -> face_store_pb2.DeleteGalleryResponse:
        deleted = await self.core.delete_gallery(request.name, timeout=context.time_remaining())
        return face_store_pb2.DeleteGalleryResponse(deleted=deleted)

    @mapped
    async def Enroll(
        self, request: face_store_pb2.EnrollRequest, context: Ctx
    ) -> face_store_pb2.EnrollResponse:
        result = await self.core.enroll(
            request.gallery,
            request.subject_id,
            face_in(request),
            dict(request.metadata),
            request.all_faces,
            timeout=context.time_remaining(),
        )
        return enroll_pb(result)

    @mapped
    async def Identify(
        self, request: face_store_pb2.IdentifyRequest, context: Ctx
    ) -> face_store_pb2.IdentifyResponse:
        result = await self.core.identify(
            request.gallery,
            face_in(request),
            request.top_k,
            _optional(request, "min_score"),
            _optional(request, "threshold"),
            timeout=context.time_remaining(),
            all_faces=request.all_faces,
        )
        return identify_pb(result)

    @mapped
    async def Verify(
        self, request: face_store_pb2.VerifyRequest, context: Ctx
    ) -> face_store_pb2.VerifyResponse:
        result = await self.core.verify(
            request.gallery,
            request.subject_id,
            face_in(request),
            _optional(request, "threshold"),
            timeout=context.time_remaining(),
        )
        return verify_pb(result)

    @mapped
    async def DeleteSubject(
        self, request: face_store_pb2.DeleteSubjectRequest, context: Ctx
    ) -> face_store_pb2.DeleteSubjectResponse:
        n = await self.core.delete_subject(
            request.gallery, request.subject_id, timeout=context.time_remaining()
        )
        return face_store_pb2.DeleteSubjectResponse(deleted_faces=n)

    @mapped
    async def DeleteFace(
        self, request: face_store_pb2.DeleteFaceRequest, context: Ctx
    ) -> face_store_pb2.DeleteFaceResponse:
        deleted = await self.core.delete_face(
            request.gallery, request.face_id, timeout=context.time_remaining()
        )
        return face_store_pb2.DeleteFaceResponse(deleted=deleted)

    @mapped
    async def ListSubjects(
        self, request: face_store_pb2.ListSubjectsRequest, context: Ctx
    ) -> face_store_pb2.ListSubjectsResponse:
        page = await self.core.list_subjects(
            request.gallery,
            request.page_size,
            request.page_token,
            timeout=context.time_remaining(),
        )
        return face_store_pb2.ListSubjectsResponse(
            subjects=[
                face_store_pb2.SubjectSummary(subject_id=s.subject_id, face_count=s.face_count)
                for s in page.subjects
            ],
            next_page_token=page.next_page_token,
        )

    @mapped
    async def GetSubject(
        self, request: face_store_pb2.GetSubjectRequest, context: Ctx
    ) -> face_store_pb2.GetSubjectResponse:
        result = await self.core.get_subject(
            request.gallery,
            request.subject_id,
            request.page_size,
            request.page_token,
            timeout=context.time_remaining(),
        )
        return subject_pb(result)


def add_face_store(server: grpc.aio.Server, core: Core) -> None:
    """Register the FaceStore service on ``server`` (health and reflection
    list it through grpc/server.py's SERVICE_NAMES)."""
    face_store_pb2_grpc.add_FaceStoreServicer_to_server(FaceStoreServicer(core), server)
