"""Protobuf <-> domain types. Protobuf objects never travel past this module."""

from __future__ import annotations

from collections.abc import Sequence

from aurum.ml.v1 import (
    common_pb2,
    detection_pb2,
    embedding_pb2,
    processing_pb2,
    similarity_pb2,
)
from aurum_ml import similarity
from aurum_ml.core import (
    AlignOp,
    ConvertOp,
    ImageInput,
    NormalizeOp,
    Operation,
    QualityOp,
    ResizeOp,
)
from aurum_ml.core.operations import DetectorName, ImageFormat, ModelChoice
from aurum_ml.errors import AurumError, InvalidInput
from aurum_ml.types import (
    CompareManyResult,
    Detection,
    EmbeddingResult,
    Face,
    FloatArray,
    Landmarks,
    ModelInfo,
    Point,
    ProcessedImage,
    QualityReport,
    SimilarityResult,
)

_DETECTORS: dict[int, DetectorName | None] = {
    common_pb2.DETECTOR_UNSPECIFIED: None,
    common_pb2.DETECTOR_SCRFD: "scrfd",
    common_pb2.DETECTOR_MTCNN: "mtcnn",
    common_pb2.DETECTOR_YUNET: "yunet",
}
_FORMATS: dict[int, ImageFormat | None] = {
    processing_pb2.IMAGE_FORMAT_UNSPECIFIED: None,
    processing_pb2.IMAGE_FORMAT_JPEG: "jpeg",
    processing_pb2.IMAGE_FORMAT_PNG: "png",
    processing_pb2.IMAGE_FORMAT_WEBP: "webp",
}
_FORMAT_TO_PB: dict[str, processing_pb2.ImageFormat.ValueType] = {
    "jpeg": processing_pb2.IMAGE_FORMAT_JPEG,
    "png": processing_pb2.IMAGE_FORMAT_PNG,
    "webp": processing_pb2.IMAGE_FORMAT_WEBP,
}
_METRICS: dict[int, str] = {
    similarity_pb2.METRIC_UNSPECIFIED: "cosine",
    similarity_pb2.METRIC_COSINE: "cosine",
    similarity_pb2.METRIC_EUCLIDEAN: "euclidean",
}
_METRIC_TO_PB = {
    "cosine": similarity_pb2.METRIC_COSINE,
    "euclidean": similarity_pb2.METRIC_EUCLIDEAN,
}


# -- requests -------------------------------------------------------------------


def image_in(msg: common_pb2.Image) -> ImageInput:
    # An unset Image field reads as an empty message, whose oneof is unset too.
    which = msg.WhichOneof("source")
    if which == "data":
        return ImageInput(data=msg.data)
    if which == "url":
        return ImageInput(url=msg.url)
    raise InvalidInput("no image given: set image.data (encoded bytes) or image.url")


def detector_in(value: int) -> DetectorName | None:
    if value not in _DETECTORS:
        raise InvalidInput(f"unknown detector {value}")
    return _DETECTORS[value]


def format_in(value: int) -> ImageFormat | None:
    if value not in _FORMATS:
        raise InvalidInput(f"unknown image format {value}")
    return _FORMATS[value]


def metric_in(value: int) -> str:
    if value not in _METRICS:
        raise InvalidInput(f"unknown metric {value}")
    return _METRICS[value]


def landmarks_in(msg: common_pb2.Landmarks) -> Landmarks:
    pts = [msg.left_eye, msg.right_eye, msg.nose, msg.left_mouth, msg.right_mouth]
    return Landmarks(*[Point(p.x, p.y) for p in pts])


def detect_args(
    req: detection_pb2.DetectRequest,
) -> tuple[ImageInput, float, int, DetectorName | None, bool]:
    return (
        image_in(req.image),
        req.min_confidence,
        req.max_faces,
        detector_in(req.detector),
        req.landmarks_106,
    )


def model_in(sel: common_pb2.ModelSelector) -> ModelChoice:
    return ModelChoice(sel.name.strip(), sel.version.strip(), sel.routing_key)


def embed_args(req: embedding_pb2.EmbedRequest) -> tuple[ImageInput, bool, DetectorName | None]:
    return image_in(req.image), req.aligned, detector_in(req.detector)


