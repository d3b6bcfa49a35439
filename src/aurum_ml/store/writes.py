"""Writing face points: acknowledged once the engine has them, and
idempotent, so a retried enroll changes nothing."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from aurum_ml.store import schema
from aurum_ml.store.engine import Engine, Point

# Each request to the engine carries at most this many faces, so a large
# import is several bounded requests rather than one huge body.
_CHUNK = 1024


def upsert_faces(
    engine: Engine, collection: str, vector_name: str, points: Sequence[Point]
) -> None:
    """Write the points (ids derived from what each face is, so a retry
    rewrites them) and return once the engine has acknowledged them."""
    for start in range(0, len(points), _CHUNK):
        chunk = _keep_enrolled_at(engine, collection, points[start : start + _CHUNK])
        engine.upsert(collection, vector_name, chunk)


def _keep_enrolled_at(engine: Engine, collection: str, chunk: Sequence[Point]) -> list[Point]:
    """A retry must not move a face's enrollment time."""
    existing = engine.retrieve(collection, [p.id for p in chunk], [schema.ENROLLED_AT])
    first_seen = {
        r.id: r.payload[schema.ENROLLED_AT]
        for r in existing
        if isinstance(r.payload.get(schema.ENROLLED_AT), int | float)
    }
    return [
        dataclasses.replace(p, payload={**p.payload, schema.ENROLLED_AT: first_seen[p.id]})
        if p.id in first_seen
        else p
        for p in chunk
    ]
