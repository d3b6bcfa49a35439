"""Thin endpoints: JSON to core arguments, call the core, core results to JSON.

Like the gRPC servicers, nothing here decides anything about faces or images;
what is checked here is only what JSON adds (base64 text, list shapes).
"""

from __future__ import annotations

import asyncio
import base64
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Header, Request, Response

from aurum_ml import __version__, similarity, types
from aurum_ml.core import (
    DEFAULT_MODEL,
    AlignOp,
    ConvertOp,
    ImageInput,
    ModelChoice,
    NormalizeOp,
    Operation,
    QualityOp,
    ResizeOp,
)
from aurum_ml.core import Core as CoreFacade
from aurum_ml.images.base64text import decode_base64_image
from aurum_ml.rest import schemas as s
from aurum_ml.rest.errors import MappedRoute, error_responses

router = APIRouter(route_class=MappedRoute)

_IMAGE_ERRORS = error_responses(400, 401, 404, 409, 413, 415, 429, 500, 503, 504)
_SIMILARITY_ERRORS = error_responses(400, 401, 413, 415, 429, 500, 503)
_LEGACY_SERVICES = ("detection", "embedding", "processing", "similarity")


def _core(request: Request) -> CoreFacade:
    core: CoreFacade = request.app.state.core
    return core


#: The core, as every endpoint takes it (the app's state holds the one instance).
Core = Annotated[CoreFacade, Depends(_core)]


# -- JSON -> core ------------------------------------------------------------------


#: The sticky routing key as a header, for clients that cannot change the body;
#: the body's model.routing_key wins.
RoutingKey = Annotated[
    str,
    Header(
        alias="x-routing-key",
        description="Sticky key for the traffic split (e.g. the app's user id); "
        "the body's model.routing_key wins",
    ),
]


def model_in(sel: s.ModelSelector | None, routing_key: str = "") -> ModelChoice:
    if sel is None:
        return ModelChoice(routing_key=routing_key) if routing_key else DEFAULT_MODEL
    return ModelChoice(sel.name.strip(), sel.version.strip(), sel.routing_key or routing_key)


def image_in(value: str) -> ImageInput:
    """Decode the ``image`` field (images.decode_base64_image says what is accepted)."""
    return ImageInput(data=decode_base64_image(value))


def landmarks_in(lm: s.Landmarks) -> types.Landmarks:
    pts = (lm.left_eye, lm.right_eye, lm.nose, lm.left_mouth, lm.right_mouth)
    return types.Landmarks(*(types.Point(x, y) for x, y in pts))


_NAMED_OPERATIONS: dict[str, Operation] = {
    "align": AlignOp(),
    "normalize": NormalizeOp(),
    "quality": QualityOp(),
}


def operation_in(op: s.Operation | str) -> Operation:
    if isinstance(op, str):
        return _NAMED_OPERATIONS[op]
    if isinstance(op, s.ResizeOperation):
        return ResizeOp(op.width, op.height, op.keep_aspect)
    if isinstance(op, s.NormalizeOperation):
        return NormalizeOp(op.mode)
    if isinstance(op, s.AlignOperation):
        return AlignOp(landmarks_in(op.landmarks) if op.landmarks else None, op.size)
    if isinstance(op, s.QualityOperation):
        return QualityOp(landmarks_in(op.landmarks) if op.landmarks else None)
    return ConvertOp(op.format)


def candidates_in(candidates: list[list[float]]) -> types.FloatArray:
    return similarity.as_candidates(candidates)


# -- core -> JSON ------------------------------------------------------------------


def face_out(face: types.Face) -> s.Face:
    b, lm = face.bbox, face.landmarks
    return s.Face(
        bbox=s.BoundingBox(x=b.x, y=b.y, width=b.width, height=b.height),
        landmarks=s.Landmarks(
            left_eye=(lm.left_eye.x, lm.left_eye.y),
            right_eye=(lm.right_eye.x, lm.right_eye.y),
            nose=(lm.nose.x, lm.nose.y),
            left_mouth=(lm.left_mouth.x, lm.left_mouth.y),
            right_mouth=(lm.right_mouth.x, lm.right_mouth.y),
        ),
        confidence=face.confidence,
    )


def model_out(info: types.ModelInfo) -> s.ModelInfo:
    return s.ModelInfo(
        name=info.name, version=info.version, execution_provider=info.execution_provider
    )


def quality_out(q: types.QualityReport) -> s.QualityReport:
    return s.QualityReport(
        overall=q.overall,
        sharpness=q.sharpness,
        brightness=q.brightness,
        face_size=q.face_size,
        frontality=q.frontality,
    )


# -- endpoints ---------------------------------------------------------------------


@router.post(
    "/api/detect-face",
    operation_id="detectFace",
    responses=_IMAGE_ERRORS,
    summary="Find faces in an image",
)
async def detect_face(
    body: s.DetectFaceRequest, core: Core, routing_key: RoutingKey = ""
) -> s.DetectFaceResponse:
    """Boxes, five landmarks and a confidence per face, in original-image pixels."""
    d = await core.detect(
        image_in(body.image),
        body.min_confidence,
        body.max_faces,
        body.detector,
        model=model_in(body.model, routing_key),
    )
    return s.DetectFaceResponse(
        faces=[face_out(f) for f in d.faces],
        image_width=d.image_width,
        image_height=d.image_height,
        model=model_out(d.model),
    )


