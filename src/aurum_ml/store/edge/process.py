"""The store process: owns one store folder and answers the server's requests.

    python -m aurum_ml.store.edge.process --fd N --root FOLDER [--index-threshold N]

Started by :class:`~aurum_ml.store.edge.client.EdgeEngine` over a socket pair.
It takes the folder lock before touching any engine file, opens every
collection, says ``ready`` (or ``locked``, or ``failed``), then answers one
request at a time, in order; between requests it exports the points of an
index build a page at a time (builds.py) and reads the collections' subject
rosters a step at a time (roster.py). It exits when asked, when the
server's end of the connection closes, or (Linux) with its parent.

A request is ``(op, args)``; the answer ``("ok", value)`` or
``("err", kind, message)``, where the message is safe to show a client and
the detail is logged here (stderr, beside the server's log).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import time
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from aurum_ml.store.edge.builds import IndexBuilds
from aurum_ml.store.edge.lock import FolderLock, FolderLocked
from aurum_ml.store.edge.shards import EdgeShards, MissingCollection, SearchTuning, WrongVector
from aurum_ml.store.edge.supervision import lower_priority
from aurum_ml.store.edge.upgrade import needs_upgrade, upgrade

log = logging.getLogger("aurum_ml.store.edge")

_LOCK_GRACE_S = 1.0

#: How much lower than its server the store process runs (Linux nice steps).
#: When the cores are all busy (a bulk enrol, an index build, inference),
#: the server's health, Detect and Embed are scheduled before store work: a
#: store call waits a little longer, a Detect does not wait behind a
#: stream of upserts (README, "Serving during a bulk enrol").
STORE_NICENESS = 5

#: Subject rosters (roster.py) are read a step at a time once no request
#: has come for this long, so that a client's next request does not find a
#: step just begun (each would wait one: +4 ms per Identify at 1M faces, a
#: step of 256 points); and at least every ``_ROSTER_EVERY_S`` while
#: requests come without a pause, so that the reading ends.
_ROSTER_GRACE_S = 0.001
_ROSTER_EVERY_S = 0.05

#: Requests that write to a collection named by their first argument.
_WRITES = frozenset({"upsert", "delete_points", "delete_where"})


class StoreProcess:
    def __init__(self, shards: EdgeShards, builds: IndexBuilds, flush_interval_s: float) -> None:
        self.shards = shards
        self.builds = builds
        self.flush_interval_s = flush_interval_s
        self._flush_at: float | None = None
        self._roster_at = float("-inf")
        self._ops: dict[str, Callable[..., Any]] = {
            "ping": lambda: True,
            "collection_names": shards.collection_names,
            "vectors": shards.vectors,
            "create_collection": shards.create_collection,
            "delete_collection": self._delete_collection,
            "upsert": shards.upsert,
            "retrieve": shards.retrieve,
            "delete_points": shards.delete_points,
            "delete_where": shards.delete_where,
            "count": shards.count,
            "values": shards.values,
            "distinct": shards.distinct,
            "scroll": shards.scroll,
            "search": shards.search,
            "index_state": shards.index_state,
            "export": shards.export,
            "build_index": self._build_index,
        }

    def _delete_collection(self, name: str) -> bool:
        self.builds.cancel(name)
        return self.shards.delete_collection(name)

    def _build_index(self, name: str) -> bool:
        if name not in self.shards.collections:
            raise MissingCollection(name)
        return self.builds.building(name) or self.builds.start(name)

    def answer(self, request: tuple[str, tuple[Any, ...]]) -> tuple[Any, ...]:
        op, args = request
        fn = self._ops.get(op)
        if fn is None:
            return ("err", "internal", f"unknown store request {op!r}")
        try:
            value = fn(*args)
        except MissingCollection:
            return ("err", "not_found", "")
        except WrongVector:
            return ("err", "wrong_vector", "")
        except OSError as exc:
            log.error("store %s failed: %s", op, exc)
            return ("err", "unavailable", "")
        except Exception as exc:  # the engine raises bare Exceptions with text
            log.error("store %s failed: %s: %s", op, type(exc).__name__, str(exc)[:300])
            return ("err", "internal", "")
        if op in _WRITES:
            self._written()
            try:
                self.builds.after_write(args[0])
            except Exception as exc:  # a build that cannot start must not fail the write
                log.error("cannot start an index build of %s: %s", args[0], exc)
        return ("ok", value)

    def _roster_step(self) -> None:
        self._roster_at = time.monotonic()
        try:
            self.shards.roster_step()
        except Exception as exc:  # the engine raises bare Exceptions with text
            # Dropped: a listing that asks reads it again, and reports what fails.
            log.error("reading a subject roster failed: %s", str(exc)[:300])

    def _written(self) -> None:
        if self.flush_interval_s <= 0:
            self._flush()
        elif self._flush_at is None:
            self._flush_at = time.monotonic() + self.flush_interval_s

    def _flush(self) -> None:
        self._flush_at = None
        try:
            self.shards.flush()
        except Exception as exc:  # the WAL still holds the writes
            log.error("flushing the face store failed: %s", str(exc)[:300])

    def _timeout(self) -> float | None:
        if self.builds.exporting():
            return 0
        waits = []
        if self.shards.roster_pending():
            waits.append(_ROSTER_GRACE_S)
        if self._flush_at is not None:
            waits.append(max(0.0, self._flush_at - time.monotonic()))
        return min(waits, default=None)

    def serve(self, conn: Connection) -> None:
        while True:
            waiting = [conn, *self.builds.connections()]
            ready = wait(waiting, timeout=self._timeout())
            if self._flush_at is not None and time.monotonic() >= self._flush_at:
                self._flush()
            if not ready:
                # Background work, a step at a time, only while no request waits.
                if self.builds.exporting():
                    self.builds.step()
                elif self.shards.roster_pending():
                    self._roster_step()
                continue
            if conn in ready:
                try:
                    request = conn.recv()
                except (EOFError, OSError):
                    return  # the server is gone
                if request[0] == "close":
                    return
                conn.send(self.answer(request))
                if (
                    self.shards.roster_pending()
                    and time.monotonic() - self._roster_at > _ROSTER_EVERY_S
                ):
                    self._roster_step()  # busy without a pause: a step now and then
            elif ready:
                self.builds.on_message()


def _acquire(lock: FolderLock) -> None:
    # A store process whose server was just killed lets go within moments
    # (its connection closes): a restarted server waits for that, briefly.
    deadline = time.monotonic() + _LOCK_GRACE_S
    while True:
        try:
            lock.acquire()
            return
        except FolderLocked:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--root", required=True)
    parser.add_argument("--index-threshold", type=int, default=20000)
    parser.add_argument("--hnsw-ef", type=int, default=256)
    parser.add_argument("--flush-interval-s", type=float, default=1.0)
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args()
    lower_priority(STORE_NICENESS)
    logging.basicConfig(
        level=args.log_level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s aurum-ml store process: %(message)s",
    )
    conn = Connection(args.fd)
    root = Path(args.root)
    lock = FolderLock(root)
    try:
        _acquire(lock)
    except FolderLocked:
        conn.send(("locked",))
        return
    except OSError as exc:
        log.error("cannot lock the face store folder %s: %s", root, exc)
        conn.send(("failed",))
        return
    shards = EdgeShards(root, SearchTuning(hnsw_ef=args.hnsw_ef))
    try:
        shards.open()
        if needs_upgrade(root):
            upgrade(root, shards)
    except Exception as exc:  # permissions, a full disk, a damaged shard
        log.error("cannot open the face store folder %s: %s", root, str(exc)[:300])
        conn.send(("failed",))
        lock.release()
        return
    builds = IndexBuilds(shards, args.index_threshold)
    conn.send(("ready",))
    try:
        builds.start_next()
    except Exception as exc:  # serving comes first; the next write tries again
        log.error("cannot start an index build: %s", exc)
    try:
        StoreProcess(shards, builds, args.flush_interval_s).serve(conn)
    finally:
        builds.close()
        shards.close()
        lock.release()
        with contextlib.suppress(OSError):
            conn.send(("closed",))


if __name__ == "__main__":
    main()
