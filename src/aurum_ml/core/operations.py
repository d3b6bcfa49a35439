"""Request shapes for the core, free of any transport's types."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

from aurum_ml.types import Landmarks

ImageFormat = Literal["jpeg", "png", "webp"]
DetectorName = Literal["scrfd", "yunet", "mtcnn"]


@dataclass(frozen=True, slots=True)
class ImageInput:
    """Encoded image bytes, or a URL the server may fetch if its host is allowed."""

    data: bytes | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class ModelChoice:
    """Which version of a model a call wants: the one pinned by ``name`` (and
    ``version``; empty: the loaded version of that name, the default first),
    else the traffic split's choice for the sticky ``routing_key``, else the
    role's default."""

    name: str = ""
    version: str = ""
    routing_key: str = ""


#: No pin and no key: the role's default.
DEFAULT_MODEL = ModelChoice()


@dataclass(frozen=True, slots=True)
class ResizeOp:
    width: int = 0
    height: int = 0
    keep_aspect: bool = False


@dataclass(frozen=True, slots=True)
class NormalizeOp:
    mode: Literal["minmax", "equalize"] = "minmax"


@dataclass(frozen=True, slots=True)
class AlignOp:
    landmarks: Landmarks | None = None
    size: int = 112


@dataclass(frozen=True, slots=True)
class QualityOp:
    landmarks: Landmarks | None = None


@dataclass(frozen=True, slots=True)
class ConvertOp:
    format: ImageFormat


Operation: TypeAlias = ResizeOp | NormalizeOp | AlignOp | QualityOp | ConvertOp
