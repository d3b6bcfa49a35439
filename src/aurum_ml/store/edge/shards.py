"""The store process's collections: one Qdrant Edge shard each, on disk.

Layout under the store folder::

    .aurum-store.lock               held by the store process (lock.py)
    edge/<quoted name>/collection.json   name, vector name, size, indexed fields,
                                         the index layout of the live generation
    edge/<quoted name>/CURRENT           which generation is live, e.g. "gen-000002"
    edge/<quoted name>/gen-000002/       the live shard (segments, WAL)
    edge/tmp/                            collections being created, deleted or indexed

A collection is created in ``tmp/`` and renamed into place, and deleted by a
rename out of it, so a crash never leaves half of one. An index build writes
a new generation beside the live one; ``CURRENT`` is replaced atomically to
switch (builds.py). Anything in ``tmp/`` and any generation ``CURRENT`` does
not name is left over from a crash and removed at open.

Durability: a write is acknowledged once Qdrant Edge has applied it and
written it to its WAL (which is never turned off). The operating system then
holds it, so it survives SIGKILL of the server, the store process or both
(Qdrant Edge replays the WAL at open; tests/unit/test_store_edge.py kills a
stream of enrols at random moments). Fsync (``flush``) costs 5-70 ms, more
than the write, so it runs once ``flush_interval_s`` has passed after a
write (process.py): a power cut or kernel crash can lose the writes of that
last interval. ``flush_interval_s`` 0 flushes before every acknowledgement.
Everything here runs in the store process only: these calls hold the GIL.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
import urllib.parse
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import qdrant_edge as qe

from aurum_ml.store.edge import roster

log = logging.getLogger(__name__)

_SCROLL_PAGE = 1024
_CONFIG = "collection.json"
_CURRENT = "CURRENT"

#: A write as the store process receives it, kept to replay onto a shard
#: that an index build produced: ("upsert", ids, vectors, payloads),
#: ("delete", ids) or ("delete_where", where).
Op = tuple[Any, ...]


class MissingCollection(Exception):
    """The collection does not exist."""


class WrongVector(Exception):
    """The collection holds another named vector (it was recreated for another model)."""


#: The search ef a million faces needs for recall@5 0.99 (see SearchTuning.ef_for).
_EF_PER_MILLION = 2048
MAX_EF = 4096
#: How often a collection's size is read again for ef_for: sizes change
#: slowly, and counting on every search would cost more than it tunes.
_COUNT_EVERY_S = 1.0

#: How an index is laid out; a collection whose live index has an older
#: layout is rebuilt in the background (builds.py). 1: float vectors in
#: RAM. 2: int8 vectors in RAM for the graph, float vectors on disk for the
#: final ranking (edge_config).
INDEX_LAYOUT = 2


@dataclass(frozen=True, slots=True)
class SearchTuning:
    """How searches and index builds are tuned (README, "Embedded or server")."""

    #: The graph and the search, chosen on real-like vectors at 100k faces
    #: (bench/store_bench.py; near-duplicates of real embeddings crowd
    #: together): m 16 / ef_construct 100 found recall@5 0.907 at ef 128,
    #: 0.965 at 256, 0.989 at 512; m 32 / ef_construct 256 found 0.991 at
    #: ef 128 and 1.000 at 256 (~1 ms), for a build of 77 s instead of 42 s.
    hnsw_ef: int = 256
    hnsw_m: int = 32
    hnsw_ef_construct: int = 256
    #: The int8 search ranks this many times the answers asked for, and the
    #: float vectors rank those: at 100k faces 1x found recall@5 0.948, 2x
    #: 0.999, as float vectors alone (ef 256).
    oversampling: float = 2.0

    def ef_for(self, points: int) -> int:
        """The ef a search of a collection of ``points`` uses: ``hnsw_ef`` at
        least, more as the graph grows. At 1M faces ef 256 found recall@5
        0.853, 512 0.929, 1024 0.972 and 2048 0.992 (p50 9.2 / 9.7 / 12.1 /
        15.0 ms; bench/store_bench.py --ef), so the floor scales to 2048 per
        million; at 100k it stays at 256 (recall 0.999)."""
        scaled = -(-points * _EF_PER_MILLION // 1_000_000)
        return max(self.hnsw_ef, min(MAX_EF, scaled))


@dataclass(slots=True)
class Collection:
    name: str
    folder: Path
    vector_name: str
    dim: int
    keyword_fields: list[str]
    generation: int
    shard: qe.EdgeShard
    #: INDEX_LAYOUT of the live generation's index.
    layout: int = INDEX_LAYOUT
    #: Writes since an index build took its copy; None when none is running.
    pending: list[Op] | None = field(default=None)
    #: Its size as last counted, and when (monotonic seconds): for ef_for.
    points: int = 0
    counted_at: float = float("-inf")

    @property
    def shard_path(self) -> Path:
        return generation_path(self.folder, self.generation)


def named_vector(vector: object, name: str) -> object:
    assert isinstance(vector, dict), "a collection's points have named vectors"
    return vector[name]


def generation_path(folder: Path, generation: int) -> Path:
    return folder / f"gen-{generation:06d}"


def edge_config(vector_name: str, dim: int, tuning: SearchTuning) -> qe.EdgeConfig:
    """A collection's shard config. The live shard never runs the optimizer
    (builds.py does, on a copy), so when one runs it indexes every segment:
    the index threshold (KB) is as low as it goes without turning it off.

    An index holds its vectors twice: int8, in RAM, which the graph is built
    and searched with, and float, on disk (mapped, read on demand), which
    rank the int8 search's best ``oversampling`` x limit. At 100k faces
    against float vectors in RAM (the layout before): recall@5 the same
    (0.997-0.999), search p50 0.64 ms instead of 1.27, HNSW build 17 s
    instead of 47, resident memory after 300 searches 192 MiB instead of
    321; at 1M see the README. Segments not yet indexed are searched
    exactly on the float vectors."""
    int8 = qe.ScalarQuantizationConfig(
        type=qe.ScalarType.Int8, quantile=0.99, memory=qe.Memory.Cached
    )
    return qe.EdgeConfig(
        vectors={
            vector_name: qe.EdgeVectorParams(
                size=dim,
                distance=qe.Distance.Cosine,
                memory=qe.Memory.Cold,
                quantization_config=int8,
            )
        },
        hnsw_config=qe.HnswIndexConfig(
            m=tuning.hnsw_m, ef_construct=tuning.hnsw_ef_construct, full_scan_threshold=10000
        ),
        optimizers=qe.EdgeOptimizersConfig(indexing_threshold=1, default_segment_number=1),
        # Never disabled: without the WAL nothing locks the shard and writes
        # are lost silently (measured).
        wal_enabled=True,
    )


#: What Qdrant Edge keeps on disk and reads on demand (index layout 2:
#: float vectors, payloads) and the WAL: not worth reading ahead.
_COLD = frozenset({"matrix.dat", "payload_storage", "wal"})
_READ_AHEAD = 8 << 20


def load_shard(path: Path) -> qe.EdgeShard:
    """Open a shard, its files read ahead first (read_ahead)."""
    read_ahead(path)
    return qe.EdgeShard.load(str(path))


def read_ahead(path: Path) -> None:
    """Bring the parts of a shard that its open reads into the page cache.

    Qdrant Edge drops a shard's files from the page cache when it closes
    one and, opening it, faults its in-RAM parts (the int8 vectors, the
    graph) in a 4 KiB page at a time: 8.9 s for a million faces on this
    machine's disk (90 MB/s in 4 KiB reads), during which the store answers
    nobody. Read sequentially first, those pages are cached and the open
    takes 0.08 s instead of 0.71 at 100k faces."""
    if not hasattr(os, "posix_fadvise"):  # not Linux: the open reads them itself
        return
    buffer = bytearray(_READ_AHEAD)
    for file in sorted(path.rglob("*")):
        if _COLD.intersection(file.relative_to(path).parts) or not file.is_file():
            continue
        try:
            with open(file, "rb", buffering=0) as f:
                os.posix_fadvise(f.fileno(), 0, 0, os.POSIX_FADV_SEQUENTIAL)
                while f.readinto(buffer):
                    pass
        except OSError:  # only a speed-up; the open reports what is wrong
            continue


def create_field_indexes(shard: qe.EdgeShard, keyword_fields: Sequence[str]) -> None:
    for name in keyword_fields:
        shard.update(qe.UpdateOperation.create_field_index(name, qe.PayloadSchemaType.Keyword))


def to_filter(where: Mapping[str, str] | None) -> qe.Filter | None:
    if not where:
        return None
    return qe.Filter(
        must=[qe.FieldCondition(key=k, match=qe.MatchValue(v)) for k, v in where.items()]
    )


def with_payload(fields: bool | Sequence[str]) -> bool | list[str]:
    return fields if isinstance(fields, bool) else list(fields)


def apply(shard: qe.EdgeShard, vector_name: str, op: Op) -> None:
    """Apply one write to a shard (no flush)."""
    kind = op[0]
    if kind == "upsert":
        _, ids, vectors, payloads = op
        points = [
            qe.Point(pid, {vector_name: vec.tolist()}, payload)
            for pid, vec, payload in zip(ids, vectors, payloads, strict=True)
        ]
        shard.update(qe.UpdateOperation.upsert_points(points))
    elif kind == "delete":
        shard.update(qe.UpdateOperation.delete_points(list(op[1])))
    elif kind == "delete_where":
        flt = to_filter(op[1])
        assert flt is not None
        shard.update(qe.UpdateOperation.delete_points_by_filter(flt))
    else:
        raise ValueError(f"unknown write {kind!r}")


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def write_json_atomic(path: Path, value: object) -> None:
    _write_atomic(path, json.dumps(value))


def write_layout(c: Collection, layout: int) -> None:
    """Record the index layout of ``c``'s live generation."""
    write_json_atomic(
        c.folder / _CONFIG, _meta(c.name, c.vector_name, c.dim, c.keyword_fields, layout)
    )
    c.layout = layout


