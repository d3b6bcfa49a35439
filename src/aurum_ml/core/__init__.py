"""The one place with business logic; the doors (gRPC, REST, the job queue, the CLI) call it.

Build it with ``aurum_ml.bootstrap.build_core``: nothing else wires it.
"""

from aurum_ml.core.config import CoreConfig
from aurum_ml.core.facade import Core, DetectItem, EmbedItem
from aurum_ml.core.operations import (
    DEFAULT_MODEL,
    AlignOp,
    ConvertOp,
    DetectorName,
    ImageFormat,
    ImageInput,
    ModelChoice,
    NormalizeOp,
    Operation,
    QualityOp,
    ResizeOp,
)
from aurum_ml.core.pipeline import EmbeddedFaces
from aurum_ml.core.results import (
    EnrollResult,
    FaceIdentity,
    FaceInput,
    IdentifyResult,
    LoadedModel,
    Match,
    ScoredFace,
    VerifyResult,
)
from aurum_ml.core.state import SERVICES

__all__ = [
    "DEFAULT_MODEL",
    "SERVICES",
    "AlignOp",
    "ConvertOp",
    "Core",
    "CoreConfig",
    "DetectItem",
    "DetectorName",
    "EmbedItem",
    "EmbeddedFaces",
    "EnrollResult",
    "FaceIdentity",
    "FaceInput",
    "IdentifyResult",
    "ImageFormat",
    "ImageInput",
    "LoadedModel",
    "Match",
    "ModelChoice",
    "NormalizeOp",
    "Operation",
    "QualityOp",
    "ResizeOp",
    "ScoredFace",
    "VerifyResult",
]