@router.post(
    "/api/extract-embedding",
    operation_id="extractEmbedding",
    responses=_IMAGE_ERRORS,
    summary="Embed the most prominent face",
)
async def extract_embedding(
    body: s.ExtractEmbeddingRequest, core: Core, routing_key: RoutingKey = ""
) -> s.ExtractEmbeddingResponse:
    """A 512-d L2-normalised ArcFace embedding; 404 when the image has no face."""
    e = await core.embed(
        image_in(body.image), body.aligned, body.detector, model=model_in(body.model, routing_key)
    )
    return s.ExtractEmbeddingResponse(
        embedding=s.Embedding(
            embedding=e.embedding.tolist(), quality=e.quality.overall, confidence=e.confidence
        ),
        face=face_out(e.face) if e.face is not None else None,
        quality_report=quality_out(e.quality),
        model=model_out(e.model),
    )


@router.post(
    "/api/process-image",
    operation_id="processImage",
    responses=_IMAGE_ERRORS,
    summary="Apply image operations",
)
async def process_image(body: s.ProcessImageRequest, core: Core) -> s.ProcessImageResponse:
    """Applies the operations in order and returns the resulting image in base64."""
    p = await core.process(
        image_in(body.image),
        [operation_in(op) for op in body.operations],
        body.output_format,
        body.encode_quality,
    )
    return s.ProcessImageResponse(
        image=base64.b64encode(p.data).decode("ascii"),
        format=p.format,  # type: ignore[arg-type]  # the core only encodes these formats
        width=p.width,
        height=p.height,
        quality=quality_out(p.quality) if p.quality is not None else None,
        faces=[face_out(f) for f in p.faces],
        applied=p.applied,
    )


@router.post(
    "/api/calculate-similarity",
    operation_id="calculateSimilarity",
    responses=_SIMILARITY_ERRORS,
    summary="Compare two embeddings, or one query against many",
)
async def calculate_similarity(
    body: Annotated[s.SimilarityRequest, Body()], core: Core
) -> s.CompareResponse | s.CompareManyResponse:
    """Send `embedding_a` and `embedding_b` for one score, or `query` and
    `candidates` for one score per candidate and the best matches."""
    if isinstance(body, s.CompareManyRequest):
        request = body

        def compare() -> types.CompareManyResult:
            return core.compare_many(
                request.query,
                candidates_in(request.candidates),
                request.metric,
                request.threshold,
                request.top_k,
            )

        values = len(body.candidates) * max(1, len(body.query))
        # A big one holds the GIL a while converting its lists: off the loop.
        many = compare() if values <= similarity.INLINE_VALUES else await asyncio.to_thread(compare)
        return s.CompareManyResponse(
            scores=many.scores.tolist(),
            matches=[
                s.Match(index=m.index, score=m.score, is_match=m.is_match) for m in many.matches
            ],
            threshold=many.threshold,
            metric=body.metric,
        )
    one = core.compare(body.embedding_a, body.embedding_b, body.metric, body.threshold)
    return s.CompareResponse(
        similarity=one.score, is_match=one.is_match, threshold=one.threshold, metric=body.metric
    )


@router.get(
    "/api/health",
    operation_id="health",
    responses={
        503: {"model": s.HealthResponse, "description": "At least one service is not serving"},
        **error_responses(500),
    },
    summary="Whether each service can answer",
)
async def health(core: Core, response: Response) -> s.HealthResponse:
    """200 when every service is serving, 503 otherwise (a model failed to load,
    or the server is shutting down)."""
    serving = core.serving()
    doors = core.door_health()

    def state(name: str) -> s.ServiceHealth:
        return s.ServiceHealth(status="SERVING" if serving.get(name) else "NOT_SERVING")

    face_store = None
    if core.store is not None:
        # serving() also knows the server is shutting down; the reason is the
        # store's own (its messages are written for clients, never raw errors).
        ok = serving.get("faces", False)
        why = "" if ok else (core.store.why_not or "the server is shutting down")
        face_store = s.ComponentHealth(status="SERVING" if ok else "NOT_SERVING", reason=why)
    queue = None
    if "queue" in doors:
        ok, why = doors["queue"]
        queue = s.ComponentHealth(status="SERVING" if ok else "NOT_SERVING", reason=why)
    failed = [m for m in core.models() if m.error and not m.loaded]
    models = None
    if failed:
        why = "; ".join(f"{m.role} {m.info.name} {m.info.version}: {m.error}" for m in failed)
        models = s.ComponentHealth(status="NOT_SERVING", reason=why)
    # The legacy contract's four services decide; the face store and the queue
    # (newer, and optional) are listed but do not make these unhealthy.
    healthy = all(serving.get(name, False) for name in _LEGACY_SERVICES)
    response.status_code = 200 if healthy else 503
    return s.HealthResponse(
        status="healthy" if healthy else "unhealthy",
        services=s.Services(
            faceDetection=state("detection"),
            faceEmbedding=state("embedding"),
            imageProcessing=state("processing"),
            similarity=state("similarity"),
            faceStore=face_store,
            queue=queue,
            models=models,
        ),
    )


@router.get(
    "/api/status",
    operation_id="status",
    responses=error_responses(401, 429, 500),
    summary="Models, uptime and counts",
)
async def status(core: Core) -> s.StatusResponse:
    """Loaded models (and why any is not), uptime and calls per operation."""
    return s.StatusResponse(
        version=__version__,
        uptime_s=core.uptime_s(),
        models=[
            s.ModelStatus(
                role=m.role,
                name=m.info.name,
                version=m.info.version,
                execution_provider=m.info.execution_provider,
                loaded=m.loaded,
                error=m.error,
            )
            for m in core.models()
        ],
        requests=dict(core.requests),
        queue=_queue_status(core),
    )


def _queue_status(core: Core) -> s.QueueStatus | None:
    doors = core.door_health()
    if "queue" not in doors:
        return None
    ok, why = doors["queue"]
    return s.QueueStatus(connected=ok, reason=why)