def _meta(
    name: str, vector_name: str, dim: int, keyword_fields: Sequence[str], layout: int
) -> dict[str, Any]:
    return {
        "name": name,
        "vector_name": vector_name,
        "dim": dim,
        "keyword_fields": list(keyword_fields),
        "index_layout": layout,
    }


def write_current(folder: Path, generation: int) -> None:
    """Make ``generation`` the live one, atomically and durably."""
    _write_atomic(folder / _CURRENT, generation_path(folder, generation).name)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class EdgeShards:
    """The collections of one store folder. Not thread-safe: the store
    process calls it from one thread."""

    def __init__(self, root: Path, tuning: SearchTuning) -> None:
        self.root = root
        self.tuning = tuning
        self.edge = root / "edge"
        self.tmp = self.edge / "tmp"
        self.collections: dict[str, Collection] = {}
        #: Collections written since they were last flushed.
        self.dirty: set[str] = set()
        #: Each collection's keyword fields' values (roster.py), read in
        #: steps between requests (roster_step) from when it is opened.
        self.rosters: dict[tuple[str, str], roster.Roster] = {}

    # -- lifecycle ---------------------------------------------------------------

    def open(self) -> None:
        """Load every collection; remove what a crash left behind. The caller
        holds the folder lock."""
        self.edge.mkdir(parents=True, exist_ok=True)
        if self.tmp.exists():
            shutil.rmtree(self.tmp)
        self.tmp.mkdir()
        for folder in sorted(p for p in self.edge.iterdir() if p.is_dir() and p != self.tmp):
            config = folder / _CONFIG
            if not config.exists():
                log.warning("ignoring %s: it holds no %s", folder.name, _CONFIG)
                continue
            meta = json.loads(config.read_text(encoding="utf-8"))
            generation = int((folder / _CURRENT).read_text(encoding="ascii").strip()[4:])
            for other in folder.glob("gen-*"):
                if other != generation_path(folder, generation):
                    shutil.rmtree(other)
            shard = load_shard(generation_path(folder, generation))
            # Indexes added to the layout since the collection was made.
            create_field_indexes(shard, meta["keyword_fields"])
            self.collections[meta["name"]] = Collection(
                meta["name"],
                folder,
                meta["vector_name"],
                int(meta["dim"]),
                list(meta["keyword_fields"]),
                generation,
                shard,
                int(meta.get("index_layout", 1)),
            )
            self._new_rosters(meta["name"], meta["keyword_fields"])

    def close(self) -> None:
        for c in self.collections.values():
            try:
                c.shard.flush()
            finally:
                c.shard.close()
        self.collections.clear()

    # -- collections ----------------------------------------------------------------

    def _get(self, name: str) -> Collection:
        c = self.collections.get(name)
        if c is None:
            raise MissingCollection(name)
        return c

    def collection_names(self) -> list[str]:
        return sorted(self.collections)

    def vectors(self, name: str) -> dict[str, int] | None:
        c = self.collections.get(name)
        return None if c is None else {c.vector_name: c.dim}

    def create_collection(
        self, name: str, vector_name: str, dim: int, keyword_fields: Sequence[str]
    ) -> bool:
        if name in self.collections:
            return False
        staging = self.tmp / f"create-{uuid.uuid4().hex}"
        staging.mkdir()
        shard = qe.EdgeShard.create(
            str(generation_path(staging, 1)), edge_config(vector_name, dim, self.tuning)
        )
        create_field_indexes(shard, keyword_fields)
        shard.flush()
        shard.close()
        write_json_atomic(
            staging / _CONFIG, _meta(name, vector_name, dim, keyword_fields, INDEX_LAYOUT)
        )
        write_current(staging, 1)
        folder = self.edge / urllib.parse.quote(name, safe="")
        os.rename(staging, folder)
        _fsync_dir(self.edge)
        shard = load_shard(generation_path(folder, 1))
        self.collections[name] = Collection(
            name, folder, vector_name, dim, list(keyword_fields), 1, shard
        )
        self._new_rosters(name, keyword_fields)
        return True

    def delete_collection(self, name: str) -> bool:
        c = self.collections.pop(name, None)
        self.dirty.discard(name)
        for key in [k for k in self.rosters if k[0] == name]:
            del self.rosters[key]
        if c is None:
            return False
        c.shard.close()
        trash = self.tmp / f"delete-{uuid.uuid4().hex}"
        os.rename(c.folder, trash)
        _fsync_dir(self.edge)
        shutil.rmtree(trash, ignore_errors=True)
        return True

    # -- writes ----------------------------------------------------------------------

    def write(self, name: str, op: Op) -> None:
        """Apply a write (WAL included; see the module docstring for fsync)."""
        c = self._get(name)
        changes = {
            k: roster.change(c.shard, k[1], op, r.passed)
            for k, r in self.rosters.items()
            if k[0] == name
        }
        apply(c.shard, c.vector_name, op)
        self.dirty.add(name)
        for k, change in changes.items():
            if change is None:
                self.rosters[k] = roster.Roster(k[1])  # read again, in steps
            else:
                self.rosters[k].apply(change)
        if c.pending is not None:
            c.pending.append(op)

    def flush(self) -> None:
        """Fsync every collection written since the last flush."""
        dirty, self.dirty = self.dirty, set()
        for name in dirty:
            c = self.collections.get(name)
            if c is not None:
                c.shard.flush()

    def upsert(
        self,
        name: str,
        vector_name: str,
        ids: Sequence[str],
        vectors: npt.NDArray[np.float32],
        payloads: Sequence[dict[str, Any]],
    ) -> None:
        if vector_name != self._get(name).vector_name:
            raise WrongVector(name)
        self.write(name, ("upsert", list(ids), vectors, list(payloads)))

    def delete_points(self, name: str, ids: Sequence[str]) -> None:
        self.write(name, ("delete", list(ids)))

    def delete_where(self, name: str, where: Mapping[str, str]) -> None:
        self.write(name, ("delete_where", dict(where)))

    # -- reads ------------------------------------------------------------------------

    def retrieve(
        self, name: str, ids: Sequence[str], fields: bool | Sequence[str]
    ) -> list[tuple[str, dict[str, Any]]]:
        records = self._get(name).shard.retrieve(
            list(ids), with_payload=with_payload(fields), with_vector=False
        )
        return [(str(r.id), dict(r.payload or {})) for r in records]

    def count(self, name: str, where: Mapping[str, str] | None) -> int:
        return int(
            self._get(name).shard.count(qe.CountRequest(exact=True, filter=to_filter(where)))
        )

    def _new_rosters(self, name: str, keyword_fields: Sequence[str]) -> None:
        for key in keyword_fields:
            self.rosters[(name, key)] = roster.Roster(key)

    def roster_pending(self) -> bool:
        """Whether a roster is still being read (roster_step has work)."""
        return any(not r.complete for r in self.rosters.values())

    def roster_step(self) -> None:
        """Read one step of the first roster not yet complete."""
        for k, r in self.rosters.items():
            if not r.complete:
                try:
                    r.step(self._get(k[0]).shard)
                except Exception:
                    del self.rosters[k]  # a listing that asks reads it again
                    raise
                return

    def _roster(self, name: str, key: str) -> roster.Roster:
        shard = self._get(name).shard
        found = self.rosters.get((name, key))
        if found is None:
            found = self.rosters[(name, key)] = roster.Roster(key)
        if not found.complete:
            started = time.perf_counter()
            found.read(shard)
            log.info(
                "%s: %s asked for before its roster was read; read the rest in %.2f s",
                name,
                key,
                time.perf_counter() - started,
            )
        return found

    def values(
        self, name: str, key: str, after: str | None, limit: int
    ) -> tuple[list[tuple[str, int]], bool]:
        """Values of keyword field ``key`` after ``after``, in order, with how
        many points hold each; and whether more follow (roster.py)."""
        return self._roster(name, key).page(after, limit)

    def distinct(self, name: str, key: str) -> int:
        return len(self._roster(name, key))

    def scroll(
        self, name: str, where: Mapping[str, str] | None, fields: bool | Sequence[str]
    ) -> list[tuple[str, dict[str, Any]]]:
        shard = self._get(name).shard
        out: list[tuple[str, dict[str, Any]]] = []
        offset: Any = None
        while True:
            records, offset = shard.scroll(
                qe.ScrollRequest(
                    offset=offset,
                    limit=_SCROLL_PAGE,
                    filter=to_filter(where),
                    with_payload=with_payload(fields),
                    with_vector=False,
                )
            )
            out.extend((str(r.id), dict(r.payload or {})) for r in records)
            if offset is None:
                return out

    def search(
        self,
        name: str,
        vector_name: str,
        queries: Sequence[Sequence[float]],
        limit: int,
        where: Mapping[str, str] | None,
        fields: bool | Sequence[str],
    ) -> list[list[tuple[str, float, dict[str, Any]]]]:
        c = self._get(name)
        if vector_name != c.vector_name:
            raise WrongVector(name)
        flt = to_filter(where)
        now = time.monotonic()
        if now - c.counted_at > _COUNT_EVERY_S:
            c.points = int(c.shard.count(qe.CountRequest(exact=False)))
            c.counted_at = now
        params = qe.SearchParams(
            hnsw_ef=self.tuning.ef_for(c.points),
            quantization=qe.QuantizationSearchParams(
                rescore=True, oversampling=self.tuning.oversampling
            ),
        )
        requests = [
            qe.QueryRequest(
                limit=limit,
                query=qe.Query.Nearest(np.asarray(q, dtype=np.float32).tolist(), using=vector_name),
                filter=flt,
                with_payload=with_payload(fields),
                with_vector=False,
                params=params,
            )
            for q in queries
        ]
        if len(requests) == 1:
            answers = [c.shard.query(requests[0])]
        else:
            answers = c.shard.query_batch(qe.QueryBatchRequest(requests))
        return [
            [(str(p.id), float(p.score), dict(p.payload or {})) for p in answer]
            for answer in answers
        ]

    def export(
        self, name: str, offset: str | None, limit: int
    ) -> tuple[list[str], npt.NDArray[np.float32], list[dict[str, Any]], str | None]:
        """A page of points with vectors: ids, vectors, payloads, next offset."""
        c = self._get(name)
        records, next_offset = c.shard.scroll(
            qe.ScrollRequest(
                offset=offset, limit=limit, with_payload=True, with_vector=[c.vector_name]
            )
        )
        vectors = np.asarray(
            [named_vector(r.vector, c.vector_name) for r in records], np.float32
        ).reshape(len(records), c.dim)
        return (
            [str(r.id) for r in records],
            vectors,
            [dict(r.payload or {}) for r in records],
            None if next_offset is None else str(next_offset),
        )

    def index_state(self, name: str) -> tuple[int, int, bool] | None:
        c = self.collections.get(name)
        if c is None:
            return None
        info = c.shard.info()
        return int(info.points_count), int(info.indexed_vectors_count), c.pending is not None
