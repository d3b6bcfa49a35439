"""Opening the face store, and one object that owns its connection and health.

The server must start even when the store cannot be opened (a Qdrant server
down, the data folder locked by another process): :class:`StoreConnection`
then reports why, answers every call with ServiceUnavailable naming it, and
tries again at most every ``retry_s`` seconds, on a call or on a probe, so the
service recovers by itself once the folder is free or the server is back. A
store that fails mid-call (remote server gone) stays open but is marked
failing until a call or a probe succeeds again.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from qdrant_client import QdrantClient

from aurum_ml.errors import AurumError, ServiceUnavailable
from aurum_ml.store.config import StoreConfig
from aurum_ml.store.edge import EdgeEngine, EdgeOptions
from aurum_ml.store.errors import safe_text
from aurum_ml.store.face_store import FaceStore
from aurum_ml.store.qdrant_engine import QdrantClientEngine

log = logging.getLogger(__name__)
T = TypeVar("T")

_CLOSED = "the face store is closed: the server is shutting down"


def open_store(config: StoreConfig) -> FaceStore:
    """Connect (server) or open (embedded) the store.

    Raises ServiceUnavailable on any failure, so the caller can start its
    server with the store marked NOT_SERVING and retry later.
    """
    if config.is_remote:
        return _open_remote(config)
    if not config.location:
        raise ServiceUnavailable("store location is empty: give ':memory:' or a folder path")
    engine = EdgeEngine(
        config.location,
        EdgeOptions(
            index_threshold=config.index_threshold,
            hnsw_ef=config.hnsw_ef,
            flush_interval_s=config.flush_interval_s,
        ),
    )
    return FaceStore(engine, config)


def _open_remote(config: StoreConfig) -> FaceStore:
    try:
        client = QdrantClient(
            url=config.url,
            api_key=config.api_key,
            timeout=max(1, math.ceil(config.timeout_s)),
            # Its probe only warns; ours below fails the open instead.
            check_compatibility=False,
        )
    except (ValueError, TypeError) as exc:
        log.warning("invalid Qdrant url %r: %s", config.url, safe_text(exc))
        raise ServiceUnavailable("the face store url is not valid") from None
    store = FaceStore(QdrantClientEngine(client, local=False), config)
    if not store.healthy():
        store.close()
        raise ServiceUnavailable("the face store server is unreachable or rejected the api key")
    return store


def describe(config: StoreConfig) -> str:
    """Where the store is, fit for a log line or a health message."""
    # The url may carry credentials in its userinfo; the api key is never shown.
    if config.is_remote:
        return "Qdrant server"
    if config.location == ":memory:":
        return "in-memory store"
    return f"folder {config.location}"


class StoreConnection:
    """The face store's connection state and health. Thread-safe and
    synchronous: the core calls it from worker threads."""

    def __init__(self, config: StoreConfig, *, retry_s: float = 10.0) -> None:
        """Does not open the store yet: call :meth:`open`, or let the first
        call or probe do it."""
        self.config = config
        self.retry_s = retry_s
        self._store: FaceStore | None = None
        self._why = "the face store has not been opened yet"
        self._failing = False
        self._closed = False
        self._next_try = 0.0
        self._lock = threading.Lock()

    @property
    def serving(self) -> bool:
        """Whether calls can reach the store (as of the last call or probe)."""
        return self._store is not None and not self._failing and not self._closed

    @property
    def why_not(self) -> str:
        """Why the store is not serving; empty when it is."""
        return "" if self.serving else self._why

    @property
    def description(self) -> str:
        return describe(self.config)

    def open(self) -> bool:
        """Try to open the store now (at most once per ``retry_s``); returns ``serving``."""
        self._try_open()
        return self.serving

    def require(self) -> None:
        """Raise ServiceUnavailable unless the store is open, (re)opening it
        first if the last try is ``retry_s`` old."""
        self._require()

    def call(self, fn: Callable[[FaceStore], T]) -> T:
        """``fn(store)``; its outcome is the store's health. A ServiceUnavailable
        marks the store failing (the message is why) and is re-raised; a result
        or any other AurumError (NotFound, InvalidInput, ...) means the store
        answered, so it is healthy again. Any other exception (a bug) says
        nothing about the store and changes nothing. The caller must not let a
        ServiceUnavailable of something else (a model) escape ``fn``: check
        the store with :meth:`require` first, and do that work outside ``fn``."""
        store = self._require()
        try:
            result = fn(store)
        except ServiceUnavailable as exc:
            self._mark(ok=False, why=exc.message)
            raise
        except AurumError:
            self._mark(ok=True)
            raise
        self._mark(ok=True)
        return result

    def probe(self) -> bool:
        """Blocking: try to bring an unavailable store back (open it, or check
        one that failed, at most once per ``retry_s``); returns ``serving``."""
        if self.serving or self._closed:
            return self.serving
        store = self._try_open()
        if store is not None and self._failing:
            with self._lock:
                now = time.monotonic()
                if now < self._next_try:
                    return self.serving
                self._next_try = now + self.retry_s
            if store.healthy():
                self._mark(ok=True)
            elif not self.config.is_remote:
                # The embedded store's process is gone: start it again.
                self._drop(store)
                if self._try_open() is not None:
                    self._mark(ok=True)
        return self.serving

    def close(self) -> None:
        """Close the store, releasing the data folder. Call after the calls in
        flight have finished; idempotent."""
        with self._lock:
            self._closed = True
            self._why = _CLOSED
            store, self._store = self._store, None
        if store is not None:
            store.close()

    # ---------------------------------------------------------------- internals

    def _require(self) -> FaceStore:
        store = self._store or self._try_open()
        # Checked after: close() may run while we looked.
        if self._closed:
            raise ServiceUnavailable(_CLOSED)
        if store is None:
            raise ServiceUnavailable(f"the face store is unavailable: {self._why}")
        return store

    def _try_open(self) -> FaceStore | None:
        """The store, opening it unless it is open; at most once per ``retry_s``."""
        with self._lock:
            if self._store is not None or self._closed:
                return self._store
            now = time.monotonic()
            if now < self._next_try:
                return None
            self._next_try = now + self.retry_s
            try:
                self._store = open_store(self.config)
            except ServiceUnavailable as exc:
                self._why = exc.message
                log.warning(
                    "face store (%s) unavailable: %s; FaceStore is NOT_SERVING, "
                    "retrying at most every %.0f s",
                    self.description,
                    exc.message,
                    self.retry_s,
                )
                return None
            self._failing = False
            log.info("face store open (%s)", self.description)
            return self._store

    def _drop(self, store: FaceStore) -> None:
        with self._lock:
            if self._store is store:
                self._store = None
                self._next_try = 0.0
        store.close()

    def _mark(self, *, ok: bool, why: str = "") -> None:
        with self._lock:
            if self._closed:
                return  # a call that ends after close says nothing new
            self._failing = not ok
            if not ok:
                self._why = why
