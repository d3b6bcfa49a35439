"""Gallery migration: moving a gallery that keeps its faces' crops to another
embedding model while it serves.

An operator starts it (model management); a background task then re-embeds
every stored crop with the new model, a page at a time on the low-priority
worker threads, into the gallery's new generation, and finally switches the
gallery over (store.migration.Migrations.finish). Until the switch every
call uses the old generation and its model; after it, the new. A call that
embedded its image with the old model just as the switch happened is made
again with the new one (Galleries._model_then_store), so no query fails.

The store's new generation is the only record: at start-up every gallery
with one resumes, skipping what is already there. A migration whose model
is not loaded waits for it (state ``waiting``); one that fails is retried
with a growing pause, its last error in its status.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from aurum_ml.core.crops import decode_crop
from aurum_ml.core.galleries import Galleries
from aurum_ml.core.operations import ModelChoice
from aurum_ml.core.pipeline import EMBEDDER_ROLE
from aurum_ml.errors import AurumError, FailedPrecondition, NotFound
from aurum_ml.runtime.registry import ModelState
from aurum_ml.store import FaceStore, validate_gallery_name
from aurum_ml.store.migration import Pending
from aurum_ml.store.types import MigrationProgress

log = logging.getLogger(__name__)

#: Faces read, re-embedded and written per step.
PAGE = 64
_RETRY_S = (1.0, 5.0, 30.0)

RUNNING = "running"
WAITING = "waiting"
RETRYING = "retrying"
DONE = "done"
CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class MigrationStatus:
    gallery: str
    #: running, waiting (for its model to be loaded), retrying (after an
    #: error), done or cancelled.
    state: str
    from_model: tuple[str, str]
    to_model: tuple[str, str]
    total: int
    migrated: int
    error: str = ""
    started_at: float = 0.0
    finished_at: float = 0.0


@dataclass(slots=True)
class _Run:
    task: asyncio.Task[None] | None
    status: MigrationStatus


class GalleryMigrations(Galleries):
    """The migration use cases, over the core's store and models."""

    _migrations: dict[str, _Run]

    def _runs(self) -> dict[str, _Run]:
        # Set lazily: the mixins share CoreState's constructor.
        if not hasattr(self, "_migrations"):
            self._migrations = {}
        return self._migrations

    # -- use cases ---------------------------------------------------------------

    async def start_migration(
        self, gallery: str, model_name: str, model_version: str = "", timeout: float | None = None
    ) -> MigrationStatus:
        """Start moving ``gallery`` to embedder ``model_name`` (``model_version``;
        empty: the newest the manifest lists), which must be loaded. Starting
        one that runs already returns its status."""
        validate_gallery_name(gallery)
        spec = self.pipeline.named_spec(EMBEDDER_ROLE, model_name, model_version)
        entry = self.registry.entry(EMBEDDER_ROLE, spec.version)
        if entry is None or entry.state is not ModelState.READY:
            raise FailedPrecondition(
                f"load the embedding model {spec.name} version {spec.version} before "
                "migrating a gallery to it"
            )
        dim = int(spec.embedding_size or 0)
        await self._store_op(
            "start_migration",
            lambda s: s.migrations.start(gallery, spec.name, spec.version, dim),
            timeout,
        )
        progress = await self._progress(gallery, timeout)
        assert progress is not None
        return self._launch(progress).status

    async def migration_status(self, gallery: str, timeout: float | None = None) -> MigrationStatus:
        """The gallery's migration: running, or the last one this server ran.
        NotFound when it has none."""
        validate_gallery_name(gallery)
        run = self._runs().get(gallery)
        if run is not None and run.task is None:
            return run.status
        progress = await self._progress(gallery, timeout)
        if progress is None:
            if run is not None:
                # Switched over a moment ago; its task is recording that.
                return run.status
            raise NotFound(f"gallery {gallery!r} has no migration")
        if run is None:
            self._launch(progress)
        return self._update(gallery, total=progress.total, migrated=progress.migrated)

    async def list_migrations(self, timeout: float | None = None) -> list[MigrationStatus]:
        """Every migration in progress, and those this server finished."""
        names = await self._store_op("list_migrations", lambda s: s.migrations.galleries(), timeout)
        for name in names:
            if name not in self._runs():
                await self.migration_status(name, timeout)
        return [self._runs()[g].status for g in sorted(self._runs())]

    async def cancel_migration(self, gallery: str, timeout: float | None = None) -> MigrationStatus:
        """Stop the gallery's migration and drop its new generation; the
        gallery keeps serving with its model. NotFound when it has none."""
        validate_gallery_name(gallery)
        progress = await self._progress(gallery, timeout)
        if progress is None:
            raise NotFound(f"gallery {gallery!r} has no migration in progress")
        run = self._runs().get(gallery)
        if run is not None and run.task is not None:
            run.task.cancel()
            await asyncio.gather(run.task, return_exceptions=True)
        dropped = await self._store_op(
            "cancel_migration", lambda s: s.migrations.cancel(gallery), timeout
        )
        if not dropped:
            raise FailedPrecondition(
                f"gallery {gallery!r} finished its migration before it could be cancelled"
            )
        status = MigrationStatus(
            gallery,
            CANCELLED,
            progress.from_model,
            progress.to_model,
            progress.total,
            progress.migrated,
            started_at=run.status.started_at if run is not None else 0.0,
            finished_at=time.time(),
        )
        self._runs()[gallery] = _Run(None, status)
        return status

    async def resume_migrations(self) -> None:
        """Pick up the migrations a previous run left unfinished."""
        try:
            await self.list_migrations()
        except AurumError as e:
            # The store may be down at start: its monitor reopens it, and an
            # operator's status call resumes the migration then.
            log.warning("could not look for unfinished gallery migrations: %s", e)

    async def _progress(self, gallery: str, timeout: float | None) -> MigrationProgress | None:
        return await self._store_op(
            "migration_status", lambda s: s.migrations.progress(gallery), timeout
        )

    # -- the task ----------------------------------------------------------------

    def _launch(self, progress: MigrationProgress) -> _Run:
        runs = self._runs()
        run = runs.get(progress.gallery)
        if run is not None and run.task is not None and not run.task.done():
            return run
        status = MigrationStatus(
            progress.gallery,
            RUNNING,
            progress.from_model,
            progress.to_model,
            progress.total,
            progress.migrated,
            started_at=time.time(),
        )
        run = _Run(None, status)
        runs[progress.gallery] = run
        run.task = asyncio.create_task(self._migrate(progress.gallery, progress.to_model))
        self._tasks.append(run.task)
        log.info(
            "gallery %s: migrating to model %s version %s (%d of %d faces there)",
            progress.gallery,
            *progress.to_model,
            progress.migrated,
            progress.total,
        )
        return run

    def _update(self, gallery: str, **changes: Any) -> MigrationStatus:
        run = self._runs()[gallery]
        run.status = dataclasses.replace(run.status, **changes)
        return run.status

    def _finish(self, gallery: str, state: str, **changes: Any) -> MigrationStatus:
        status = self._update(gallery, state=state, finished_at=time.time(), **changes)
        self._runs()[gallery].task = None
        return status

    async def _migrate(self, gallery: str, to: tuple[str, str]) -> None:
        failures = 0
        while True:
            if not self._embedder_ready(to):
                self._update(gallery, state=WAITING, error="")
                await asyncio.sleep(1.0)
                continue
            try:
                self._update(gallery, state=RUNNING)
                done = await self._one_pass(gallery, to)
            except NotFound:
                # Cancelled, or the gallery deleted, behind this task.
                self._finish(gallery, CANCELLED, error="the gallery or its migration is gone")
                return
            except AurumError as e:
                failures += 1
                pause = _RETRY_S[min(failures, len(_RETRY_S)) - 1]
                log.warning(
                    "gallery %s: migration step failed (%s); retry in %.0f s", gallery, e, pause
                )
                self._update(gallery, state=RETRYING, error=str(e))
                await asyncio.sleep(pause)
                continue
            self._finish(gallery, DONE, total=done.total, migrated=done.migrated, error="")
            return

    async def _one_pass(self, gallery: str, to: tuple[str, str]) -> MigrationProgress:
        """Re-embed every face the new generation lacks, then switch."""
        offset = await self._step(gallery, None, to)
        while offset is not None:
            offset = await self._step(gallery, offset, to)
        return await self._store_op(
            "migrate",
            lambda s: s.migrations.finish(gallery, lambda c: self._embed_crops(c, to)),
            None,
        )

    async def _step(self, gallery: str, offset: str | None, to: tuple[str, str]) -> str | None:
        """One page: read, re-embed (low-priority threads), write; the next offset."""
        pending, after = await self._store_op(
            "migrate", lambda s: s.migrations.page(gallery, offset, PAGE), None
        )
        if pending.crops:
            vectors = await self.run(
                "migrate", lambda _: self._embed_crops(pending.crops, to), None, background=True
            )
            await self._store_op("migrate", lambda s: _write(s, gallery, pending, vectors), None)
            done = self._runs()[gallery].status.migrated + len(pending.crops)
            self._update(gallery, migrated=done)
        return after

    def _embedder_ready(self, model: tuple[str, str]) -> bool:
        entry = self.registry.entry(EMBEDDER_ROLE, model[1])
        return entry is not None and entry.spec.name == model[0] and entry.state is ModelState.READY

    def _embed_crops(
        self, crops: Sequence[bytes], model: tuple[str, str]
    ) -> npt.NDArray[np.float32]:
        images = [decode_crop(c) for c in crops]
        with self.pipeline.embedder(ModelChoice(*model)) as embedder:
            return np.asarray(embedder.embed(images), dtype=np.float32)


def _write(
    store: FaceStore, gallery: str, pending: Pending, vectors: npt.NDArray[np.float32]
) -> None:
    store.migrations.write(gallery, pending, vectors)
