"""Nearest subjects: a vector search over faces, grouped to one match per subject."""

from __future__ import annotations

import logging

from qdrant_client import QdrantClient, models

from aurum_ml.store.schema import SEARCH_FIELDS, GalleryModel, subject_of
from aurum_ml.store.types import SubjectMatch

log = logging.getLogger(__name__)

# Ask for this many points per wanted subject, then widen the search when
# subjects with many faces crowd the candidate list.
_OVERSAMPLE = 4
_MIN_CANDIDATES = 32


def best_per_subject(
    client: QdrantClient,
    collection: str,
    model: GalleryModel,
    query: list[float],
    top_k: int,
    min_score: float | None,
    subject_filter: models.Filter | None,
) -> list[SubjectMatch]:
    """The ``top_k`` subjects closest to ``query``, best first, each scored by
    its closest face; faces whose payload names another model are skipped."""
    # Grouping by subject happens here rather than in query_points_groups:
    # embedded Qdrant implements that by scoring and materialising every
    # point (~4 s at 100k faces). Asking for a few candidates per wanted
    # subject and widening only when subjects with many faces crowd the
    # list gives the same answer, and the server does the same internally.
    limit = max(top_k * _OVERSAMPLE, _MIN_CANDIDATES)
    skipped = 0
    while True:
        result = client.query_points(
            collection,
            query=query,
            using=model.vector_name,
            query_filter=subject_filter,
            limit=limit,
            with_payload=SEARCH_FIELDS,
            with_vectors=False,
        )
        best: dict[str, SubjectMatch] = {}
        skipped = 0
        below_threshold = False
        for point in result.points:
            score = float(point.score)
            if min_score is not None and score < min_score:
                below_threshold = True
                break
            subject = subject_of(point.payload, model)
            if subject is None:
                skipped += 1
                continue
            if subject not in best:
                best[subject] = SubjectMatch(subject, score, str(point.id))
                if len(best) >= top_k:
                    break
        exhausted = len(result.points) < limit
        if len(best) >= top_k or below_threshold or exhausted:
            break
        limit *= _OVERSAMPLE
    if skipped:
        log.warning(
            "collection %s holds %d point(s) whose payload names another model; skipped",
            collection,
            skipped,
        )
    return sorted(best.values(), key=lambda m: (-m.score, m.subject_id))[:top_k]
