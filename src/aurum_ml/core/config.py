"""What the core needs to know of the server's settings, and nothing more:
no ports, TLS or keys (those belong to the doors)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aurum_ml.core.operations import DetectorName
from aurum_ml.images import ImageLimits


@dataclass(frozen=True, slots=True)
class CoreConfig:
    limits: ImageLimits
    #: Hosts whose image URLs may be fetched (lower case); empty: none.
    allowed_hosts: frozenset[str]
    #: Detect's default min_confidence and its cap on faces per image.
    min_confidence: float
    max_faces: int
    default_detector: DetectorName
    #: The cosine score at or above which two faces are the same person; None:
    #: the one the manifest states for the embedding model served.
    match_threshold: float | None
    max_batch_items: int
    #: Bytes of decoded pixels held at once across all calls (core/budget.py).
    decode_budget_bytes: int
    #: Images that decode to more pixels than this run in the large-image lane.
    large_image_pixels: int
    #: Where model management saves what the operator set (core/lifecycle.py);
    #: None: nowhere (the CLI, benchmarks).
    model_plan_path: Path | None = None
