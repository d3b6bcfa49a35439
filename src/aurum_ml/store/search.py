"""Nearest subjects: a vector search over faces, grouped to one match per subject."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from aurum_ml.store.engine import Engine, Hit, Where
from aurum_ml.store.schema import SEARCH_FIELDS, GalleryModel, subject_of
from aurum_ml.store.types import SubjectMatch

log = logging.getLogger(__name__)

# Ask for this many points per wanted subject, then widen the search when
# subjects with many faces crowd the candidate list.
_OVERSAMPLE = 4
_MIN_CANDIDATES = 32


def best_per_subject(
    engine: Engine,
    collection: str,
    model: GalleryModel,
    queries: Sequence[npt.NDArray[np.float32]],
    top_k: int,
    min_score: float | None,
    where: Where,
) -> list[list[SubjectMatch]]:
    """For each query, the ``top_k`` subjects closest to it, best first, each
    scored by its closest face; faces whose payload names another model are
    skipped. All queries go to the engine together (one batched search)."""
    # Grouping by subject happens here rather than in the engine's group
    # search (Qdrant Edge's Python API has none, and qdrant-client's embedded
    # mode scores every point for it): asking for a few candidates per
    # wanted subject and widening only the queries whose candidates were
    # crowded by subjects with many faces gives the same answer.
    limit = max(top_k * _OVERSAMPLE, _MIN_CANDIDATES)
    answers: list[list[SubjectMatch] | None] = [None] * len(queries)
    rows = np.asarray(queries, dtype=np.float32).reshape(len(queries), -1)
    todo = list(range(len(queries)))
    skipped = 0
    while todo:
        hits = engine.search(
            collection,
            model.vector_name,
            rows[todo],
            limit,
            where,
            SEARCH_FIELDS,
        )
        again: list[int] = []
        for i, found in zip(todo, hits, strict=True):
            best, done, n_skipped = _group(found, limit, top_k, min_score, model)
            if done:
                answers[i] = best
                skipped += n_skipped
            else:
                again.append(i)
        todo = again
        limit *= _OVERSAMPLE
    if skipped:
        log.warning(
            "collection %s holds %d point(s) whose payload names another model; skipped",
            collection,
            skipped,
        )
    return [a or [] for a in answers]


def _group(
    hits: list[Hit], limit: int, top_k: int, min_score: float | None, model: GalleryModel
) -> tuple[list[SubjectMatch], bool, int]:
    """The best match per subject among ``hits``, whether that is the final
    answer (or a wider search is needed), and how many hits were skipped."""
    best: dict[str, SubjectMatch] = {}
    skipped = 0
    below_threshold = False
    for hit in hits:
        if min_score is not None and hit.score < min_score:
            below_threshold = True
            break
        subject = subject_of(hit.payload, model)
        if subject is None:
            skipped += 1
            continue
        if subject not in best:
            best[subject] = SubjectMatch(subject, hit.score, hit.id)
            if len(best) >= top_k:
                break
    exhausted = len(hits) < limit
    done = len(best) >= top_k or below_threshold or exhausted
    ranked = sorted(best.values(), key=lambda m: (-m.score, m.subject_id))[:top_k]
    return ranked, done, skipped
