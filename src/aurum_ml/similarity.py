"""Embedding comparison: cosine similarity and euclidean distance, one or many."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt

from aurum_ml.errors import InvalidInput
from aurum_ml.types import CompareManyResult, FloatArray, RankedMatch, SimilarityResult

Metric = Literal["cosine", "euclidean"]
METRICS: tuple[Metric, ...] = ("cosine", "euclidean")
MAX_DIM = 4096
MAX_CANDIDATES = 100_000
#: CompareMany requests up to this many values are converted where they
#: arrive, on the event loop (a thread hop costs more than converting them);
#: larger ones in a thread, so the loop keeps answering meanwhile.
INLINE_VALUES = 64 * 1024


def euclidean_threshold(cosine_threshold: float) -> float:
    """The euclidean distance equivalent to a cosine threshold for unit vectors:
    |a - b|^2 = 2 - 2 cos(a, b)."""
    return math.sqrt(max(0.0, 2.0 - 2.0 * cosine_threshold))


def default_threshold(metric: Metric, cosine_threshold: float) -> float:
    return cosine_threshold if metric == "cosine" else euclidean_threshold(cosine_threshold)


def _unit(vec: FloatArray, what: str) -> FloatArray:
    # float64: squares of large float32 values would overflow the norm.
    v64 = vec.astype(np.float64)
    norm = float(np.linalg.norm(v64))
    if norm == 0.0:
        raise InvalidInput(f"{what} is all zeros; it has no direction to compare")
    return (v64 / norm).astype(np.float32)


def as_vector(
    values: Sequence[float] | npt.ArrayLike,
    what: str,
    *,
    dim: int | None = None,
    dim_hint: str = "",
    nonzero: bool = False,
) -> FloatArray:
    """The one rule for an embedding given by a caller: a non-empty 1-d list of
    finite numbers, at most MAX_DIM long; ``dim`` values when given (``dim_hint``
    says whose dimension it is); with ``nonzero``, not all zeros."""
    try:
        arr = np.asarray(values, dtype=np.float32)
    except (TypeError, ValueError):
        raise InvalidInput(f"{what} must be a non-empty list of numbers") from None
    if arr.ndim != 1 or arr.size == 0:
        raise InvalidInput(f"{what} must be a non-empty list of numbers")
    if arr.size > MAX_DIM:
        raise InvalidInput(f"{what} has {arr.size} values; at most {MAX_DIM} are accepted")
    if dim is not None and arr.size != dim:
        hint = f"; {dim_hint}" if dim_hint else ""
        raise InvalidInput(f"{what} has {arr.size} values, expected {dim}{hint}")
    if not np.isfinite(arr).all():
        raise InvalidInput(f"{what} contains NaN or infinite values")
    # float64: squares of large float32 values would overflow the norm.
    if nonzero and float(np.linalg.norm(arr.astype(np.float64))) < 1e-6:
        raise InvalidInput(f"{what} is all zeros; it has no direction to compare")
    return arr


def check_candidate_count(n: int) -> None:
    """The one limit on candidates per call, checked before they are converted:
    700,000 tiny candidates fit in an 8 MiB message and took 1.5 s to turn
    into an array before the count was looked at."""
    if n > MAX_CANDIDATES:
        raise InvalidInput(f"at most {MAX_CANDIDATES} candidates per call")


def as_candidates(rows: Sequence[Sequence[float]]) -> FloatArray:
    """Candidate embeddings as one (n, dim) array, for both doors: a ragged list
    is refused here, since it cannot become one. An empty list stays empty and
    compare_many says what is wrong with it."""
    if not rows:
        return np.empty(0, dtype=np.float32)
    check_candidate_count(len(rows))
    dim = len(rows[0])
    if any(len(r) != dim for r in rows):
        raise InvalidInput("candidates must all have the same number of values")
    return np.array(rows, dtype=np.float32).reshape(len(rows), dim)


def check_metric(metric: str) -> Metric:
    if metric not in METRICS:
        raise InvalidInput(f"unknown metric {metric!r}; use one of {', '.join(METRICS)}")
    return metric  # type: ignore[return-value,unused-ignore]


def _is_match(metric: Metric, score: float, threshold: float) -> bool:
    return score >= threshold if metric == "cosine" else score <= threshold


def compare(a: FloatArray, b: FloatArray, metric: Metric, threshold: float) -> SimilarityResult:
    if a.shape != b.shape:
        raise InvalidInput(
            f"embeddings differ in length ({a.size} and {b.size}); compare embeddings "
            "from the same model"
        )
    ua, ub = _unit(a, "embedding_a"), _unit(b, "embedding_b")
    if metric == "cosine":
        score = float(np.clip(np.dot(ua, ub), -1.0, 1.0))
    else:
        score = float(np.linalg.norm(ua - ub))
    return SimilarityResult(
        score=score,
        is_match=_is_match(metric, score, threshold),
        threshold=threshold,
        metric=metric,
    )


def compare_many(
    query: FloatArray, candidates: FloatArray, metric: Metric, threshold: float, top_k: int = 0
) -> CompareManyResult:
    if candidates.ndim != 2 or candidates.shape[0] == 0:
        raise InvalidInput("candidates must be a non-empty list of embeddings")
    check_candidate_count(candidates.shape[0])
    if candidates.shape[1] != query.size:
        raise InvalidInput(
            f"candidates have {candidates.shape[1]} values each but the query has {query.size}"
        )
    if top_k < 0:
        raise InvalidInput("top_k must be 0 (all) or positive")
    if not np.isfinite(candidates).all():
        raise InvalidInput("candidates contain NaN or infinite values")
    norms = np.linalg.norm(candidates, axis=1)
    if not np.isfinite(norms).all():
        # Rare: values so large their squares overflow float32; redo in float64.
        norms = np.linalg.norm(candidates.astype(np.float64), axis=1)
        candidates = (candidates / norms[:, None]).astype(np.float32)
        norms = np.ones(len(candidates), dtype=np.float64)
    zero = np.flatnonzero(norms == 0.0)
    if zero.size:
        raise InvalidInput(f"candidate {int(zero[0])} is all zeros")
    q = _unit(query, "query")
    cos = np.clip((candidates @ q) / norms, -1.0, 1.0).astype(np.float32)
    if metric == "cosine":
        scores = cos
        order_key = -scores
    else:
        scores = np.sqrt(np.maximum(0.0, 2.0 - 2.0 * cos)).astype(np.float32)
        order_key = scores
    n = scores.shape[0]
    k = n if top_k == 0 else min(top_k, n)
    if k < n:
        idx = np.argpartition(order_key, k - 1)[:k]
        idx = idx[np.argsort(order_key[idx], kind="stable")]
    else:
        idx = np.argsort(order_key, kind="stable")
    # Plain Python lists first: per-element numpy scalar access would cost more
    # than the matrix product for a thousand candidates.
    sel = scores[idx]
    hits = (sel >= threshold) if metric == "cosine" else (sel <= threshold)
    matches = [
        RankedMatch(index=i, score=sc, is_match=m)
        for i, sc, m in zip(idx.tolist(), sel.tolist(), hits.tolist(), strict=True)
    ]
    return CompareManyResult(scores=scores, matches=matches, threshold=threshold, metric=metric)
