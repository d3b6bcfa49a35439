"""Vector index builds that never stall the store process.

Qdrant Edge's ``optimize()`` (the HNSW build) holds the GIL for minutes, and
a shard can be open in one process only. So a build runs beside the live
shard, one at a time:

1. *export* — the store process writes the collection's points to a file, a
   small page between two requests at a time, and from then on keeps a copy
   of every write it applies to the collection (``Collection.pending``);
2. *build* — a niced builder process (builder.py) writes them into a new
   generation of the collection and builds its index; the store process
   keeps answering from the live shard, searching it exactly;
3. *swap* — the store process opens the new generation, replays the writes
   made since the export (writes are whole-point upserts and deletes, so
   replaying them in order onto any state the export saw gives the live
   state), flushes, and switches ``CURRENT`` atomically. Store calls wait
   for this step only: about one re-open of the shard.

A collection is (re)indexed when the points its index does not cover reach
``threshold`` and a tenth of those it covers: below that, searching them
exactly costs less than a build. An index of an older layout than
``INDEX_LAYOUT`` (a folder written by an earlier release) is rebuilt too,
in the background like any build: it answers as before until the swap.
The store process looks for a collection that wants a build when it opens,
after every write, and when a build ends.
"""

from __future__ import annotations

import logging
import os
import pickle
import shutil
import time
import uuid
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, Any

import numpy as np
import qdrant_edge as qe

from aurum_ml.store.edge.shards import (
    INDEX_LAYOUT,
    Collection,
    EdgeShards,
    apply,
    generation_path,
    load_shard,
    named_vector,
    write_current,
    write_layout,
)
from aurum_ml.store.edge.supervision import spawn

log = logging.getLogger(__name__)

#: Points exported per step: ~10 ms of the store process at 512-d.
_EXPORT_PAGE = 512


@dataclass(slots=True)
class _Build:
    collection: Collection
    export_path: Path
    export: IO[bytes] | None
    offset: Any = None
    exported: int = 0
    started: float = field(default_factory=time.perf_counter)
    proc: Any = None
    conn: Connection | None = None


class IndexBuilds:
    def __init__(self, shards: EdgeShards, threshold: int) -> None:
        self.shards = shards
        self.threshold = threshold
        self._build: _Build | None = None

    # -- what the store process's loop asks --------------------------------------

    def exporting(self) -> bool:
        """Whether a step of work is waiting (the loop then does not block)."""
        return self._build is not None and self._build.export is not None

    def connections(self) -> list[Connection]:
        b = self._build
        return [b.conn] if b is not None and b.conn is not None else []

    def building(self, name: str) -> bool:
        return self._build is not None and self._build.collection.name == name

    def wanted(self, name: str) -> bool:
        state = self.shards.index_state(name)
        if state is None or self.threshold <= 0:
            return False
        points, indexed, _ = state
        if indexed > 0 and self.shards.collections[name].layout < INDEX_LAYOUT:
            return True
        return points - indexed >= max(self.threshold, indexed // 10)

    def after_write(self, name: str) -> None:
        if self._build is None and self.wanted(name):
            self.start(name)

    def start_next(self) -> None:
        """Start the build of the first collection that wants one, if none runs."""
        for name in self.shards.collection_names():
            if self._build is not None:
                return
            self.after_write(name)

    def start(self, name: str) -> bool:
        """Start building ``name``'s index; False if another build runs."""
        if self._build is not None:
            return False
        c = self.shards.collections[name]
        path = self.shards.tmp / f"export-{uuid.uuid4().hex}.pkl"
        c.pending = []
        # Open across many steps of the loop, closed by step() or _finish().
        self._build = _Build(c, path, open(path, "wb"))  # noqa: SIM115
        log.info("index build of %s started: exporting its points", name)
        return True

    def step(self) -> None:
        """Export one page; once all are out, start the builder."""
        b = self._build
        assert b is not None and b.export is not None
        c = b.collection
        records, b.offset = c.shard.scroll(
            qe.ScrollRequest(
                offset=b.offset,
                limit=_EXPORT_PAGE,
                with_payload=True,
                with_vector=[c.vector_name],
            )
        )
        if records:
            ids = [str(r.id) for r in records]
            vectors = np.asarray(
                [named_vector(r.vector, c.vector_name) for r in records], np.float32
            )
            payloads = [dict(r.payload or {}) for r in records]
            pickle.dump((ids, vectors, payloads), b.export, protocol=pickle.HIGHEST_PROTOCOL)
            b.exported += len(ids)
        if b.offset is None:
            b.export.close()
            b.export = None
            target = generation_path(c.folder, c.generation + 1)
            if target.exists():
                shutil.rmtree(target)
            b.proc, b.conn = spawn("aurum_ml.store.edge.builder")
            b.conn.send(
                {
                    "export": str(b.export_path),
                    "target": str(target),
                    "vector_name": c.vector_name,
                    "dim": c.dim,
                    "keyword_fields": c.keyword_fields,
                    "tuning": asdict(self.shards.tuning),
                }
            )
            log.info("index build of %s: %d points exported, building", c.name, b.exported)

    def on_message(self) -> None:
        """The builder answered (or died): swap the new generation in, or give up."""
        b = self._build
        assert b is not None and b.conn is not None
        try:
            reply = b.conn.recv()
        except (EOFError, OSError):
            reply = ("failed", "the builder process exited")
        if reply[0] == "built":
            try:
                self._swap(b)
                log.info(
                    "index build of %s done: %d points in %.1f s",
                    b.collection.name,
                    reply[1],
                    time.perf_counter() - b.started,
                )
            except Exception as exc:
                log.error("index build of %s: swap failed: %s", b.collection.name, exc)
                self._discard(b)
        else:
            log.error("index build of %s failed: %s", b.collection.name, reply[1])
            self._discard(b)
        self._finish(b)
        if reply[0] == "built":
            # A failed build is not retried until the next write, or it would
            # fail again at once, for ever.
            self.start_next()

    def cancel(self, name: str) -> None:
        """Stop a build of ``name`` (it is being deleted)."""
        b = self._build
        if b is not None and b.collection.name == name:
            self._discard(b)
            self._finish(b)

    def close(self) -> None:
        if self._build is not None:
            self._discard(self._build)
            self._finish(self._build)

    # -- internals -----------------------------------------------------------------

    def _swap(self, b: _Build) -> None:
        c = b.collection
        new_generation = c.generation + 1
        shard = load_shard(generation_path(c.folder, new_generation))
        try:
            for op in c.pending or []:
                apply(shard, c.vector_name, op)
            shard.flush()
            write_current(c.folder, new_generation)
        except BaseException:
            shard.close()
            raise
        old, old_path = c.shard, c.shard_path
        c.shard, c.generation = shard, new_generation
        old.close()
        shutil.rmtree(old_path, ignore_errors=True)
        # After CURRENT: a crash in between leaves the new index recorded as
        # the old layout, and costs one needless rebuild.
        write_layout(c, INDEX_LAYOUT)

    def _discard(self, b: _Build) -> None:
        if b.proc is not None and b.proc.poll() is None:
            b.proc.kill()
            b.proc.wait()
        target = generation_path(b.collection.folder, b.collection.generation + 1)
        shutil.rmtree(target, ignore_errors=True)

    def _finish(self, b: _Build) -> None:
        b.collection.pending = None
        if b.export is not None:
            b.export.close()
        if b.conn is not None:
            b.conn.close()
        if b.proc is not None:
            b.proc.wait()
        if b.export_path.exists():
            os.unlink(b.export_path)
        self._build = None
