"""The Edge engine as the face store sees it: requests to the store process.

Every call is one request and one answer over a socket pair; the serving
interpreter only pickles and waits (the wait releases the GIL), so no engine
call, index build included, can freeze gRPC, REST or health. Calls from many
threads are sent one at a time, and the store process answers them in order.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from aurum_ml.errors import AurumError, FailedPrecondition, NotFound, ServiceUnavailable
from aurum_ml.store.edge.supervision import spawn
from aurum_ml.store.engine import Fields, Hit, IndexState, Point, StoredPoint, ValuePage, Where

log = logging.getLogger(__name__)

LOCKED = (
    "the local face store folder is in use by another process or store instance; "
    "stop it, or run a Qdrant server and configure its url"
)
_GONE = "the face store process exited; it is restarted on the next try"


@dataclass(frozen=True, slots=True)
class EdgeOptions:
    """How the store process runs (README, "Embedded or server")."""

    #: A collection is (re)indexed once this many of its points are not in
    #: its vector index (and a tenth of those that are); 0 never indexes.
    index_threshold: int = 20000
    #: Candidates the HNSW search explores (recall against speed).
    hnsw_ef: int = 256
    #: Seconds between a write and the fsync that makes it safe from a power
    #: cut (it is safe from any process crash once acknowledged); 0 fsyncs
    #: before every acknowledgement.
    flush_interval_s: float = 1.0
    #: How long opening the folder may take (re-opening 1M faces: ~3 s).
    open_timeout_s: float = 300.0


def _fields(fields: Fields) -> bool | list[str]:
    return fields if isinstance(fields, bool) else list(fields)


class EdgeEngine:
    """The store process's client; see the module docstring."""

    needs_lock = False

    def __init__(self, location: str, options: EdgeOptions | None = None) -> None:
        """Start the store process on ``location`` (a folder, or ``:memory:``
        for a temporary folder removed on close). Raises ServiceUnavailable
        when the folder is locked or cannot be opened."""
        self.options = options or EdgeOptions()
        self._temporary = location == ":memory:"
        self.root = (
            Path(tempfile.mkdtemp(prefix="aurum-store-")) if self._temporary else Path(location)
        )
        self._lock = threading.Lock()
        self._closed = False
        self._proc, self._conn = spawn(
            "aurum_ml.store.edge.process",
            "--root",
            str(self.root),
            "--index-threshold",
            str(self.options.index_threshold),
            "--hnsw-ef",
            str(self.options.hnsw_ef),
            "--flush-interval-s",
            str(self.options.flush_interval_s),
            "--log-level",
            logging.getLevelName(max(logging.getLogger().getEffectiveLevel(), logging.INFO)),
        )
        try:
            ready = self._conn.recv() if self._conn.poll(self.options.open_timeout_s) else ("slow",)
        except (EOFError, OSError):
            ready = ("failed",)
        if ready[0] != "ready":
            self._stop()
            if ready[0] == "locked":
                raise ServiceUnavailable(LOCKED)
            raise ServiceUnavailable("the local face store cannot be opened (see server log)")

    @property
    def pid(self) -> int:
        return int(self._proc.pid)

    # -- the wire ------------------------------------------------------------------

    def _call(self, op: str, *args: Any) -> Any:
        with self._lock:
            if self._closed:
                raise ServiceUnavailable("the face store is closed")
            try:
                self._conn.send((op, args))
                reply = self._conn.recv()
            except (EOFError, OSError) as exc:
                log.error("the face store process exited (%s): %r", self._proc.poll(), exc)
                raise ServiceUnavailable(_GONE) from None
        if reply[0] == "ok":
            return reply[1]
        kind = reply[1]
        label = op.replace("_", " ")
        if kind == "not_found":
            raise NotFound(f"gallery not found ({label})")
        if kind == "wrong_vector":
            raise FailedPrecondition(
                "the gallery's model changed during the call; check the gallery and retry"
            )
        if kind == "unavailable":
            raise ServiceUnavailable(f"the face store is unavailable ({label} failed); retry later")
        raise AurumError(f"the face store could not complete the request ({label})")

    # -- Engine ------------------------------------------------------------------------

    def collection_names(self) -> list[str]:
        names: list[str] = self._call("collection_names")
        return names

    def vectors(self, collection: str) -> dict[str, int] | None:
        found: dict[str, int] | None = self._call("vectors", collection)
        return found

    def create_collection(
        self, collection: str, vector_name: str, dim: int, keyword_fields: Sequence[str]
    ) -> bool:
        return bool(
            self._call("create_collection", collection, vector_name, dim, list(keyword_fields))
        )

    def delete_collection(self, collection: str) -> bool:
        return bool(self._call("delete_collection", collection))

    def upsert(self, collection: str, vector_name: str, points: Sequence[Point]) -> None:
        if not points:
            return
        vectors = np.stack([np.asarray(p.vector, dtype=np.float32) for p in points])
        self._call(
            "upsert",
            collection,
            vector_name,
            [p.id for p in points],
            vectors,
            [p.payload for p in points],
        )

    def retrieve(self, collection: str, ids: Sequence[str], fields: Fields) -> list[StoredPoint]:
        found = self._call("retrieve", collection, list(ids), _fields(fields))
        return [StoredPoint(i, p) for i, p in found]

    def delete_points(self, collection: str, ids: Sequence[str]) -> None:
        self._call("delete_points", collection, list(ids))

    def delete_where(self, collection: str, where: Mapping[str, str]) -> None:
        self._call("delete_where", collection, dict(where))

    def count(self, collection: str, where: Where) -> int:
        return int(self._call("count", collection, dict(where) if where else None))

    def values(self, collection: str, key: str, after: str | None, limit: int) -> ValuePage:
        found, more = self._call("values", collection, key, after, limit)
        return ValuePage([(str(v), int(n)) for v, n in found], bool(more))

    def distinct(self, collection: str, key: str) -> int:
        return int(self._call("distinct", collection, key))

    def scroll(self, collection: str, where: Where, fields: Fields) -> list[StoredPoint]:
        found = self._call("scroll", collection, dict(where) if where else None, _fields(fields))
        return [StoredPoint(i, p) for i, p in found]

    def search(
        self,
        collection: str,
        vector_name: str,
        queries: npt.NDArray[np.float32],
        limit: int,
        where: Where,
        fields: Fields,
    ) -> list[list[Hit]]:
        answers = self._call(
            "search",
            collection,
            vector_name,
            np.asarray(queries, dtype=np.float32),
            limit,
            dict(where) if where else None,
            _fields(fields),
        )
        return [[Hit(i, s, p) for i, s, p in hits] for hits in answers]

    def export(
        self, collection: str, offset: str | None, limit: int
    ) -> tuple[list[Point], str | None]:
        ids, vectors, payloads, next_offset = self._call("export", collection, offset, limit)
        points = [Point(i, v, p) for i, v, p in zip(ids, vectors, payloads, strict=True)]
        return points, next_offset

    def index_state(self, collection: str) -> IndexState | None:
        state = self._call("index_state", collection)
        return None if state is None else IndexState(*state)

    def build_index(self, collection: str) -> bool:
        """Start an index build now, whatever the threshold; False if another
        collection's build is running (one runs at a time)."""
        return bool(self._call("build_index", collection))

    def healthy(self) -> bool:
        if self._closed or self._proc.poll() is not None:
            return False
        try:
            return bool(self._call("ping"))
        except AurumError:
            return False

    def close(self) -> None:
        """Ask the store process to flush and exit, and wait for it. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                self._conn.send(("close", ()))
                if self._conn.poll(60):
                    self._conn.recv()
            except (EOFError, OSError):
                pass
        self._stop()

    def _stop(self) -> None:
        self._closed = True
        try:
            self._proc.wait(timeout=60)
        except Exception:
            self._proc.kill()
            self._proc.wait()
        self._conn.close()
        if self._temporary:
            shutil.rmtree(self.root, ignore_errors=True)
