"""The JSON shapes of the REST gateway.

These are the legacy contract that existing clients already read, so field
names and nesting follow it, not the protos. Every response, failures included,
is declared so the OpenAPI document can check what the server sends.

Requests declare types and defaults only: the ranges and rules (confidence in
[0, 1], sizes, metrics' thresholds...) live in the core, which gives the same
messages to both transports.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

Detector: TypeAlias = Literal["scrfd", "yunet", "mtcnn"]
ImageFormat: TypeAlias = Literal["jpeg", "png", "webp"]
Metric: TypeAlias = Literal["cosine", "euclidean"]
Point: TypeAlias = tuple[float, float]
ServiceStatus: TypeAlias = Literal["SERVING", "NOT_SERVING"]

IMAGE_DOC = (
    "Encoded JPEG, PNG or WebP image, base64 (standard or URL-safe alphabet, padding "
    "optional, whitespace ignored). A `data:image/...;base64,` prefix is accepted."
)


class In(BaseModel):
    # Unknown fields are ignored so that clients of the old services, which may
    # send extra keys, keep working; NaN and Infinity are refused at the door.
    model_config = ConfigDict(extra="ignore", allow_inf_nan=False, use_attribute_docstrings=True)


class Out(BaseModel):
    # Defaults are always sent, so the document marks them required and a
    # client (or schemathesis) can rely on e.g. `success` being there.
    model_config = ConfigDict(
        use_attribute_docstrings=True, json_schema_serialization_defaults_required=True
    )


# -- shared shapes -----------------------------------------------------------------


class Landmarks(In):
    """Five points as `[x, y]` pairs in image pixels; left_eye is the eye on the
    image's left."""

    left_eye: Point
    right_eye: Point
    nose: Point
    left_mouth: Point
    right_mouth: Point


class BoundingBox(Out):
    """Axis-aligned box in original-image pixels; (x, y) is the top-left corner."""

    x: float
    y: float
    width: float
    height: float


class Face(Out):
    bbox: BoundingBox
    landmarks: Landmarks
    confidence: float
    """Detector score in [0, 1]."""


class ModelInfo(Out):
    name: str
    version: str
    execution_provider: str
    """ONNX Runtime execution provider the model runs on, e.g. CPUExecutionProvider."""


class QualityReport(Out):
    """Face image quality; every part is in [0, 1], higher is better."""

    overall: float
    sharpness: float
    brightness: float
    face_size: float
    frontality: float


class ErrorResponse(Out):
    """Every failure: a message meant for a person, and the HTTP status says which kind."""

    success: Literal[False] = False
    message: str


# -- detection ---------------------------------------------------------------------


class ModelSelector(In):
    """Which version of a model the call wants (README, "Model management"): a
    pinned model (name, optionally version), else the version the role's traffic
    split chooses for routing_key (the same key always gets the same one), else
    the role's default."""

    name: str = ""
    version: str = ""
    """Empty: the loaded version of that name (the default first)."""
    routing_key: str = ""


class DetectFaceRequest(In):
    image: str = Field(description=IMAGE_DOC)
    min_confidence: float = 0.0
    """Faces scoring below this are dropped; 0 means the server default (0.5)."""
    max_faces: int = 0
    """At most this many faces, highest confidence first; 0 means the server cap."""
    detector: Detector | None = None
    """Face detector; null means the server's default."""
    model: ModelSelector | None = None
    """The detector version to use; null: the default."""


class DetectFaceResponse(Out):
    success: Literal[True] = True
    faces: list[Face]
    """Highest confidence first."""
    image_width: int
    image_height: int
    model: ModelInfo


# -- embedding ---------------------------------------------------------------------


class ExtractEmbeddingRequest(In):
    image: str = Field(description=IMAGE_DOC)
    aligned: bool = False
    """false: detect, take the most prominent face, align and embed it. true: the
    image already is an aligned face crop (resized to 112x112 if needed)."""
    detector: Detector | None = None
    model: ModelSelector | None = None
    """The embedder version to use; null: the default (or the split's choice)."""


class Embedding(Out):
    embedding: list[float]
    """512 floats, unit L2 norm."""
    quality: float
    """Overall face quality in [0, 1]; see quality_report for its parts."""
    confidence: float
    """Detector score of the embedded face; 1.0 for aligned input."""


class ExtractEmbeddingResponse(Out):
    success: Literal[True] = True
    embedding: Embedding
    face: Face | None
    """The embedded face; null for aligned input."""
    quality_report: QualityReport
    model: ModelInfo


# -- image processing --------------------------------------------------------------


class ResizeOperation(In):
    type: Literal["resize"]
    width: int = 0
    height: int = 0
    """Target size; if only one is set the other keeps the aspect ratio."""
    keep_aspect: bool = False
    """Keep the aspect ratio and fit inside width x height."""


class NormalizeOperation(In):
    type: Literal["normalize"]
    mode: Literal["minmax", "equalize"] = "minmax"
    """minmax stretches luminance to 0-255; equalize applies CLAHE to luminance."""


