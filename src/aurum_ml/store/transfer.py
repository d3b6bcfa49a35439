"""Copying every gallery of one store into another: how an embedded store
moves to a Qdrant server (or cluster) when one machine is no longer enough.

Point ids, vectors and payloads are copied as they are, so face ids stay
valid and a copy run again rewrites the same points. Stop the server that
writes to the source first (the embedded folder is locked while it runs).
A gallery's live generation is copied; a migration in progress is not (the
copy is bound to the model the gallery serves with: migrate it again there).
"""

from __future__ import annotations

import logging

from aurum_ml.store.face_store import FaceStore

log = logging.getLogger(__name__)

_PAGE = 512


def copy_galleries(source: FaceStore, target: FaceStore) -> dict[str, int]:
    """Copy each of ``source``'s galleries into ``target`` (created there for
    the same model, or checked to be); returns the faces copied per gallery."""
    copied: dict[str, int] = {}
    for gallery in source.list_galleries():
        src = source.collection(gallery.name)
        vectors = source.engine.vectors(src)
        assert vectors is not None and len(vectors) == 1
        ((vector_name, dim),) = vectors.items()
        target.create_gallery(
            gallery.name,
            gallery.model_name,
            gallery.model_version,
            dim,
            keep_face_crops=gallery.keeps_face_crops,
        )
        dst = target.collection(gallery.name)
        offset: str | None = None
        n = 0
        while True:
            points, offset = source.engine.export(src, offset, _PAGE)
            if points:
                target.engine.upsert(dst, vector_name, points)
                n += len(points)
            if offset is None:
                break
        copied[gallery.name] = n
        log.info("copied gallery %s: %d face(s)", gallery.name, n)
    return copied