def operations_in(ops: Sequence[processing_pb2.Operation]) -> list[Operation]:
    out: list[Operation] = []
    for i, op in enumerate(ops):
        kind = op.WhichOneof("op")
        if kind == "resize":
            out.append(ResizeOp(op.resize.width, op.resize.height, op.resize.keep_aspect))
        elif kind == "normalize":
            eq = op.normalize.mode == processing_pb2.NORMALIZE_MODE_EQUALIZE
            out.append(NormalizeOp("equalize" if eq else "minmax"))
        elif kind == "align":
            lm = landmarks_in(op.align.landmarks) if op.align.HasField("landmarks") else None
            out.append(AlignOp(lm, op.align.size or 112))
        elif kind == "quality":
            lm = landmarks_in(op.quality.landmarks) if op.quality.HasField("landmarks") else None
            out.append(QualityOp(lm))
        elif kind == "convert":
            fmt = format_in(op.convert.format)
            if fmt is None:
                raise InvalidInput(f"operation {i}: convert needs a format (JPEG, PNG or WEBP)")
            out.append(ConvertOp(fmt))
        else:
            raise InvalidInput(
                f"operation {i} is empty: set one of resize, normalize, align, quality, convert"
            )
    return out


def candidates_in(cands: Sequence[similarity_pb2.Embedding]) -> FloatArray:
    similarity.check_candidate_count(len(cands))  # before building a list per candidate
    return similarity.as_candidates([c.values for c in cands])


# -- responses ------------------------------------------------------------------


def point_pb(p: Point) -> common_pb2.Point:
    return common_pb2.Point(x=p.x, y=p.y)


def face_pb(face: Face) -> common_pb2.Face:
    b, lm = face.bbox, face.landmarks
    return common_pb2.Face(
        bbox=common_pb2.BoundingBox(x=b.x, y=b.y, width=b.width, height=b.height),
        landmarks=common_pb2.Landmarks(
            left_eye=point_pb(lm.left_eye),
            right_eye=point_pb(lm.right_eye),
            nose=point_pb(lm.nose),
            left_mouth=point_pb(lm.left_mouth),
            right_mouth=point_pb(lm.right_mouth),
        ),
        confidence=face.confidence,
        landmarks_106=[point_pb(p) for p in face.landmarks_106],
    )


def model_pb(info: ModelInfo) -> common_pb2.ModelInfo:
    return common_pb2.ModelInfo(
        name=info.name, version=info.version, execution_provider=info.execution_provider
    )


def quality_pb(q: QualityReport) -> common_pb2.QualityReport:
    return common_pb2.QualityReport(
        overall=q.overall,
        sharpness=q.sharpness,
        brightness=q.brightness,
        face_size=q.face_size,
        frontality=q.frontality,
    )


def error_pb(err: AurumError) -> common_pb2.ItemError:
    return common_pb2.ItemError(code=err.grpc_code, message=err.message)


def detect_pb(d: Detection) -> detection_pb2.DetectResponse:
    return detection_pb2.DetectResponse(
        faces=[face_pb(f) for f in d.faces],
        image_width=d.image_width,
        image_height=d.image_height,
        model=model_pb(d.model),
    )


def embed_pb(e: EmbeddingResult) -> embedding_pb2.EmbedResponse:
    resp = embedding_pb2.EmbedResponse(
        embedding=e.embedding.tolist(),
        quality=e.quality.overall,
        confidence=e.confidence,
        model=model_pb(e.model),
        quality_report=quality_pb(e.quality),
    )
    if e.face is not None:
        resp.face.CopyFrom(face_pb(e.face))
    return resp


def process_pb(p: ProcessedImage) -> processing_pb2.ProcessResponse:
    resp = processing_pb2.ProcessResponse(
        image=p.data,
        format=_FORMAT_TO_PB[p.format],
        width=p.width,
        height=p.height,
        faces=[face_pb(f) for f in p.faces],
        applied=p.applied,
    )
    if p.quality is not None:
        resp.quality.CopyFrom(quality_pb(p.quality))
    return resp


def compare_pb(r: SimilarityResult) -> similarity_pb2.CompareResponse:
    return similarity_pb2.CompareResponse(
        score=r.score, is_match=r.is_match, threshold=r.threshold, metric=_METRIC_TO_PB[r.metric]
    )


def compare_many_pb(r: CompareManyResult) -> similarity_pb2.CompareManyResponse:
    return similarity_pb2.CompareManyResponse(
        scores=r.scores.tolist(),
        matches=[
            similarity_pb2.Match(index=m.index, score=m.score, is_match=m.is_match)
            for m in r.matches
        ],
        threshold=r.threshold,
        metric=_METRIC_TO_PB[r.metric],
    )