class AlignOperation(In):
    type: Literal["align"]
    landmarks: Landmarks | None = None
    """Landmarks to align with; null uses the most prominent detected face."""
    size: int = 112
    """Output side in pixels (112 is the ArcFace template)."""


class QualityOperation(In):
    type: Literal["quality"]
    landmarks: Landmarks | None = None
    """Landmarks of the face to assess; null uses the most prominent detected face."""


class ConvertOperation(In):
    type: Literal["convert"]
    format: ImageFormat


Operation: TypeAlias = Annotated[
    ResizeOperation | NormalizeOperation | AlignOperation | QualityOperation | ConvertOperation,
    Field(discriminator="type"),
]
#: Legacy clients name an operation by a bare string meaning its defaults.
OperationName: TypeAlias = Literal["align", "normalize", "quality"]


def _operation_kind(value: Any) -> str:
    # Picking the branch up front keeps validation errors to that branch's,
    # instead of one error per union member.
    return "name" if isinstance(value, str) else "op"


OperationItem: TypeAlias = Annotated[
    Annotated[Operation, Tag("op")] | Annotated[OperationName, Tag("name")],
    Discriminator(_operation_kind),
]


class ProcessImageRequest(In):
    image: str = Field(description=IMAGE_DOC)
    operations: list[OperationItem] = []
    """Applied in order."""
    output_format: ImageFormat | None = None
    """null keeps the input's format (or the last convert's)."""
    encode_quality: int = 0
    """JPEG/WebP quality 1-100; 0 means 90."""


class ProcessImageResponse(Out):
    success: Literal[True] = True
    image: str
    """The resulting image, base64."""
    format: ImageFormat
    width: int
    height: int
    quality: QualityReport | None
    """Set when a quality operation ran."""
    faces: list[Face]
    """Faces detected along the way (align or quality without landmarks)."""
    applied: list[str]
    """Operation names in the order they ran."""


# -- similarity --------------------------------------------------------------------


class CompareRequest(In):
    """One pair of embeddings."""

    embedding_a: list[float]
    embedding_b: list[float]
    metric: Metric = "cosine"
    """cosine: higher is more similar, in [-1, 1]. euclidean: distance between the
    L2-normalised vectors, lower is more similar."""
    threshold: float | None = None
    """Decision threshold; null means the documented default for the metric."""


class CompareManyRequest(In):
    """One query against many candidates."""

    query: list[float]
    candidates: list[list[float]]
    top_k: int = 0
    """Return only the best top_k matches; 0 means all, best first."""
    metric: Metric = "cosine"
    threshold: float | None = None


def _similarity_kind(value: Any) -> str:
    # The two forms share a path; the batch one is the one naming a query.
    if isinstance(value, dict) and ("query" in value or "candidates" in value):
        return "batch"
    return "pair"


SimilarityRequest: TypeAlias = Annotated[
    Annotated[CompareRequest, Tag("pair")] | Annotated[CompareManyRequest, Tag("batch")],
    Discriminator(_similarity_kind),
]


class CompareResponse(Out):
    success: Literal[True] = True
    similarity: float
    is_match: bool
    threshold: float
    metric: Metric


class Match(Out):
    index: int
    """Position of the candidate in the request."""
    score: float
    is_match: bool


class CompareManyResponse(Out):
    success: Literal[True] = True
    scores: list[float]
    """One score per candidate, in candidate order."""
    matches: list[Match]
    """Best first."""
    threshold: float
    metric: Metric


# -- health and status -------------------------------------------------------------


class ServiceHealth(Out):
    status: ServiceStatus


class ComponentHealth(Out):
    status: ServiceStatus
    reason: str
    """Why it is not serving; empty when it is."""


class Services(Out):
    # camelCase: the legacy contract's keys.
    faceDetection: ServiceHealth
    faceEmbedding: ServiceHealth
    imageProcessing: ServiceHealth
    similarity: ServiceHealth
    faceStore: ComponentHealth | None = None
    """The face store (/api/faces/...); null when the server runs none. Listed, but it
    does not decide the overall status."""
    queue: ComponentHealth | None = None
    """The faceScoring job queue's Redis; null when the queue consumer is off. Listed,
    but it does not decide the overall status."""
    models: ComponentHealth | None = None
    """Model versions loaded beside the serving ones (model management) that failed
    to load, and why; null when none did. The versions serving are unaffected."""


class HealthResponse(Out):
    status: Literal["healthy", "unhealthy"]
    """healthy (HTTP 200) when the four legacy services serve; the face store and the
    queue are listed with their own status and do not change it."""
    services: Services


class ModelStatus(Out):
    role: str
    name: str
    version: str
    execution_provider: str
    loaded: bool
    error: str
    """Why the model is not loaded; empty when it is."""


class QueueStatus(Out):
    connected: bool
    """Whether Redis answered the last read of the queue's counts (every 5 s)."""
    reason: str
    """Why not connected; empty when it is."""


class StatusResponse(Out):
    success: Literal[True] = True
    version: str
    uptime_s: float
    models: list[ModelStatus]
    requests: dict[str, int]
    """Calls the core has started since start-up, by operation, every door together."""
    queue: QueueStatus | None = None
    """The faceScoring job queue's consumer; null when it is off."""
