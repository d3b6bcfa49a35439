"""The one place with business logic; gRPC and REST adapters both call it."""

from aurum_ml.core.operations import (
    AlignOp,
    ConvertOp,
    ImageInput,
    NormalizeOp,
    Operation,
    QualityOp,
    ResizeOp,
)
from aurum_ml.core.service import SERVICES, FaceService

__all__ = [
    "SERVICES",
    "AlignOp",
    "ConvertOp",
    "FaceService",
    "ImageInput",
    "NormalizeOp",
    "Operation",
    "QualityOp",
    "ResizeOp",
]
