"""Moving a store folder written by qdrant-client's embedded (local) mode,
the engine before Qdrant Edge, to Qdrant Edge, without losing a face.

It runs in the store process, under the folder lock, before the folder is
served: every collection is copied page by page (vectors and payload, point
ids unchanged), each copy is counted against its source, and only then is
``local-mode-migrated.json`` written. A crash before that leaves the marker
absent and the next start copies again from scratch, replacing what the
interrupted copy wrote. The old files (``meta.json``, ``collection/``) are
left untouched; delete them once the migrated store has served well.
"""

from __future__ import annotations

import json
import logging
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from aurum_ml.store.edge.shards import EdgeShards, write_json_atomic
from aurum_ml.store.schema import KEYWORD_FIELDS

log = logging.getLogger(__name__)

MARKER = "local-mode-migrated.json"
_PAGE = 1024


def needs_upgrade(root: Path) -> bool:
    """Whether ``root`` holds local-mode data not yet migrated."""
    return (root / "meta.json").exists() and not (root / MARKER).exists()


def upgrade(root: Path, shards: EdgeShards) -> dict[str, int]:
    """Copy every local-mode collection into ``shards`` (opened on ``root``);
    returns the faces copied per collection."""
    # Imported here: only a folder from before Qdrant Edge needs it.
    from qdrant_client import QdrantClient

    started = time.perf_counter()
    copied: dict[str, int] = {}
    with warnings.catch_warnings():
        # Local mode warns about payload indexes and collection sizes.
        warnings.simplefilter("ignore")
        client = QdrantClient(path=str(root))
        try:
            for description in client.get_collections().collections:
                name = description.name
                vectors = client.get_collection(name).config.params.vectors
                if not isinstance(vectors, dict) or len(vectors) != 1:
                    log.warning("not migrating collection %s: it is not a face gallery", name)
                    continue
                ((vector_name, params),) = vectors.items()
                copied[name] = _copy(client, shards, name, vector_name, int(params.size))
        finally:
            client.close()
    write_json_atomic(
        root / MARKER,
        {"migrated_at": time.time(), "faces": copied, "from": "qdrant-client local mode"},
    )
    log.info(
        "migrated %d face(s) in %d gallery(ies) from local mode in %.1f s",
        sum(copied.values()),
        len(copied),
        time.perf_counter() - started,
    )
    return copied


def _copy(client: Any, shards: EdgeShards, name: str, vector_name: str, dim: int) -> int:
    # A copy an earlier, interrupted start began is replaced whole.
    shards.delete_collection(name)
    shards.create_collection(name, vector_name, dim, KEYWORD_FIELDS)
    offset: Any = None
    n = 0
    while True:
        records, offset = client.scroll(
            name, limit=_PAGE, offset=offset, with_payload=True, with_vectors=True
        )
        if records:
            vectors = np.asarray([r.vector[vector_name] for r in records], dtype=np.float32)
            shards.upsert(
                name,
                vector_name,
                [str(r.id) for r in records],
                vectors,
                [dict(r.payload or {}) for r in records],
            )
            n += len(records)
        if offset is None:
            break
    expected = int(client.count(name, exact=True).count)
    got = shards.count(name, None)
    if got != expected or n != expected:
        raise RuntimeError(
            f"migrating {name}: {expected} faces in local mode, {n} read, {got} written"
        )
    return n


def describe(root: Path) -> dict[str, Any]:
    """What the marker says (for the command line)."""
    marker = root / MARKER
    result: dict[str, Any] = json.loads(marker.read_text()) if marker.exists() else {}
    return result
