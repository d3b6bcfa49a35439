"""The index builder process: turns an export of a collection into a new,
indexed shard, far from any interpreter that serves.

    python -m aurum_ml.store.edge.builder --fd N

Started by the store process (builds.py) for one build, niced, and killed
with it. It reads the points the store process exported, writes them into
a new shard, runs Qdrant Edge's optimizer (the HNSW build: minutes at 100k
faces on two cores, during which this interpreter is frozen, which harms no
one), flushes, and reports. What it leaves behind when killed is removed by
the store process (a generation CURRENT does not name).
"""

from __future__ import annotations

import argparse
import pickle
import time
from multiprocessing.connection import Connection
from pathlib import Path

import qdrant_edge as qe

from aurum_ml.store.edge.shards import (
    SearchTuning,
    apply,
    create_field_indexes,
    edge_config,
    read_ahead,
)
from aurum_ml.store.edge.supervision import die_with_parent, lower_priority

#: Linux nice steps above the store process; niceness stops at 19.
BUILDER_NICENESS = 19


def build(
    export: Path,
    target: Path,
    vector_name: str,
    dim: int,
    keyword_fields: list[str],
    tuning: SearchTuning,
) -> int:
    """Build the indexed shard at ``target``; returns how many points it holds."""
    config = edge_config(vector_name, dim, tuning)
    shard = qe.EdgeShard.create(str(target), config)
    try:
        create_field_indexes(shard, keyword_fields)
        with open(export, "rb") as f:
            while True:
                try:
                    ids, vectors, payloads = pickle.load(f)
                except EOFError:
                    break
                apply(shard, vector_name, ("upsert", ids, vectors, payloads))
        shard.optimize()
        shard.flush()
        points = int(shard.info().points_count)
    finally:
        shard.close()
    # Closing dropped the files from the page cache: read here, niced, so
    # that the store process's open at the swap finds them cached.
    read_ahead(target)
    return points


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fd", type=int, required=True)
    args = parser.parse_args()
    die_with_parent()
    # Serving comes first: health, Detect and the store's searches and writes
    # run before the build whenever they want a core, and the build takes
    # what they leave. Lowest there is (the store process is already niced,
    # and the build's own threads inherit this).
    lower_priority(BUILDER_NICENESS)
    conn = Connection(args.fd)
    job = conn.recv()
    started = time.perf_counter()
    try:
        points = build(
            Path(job["export"]),
            Path(job["target"]),
            job["vector_name"],
            job["dim"],
            job["keyword_fields"],
            SearchTuning(**job["tuning"]),
        )
    except Exception as exc:  # reported to the store process, which logs it
        conn.send(("failed", f"{type(exc).__name__}: {str(exc)[:300]}"))
        return
    conn.send(("built", points, time.perf_counter() - started))


if __name__ == "__main__":
    main()
