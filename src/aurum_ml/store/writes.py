"""Writing face points: in bounded requests, acknowledged once applied, and
idempotent, so a retried enroll changes nothing."""

from __future__ import annotations

from qdrant_client import QdrantClient, models

from aurum_ml.store import schema

# Large enrolls go in several requests so a single HTTP body stays well under
# the server's default 32 MiB limit (256 x 512 floats as JSON is ~3 MiB).
_UPSERT_CHUNK = 256


def upsert_faces(client: QdrantClient, collection: str, points: list[models.PointStruct]) -> None:
    """Write the points (ids derived from what each face is, so a retry
    rewrites them) and return once Qdrant has applied them."""
    for start in range(0, len(points), _UPSERT_CHUNK):
        chunk = points[start : start + _UPSERT_CHUNK]
        _keep_enrolled_at(client, collection, chunk)
        client.upsert(collection, points=chunk, wait=True)


def _keep_enrolled_at(
    client: QdrantClient, collection: str, chunk: list[models.PointStruct]
) -> None:
    """A retry must not move a face's enrollment time."""
    existing = client.retrieve(
        collection,
        ids=[p.id for p in chunk],
        with_payload=[schema.ENROLLED_AT],
        with_vectors=False,
    )
    first_seen = {
        str(r.id): r.payload[schema.ENROLLED_AT]
        for r in existing
        if r.payload and isinstance(r.payload.get(schema.ENROLLED_AT), int | float)
    }
    for p in chunk:
        when = first_seen.get(str(p.id))
        if when is not None and p.payload is not None:
            p.payload[schema.ENROLLED_AT] = when
