"""What every use case of the core shares: its models, store, worker pool,
request counts and health.

Health is a query (``serving``); doors that publish it (gRPC health, REST)
follow ``watch_health`` rather than being called back from the core.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from typing import TypeVar

from aurum_ml.core.config import CoreConfig
from aurum_ml.core.operations import ImageInput
from aurum_ml.core.pipeline import DETECTOR_ROLES, EMBEDDER_ROLE, FacePipeline
from aurum_ml.core.workers import Admission, Deadline, WorkerPool
from aurum_ml.errors import ServiceUnavailable
from aurum_ml.runtime.registry import ModelRegistry
from aurum_ml.store import StoreConnection

log = logging.getLogger(__name__)
T = TypeVar("T")

#: The services the server exposes, by their short name.
SERVICES = ("detection", "embedding", "processing", "similarity", "faces")


class CoreState:
    def __init__(
        self,
        config: CoreConfig,
        registry: ModelRegistry,
        workers: WorkerPool,
        store: StoreConnection | None,
    ) -> None:
        self.config = config
        self.registry = registry
        self.pipeline = FacePipeline(config, registry)
        self.workers = workers
        #: None: this process runs no face store.
        self.store = store
        self._store_was_serving = store is not None and store.serving
        self.started_at = time.time()
        self.requests: Counter[str] = Counter()
        self._shutting_down = False
        #: Health the doors report of their own connections (the job queue's
        #: Redis): name -> (serving, why not).
        self._door_health: dict[str, tuple[bool, str]] = {}
        #: One event per watch_health follower, set when health may have changed.
        self._watchers: set[asyncio.Event] = set()
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def admission(self) -> Admission:
        return self.workers.admission

    async def run(
        self,
        name: str,
        fn: Callable[[Deadline], T],
        timeout: float | None,
        *,
        wait: bool = False,
        background: bool = False,
        image: ImageInput | None = None,
        reduce_to: int = 0,
        store: bool = False,
    ) -> T:
        """Count the call and run ``fn`` on a worker thread (see WorkerPool.run);
        a call on a large ``image`` (decoded at ``reduce_to``) in the large-image
        lane, so it cannot hold up the threads small calls need."""
        self.requests[name] += 1
        large = image is not None and self.pipeline.is_large(image, reduce_to)
        return await self.workers.run(
            fn, timeout, wait=wait, background=background, large=large, store=store
        )

    # -- health ------------------------------------------------------------------

    def serving(self) -> dict[str, bool]:
        """Whether each service can answer; a model that failed to load makes
        the services that need it NOT_SERVING while the rest keep serving."""
        if self._shutting_down:
            return dict.fromkeys(SERVICES, False)
        has_detector = self.registry.ready(*DETECTOR_ROLES[self.config.default_detector])
        return {
            "detection": has_detector,
            "embedding": has_detector and self.registry.ready(EMBEDDER_ROLE),
            "processing": True,
            "similarity": True,
            "faces": self.store is not None and self.store.serving,
            **{name: ok for name, (ok, _) in self._door_health.items()},
        }

    def report_door_health(self, name: str, serving: bool, why: str = "") -> None:
        """A door's own connection (e.g. "queue": the job queue's Redis) as part
        of the server's health; call on the event loop."""
        if self._door_health.get(name) != (serving, why):
            self._door_health[name] = (serving, why)
            self.health_may_have_changed()

    def door_health(self) -> dict[str, tuple[bool, str]]:
        return dict(self._door_health)

    def store_health_may_have_changed(self) -> None:
        """After a store call: wake the followers only if the store's state
        flipped. Every Enroll ends here, and waking each follower to
        recompute ``serving()`` cost ~5% of the loop in a bulk enrol."""
        if self.store is not None and self.store.serving != self._store_was_serving:
            self.health_may_have_changed()

    def health_may_have_changed(self) -> None:
        """Wake the ``watch_health`` followers; call on the event loop."""
        if self.store is not None and self.store.serving != self._store_was_serving:
            self._store_was_serving = self.store.serving
            log.info("FaceStore is now %s", "SERVING" if self._store_was_serving else "NOT_SERVING")
        for event in self._watchers:
            event.set()

    async def watch_health(self) -> AsyncIterator[dict[str, bool]]:
        """``serving()`` now, then again each time it changes."""
        changed = asyncio.Event()
        self._watchers.add(changed)
        try:
            last = self.serving()
            yield last
            while True:
                await changed.wait()
                changed.clear()
                now = self.serving()
                if now != last:
                    last = now
                    yield now
        finally:
            self._watchers.discard(changed)

    async def _monitor_store(self) -> None:
        """Probe an unavailable store every ``retry_s`` of its connection, so
        health turns SERVING again without waiting for a call."""
        store = self.store
        assert store is not None
        while True:
            await asyncio.sleep(max(store.retry_s, 0.5))
            if not store.serving:
                await asyncio.to_thread(store.probe)
                self.health_may_have_changed()

    def start(self) -> None:
        """Start the background tasks (the store monitor); on the event loop."""
        if self.store is not None and not self._tasks:
            self._tasks.append(asyncio.create_task(self._monitor_store()))

    def begin_shutdown(self) -> None:
        self._shutting_down = True
        for task in self._tasks:
            task.cancel()
        self.health_may_have_changed()

    def uptime_s(self) -> float:
        return time.time() - self.started_at

    def close(self) -> None:
        """Wait for the workers, then close the store (releasing its folder).
        Idempotent."""
        for task in self._tasks:
            task.cancel()
        self.workers.close()
        if self.store is not None:
            self.store.close()

    def store_or_raise(self) -> StoreConnection:
        if self.store is None:
            raise ServiceUnavailable("this server runs no face store")
        return self.store
