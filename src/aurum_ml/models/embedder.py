"""Face embedders on aligned crops (InsightFace's ArcFace ``w600k_mbf``, OpenCV Zoo's
SFace): 112x112 crops, aligned to the ArcFace template, to unit vectors.

Both take the same crops and differ only in what the manifest states: colour
order, normalisation and embedding size (SFace normalises inside its graph, so
its manifest entry says mean 0 and std 1).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from aurum_ml.errors import InvalidInput
from aurum_ml.manifest import ModelSpec
from aurum_ml.runtime.session_pool import Runner
from aurum_ml.types import BGRImage, FloatArray, ModelInfo

_DEFAULT_DIM = 512
# A real embedding has a norm in the tens; anything near zero means the model
# produced garbage, and dividing by it would hide that behind huge numbers.
_MIN_NORM = 1e-6


class FaceEmbedder:
    def __init__(self, runner: Runner, spec: ModelSpec) -> None:
        if spec.color not in ("RGB", "BGR"):
            raise ValueError(f"{spec.name}: colour order must be RGB or BGR, got {spec.color!r}")
        self._runner = runner
        self._spec = spec
        self._input_name = runner.input_names[0]
        self._width, self._height = spec.input_size
        self._dim = int(spec.embedding_size or _DEFAULT_DIM)
        self.info = ModelInfo(spec.name, spec.version, runner.provider)

    @property
    def spec(self) -> ModelSpec:
        """The manifest's entry for this model (its match threshold, among others)."""
        return self._spec

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def input_size(self) -> tuple[int, int]:
        """(width, height) of the aligned crops ``embed`` accepts."""
        return self._width, self._height

    def preprocess(self, crops: Sequence[BGRImage]) -> FloatArray:
        """Stack crops into the (N, 3, H, W) float32 tensor the model takes, in its
        colour order and normalisation."""
        for i, crop in enumerate(crops):
            if crop.shape != (self._height, self._width, 3) or crop.dtype != np.uint8:
                raise InvalidInput(
                    f"aligned face crops must be {self._width}x{self._height} uint8 BGR "
                    f"images; crop {i} has shape {crop.shape} dtype {crop.dtype} "
                    "(resize or align it first)"
                )
        batch = np.stack(crops)
        if self._spec.color == "RGB":
            batch = batch[..., ::-1]
        tensor = np.ascontiguousarray(batch.transpose(0, 3, 1, 2), dtype=np.float32)
        tensor -= np.float32(self._spec.mean)
        tensor *= np.float32(1.0 / self._spec.std)
        return tensor

    def postprocess(self, raw: FloatArray, count: int) -> FloatArray:
        """L2-normalise the raw model output so cosine similarity is a dot product."""
        out = np.asarray(raw, dtype=np.float32).reshape(count, -1)
        if out.shape[1] != self._dim:
            raise ValueError(f"embedder returned {out.shape[1]} values per face, not {self._dim}")
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        if np.any(~np.isfinite(norms)) or np.any(norms < _MIN_NORM):
            raise ValueError("embedder returned a zero or non-finite embedding")
        return np.ascontiguousarray(out / norms, dtype=np.float32)

    def embed(self, crops: Sequence[BGRImage]) -> FloatArray:
        """(N, dim) float32 unit vectors, one per crop, from a single model run."""
        if len(crops) == 0:
            return np.zeros((0, self._dim), dtype=np.float32)
        tensor = self.preprocess(crops)
        raw = self._runner.run({self._input_name: tensor})[0]
        return self.postprocess(raw, len(crops))
