"""Every model version the server knows, keyed by (role, version).

An entry moves through ``loading`` -> ``ready`` or ``failed`` (with the
reason), and when it is taken out of service ``draining`` -> ``unloaded``.
Loading checks the file against the manifest's SHA-256, builds the session
pool, checks the input shape and runs one warm-up batch; only then is the
entry ready and, if its role has no default version yet, the default. A
failed load leaves whatever served the role before still serving.

Use cases never keep a model: they ask for a :class:`ModelHandle` per call
(``with registry.handle("embedder") as h``). A handle pins its entry until the
call ends, so unloading waits for calls in flight and a model never changes
under a running call.

A role may have several versions loaded side by side, any listed in the
manifest's catalogue. Which one a call gets: the version it names (pinned),
else, when the role has a traffic split and the call carries a sticky key,
the split's choice for that key (the same key always lands on the same
version), else the role's default. Changing the default or the split is one
assignment under the lock: calls already holding a handle finish on their
version, the next call sees the change.
"""

from __future__ import annotations

import enum
import gc
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from aurum_ml.errors import FailedPrecondition, ModelUnavailable, NotFound
from aurum_ml.manifest import ModelSet, ModelSpec, sha256_file
from aurum_ml.runtime.batcher import BatchingRunner
from aurum_ml.runtime.heap import rss_bytes, trim_heap
from aurum_ml.runtime.session_pool import Runner, SessionOptions, SessionPool
from aurum_ml.types import ModelInfo

log = logging.getLogger(__name__)

#: Channel layout of each model family's single input.
_CHANNELS_LAST = {
    "scrfd": False,
    "yunet": False,
    "arcface": False,
    "sface": False,
    "landmark106": False,
    "mtcnn": True,
}


class ModelState(enum.StrEnum):
    LOADING = "loading"
    READY = "ready"
    FAILED = "failed"
    DRAINING = "draining"
    UNLOADED = "unloaded"


@dataclass(frozen=True, slots=True)
class BatchOptions:
    """Cross-request micro-batching (runtime.batcher) for one model."""

    max_size: int = 16
    max_wait_ms: float = 0.0


@dataclass(frozen=True, slots=True)
class ModelOptions:
    """How one model version is served: its sessions and optional batching."""

    session: SessionOptions
    batching: BatchOptions | None = None


#: Builds a family's model object (detector, embedder, ...) around its runner.
ModelFactory = Callable[[ModelSpec, Runner], object]
#: Told of every ORT run: the model, rows in the batch, seconds taken.
RunObserver = Callable[[ModelSpec, int, float], None]
#: Told of every call that held a handle: the model, seconds held, whether it failed.
CallObserver = Callable[[ModelSpec, float, bool], None]


class ModelEntry:
    """One (role, version): its state, and once ready its pool, runner and model."""

    def __init__(self, spec: ModelSpec, options: ModelOptions) -> None:
        self.spec = spec
        self.options = options
        self.state = ModelState.LOADING
        self.error = ""
        self.pool: SessionPool | None = None
        self.runner: SessionPool | BatchingRunner | None = None
        self.model: object | None = None
        #: Where it runs; kept after unloading for calls still reporting it.
        self.provider = ""
        #: Seconds the load took (file check, sessions, warm-up); 0 until ready.
        self.load_s = 0.0
        #: Growth of the process's resident memory while it loaded: an
        #: estimate (another load or a burst at the same time adds to it).
        self.memory_bytes = 0
        self._in_use = 0
        self._idle = threading.Condition()

    @property
    def role(self) -> str:
        return self.spec.role

    @property
    def version(self) -> str:
        return self.spec.version

    @property
    def info(self) -> ModelInfo:
        return ModelInfo(self.spec.name, self.spec.version, self.provider)

    @property
    def in_use(self) -> int:
        """Calls holding a handle on this entry right now."""
        return self._in_use

    def queue_depth(self) -> int:
        """Runs waiting for one of this entry's sessions."""
        return self.runner.queue_depth() if self.runner is not None else 0

    def _pin(self) -> None:
        with self._idle:
            self._in_use += 1

    def _unpin(self) -> None:
        with self._idle:
            self._in_use -= 1
            if self._in_use == 0:
                self._idle.notify_all()

    def wait_idle(self, timeout: float | None) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self._in_use == 0, timeout)


@dataclass(frozen=True, slots=True)
class ModelHandle:
    """A ready model pinned for the length of one call."""

    entry: ModelEntry
    model: object

    @property
    def spec(self) -> ModelSpec:
        return self.entry.spec

    @property
    def info(self) -> ModelInfo:
        return self.entry.info


class ModelRegistry:
    def __init__(
        self,
        model_set: ModelSet,
        options: Callable[[ModelSpec], ModelOptions],
        factory: ModelFactory,
        *,
        verify_checksums: bool = True,
        observer: RunObserver | None = None,
        catalogue: Sequence[ModelSpec] = (),
        call_observer: CallObserver | None = None,
    ) -> None:
        #: The models this registry serves at start, one per role.
        self.model_set = model_set
        #: Every version that may be loaded: the manifest's whole catalogue.
        self.catalogue: tuple[ModelSpec, ...] = tuple(catalogue) or tuple(model_set.models.values())
        self._options = options
        self._factory = factory
        self._verify = verify_checksums
        self._observer = observer
        self._call_observer = call_observer
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], ModelEntry] = {}
        self._default: dict[str, str] = {}
        #: role -> ((version, cumulative weight), ...), the weights summing to 1.
        self._split: dict[str, tuple[tuple[str, float], ...]] = {}

    # -- lifecycle -------------------------------------------------------------

    def load_all(self, roles: Iterable[str] | None = None) -> None:
        """Load the model set's models (or only ``roles``), one after another."""
        for role in self.model_set.models if roles is None else roles:
            self.load(role)

    def spec(self, role: str, version: str) -> ModelSpec:
        """The catalogue's ``version`` of ``role``; NotFound naming those it has."""
        for spec in self.catalogue:
            if spec.role == role and spec.version == version:
                return spec
        have = sorted(s.version for s in self.catalogue if s.role == role)
        raise NotFound(
            f"the manifest lists no {role} version {version!r}; it has: "
            + (", ".join(have) or "none")
        )

    def load(self, role: str, version: str | None = None) -> ModelEntry:
        """Load ``version`` of ``role`` (None: the model set's) beside any
        other version, and make it the role's default if it has none. Never
        raises for a bad model: the entry is then ``failed`` with the reason,
        and whatever served before serves on. NotFound for a version the
        manifest does not list."""
        spec = self.model_set.models[role] if version is None else self.spec(role, version)
        entry = ModelEntry(spec, self._options(spec))
        with self._lock:
            current = self._entries.get((role, spec.version))
            # Loading a version that is loaded (or loading) again is a no-op;
            # one that failed, or is on its way out, is loaded afresh.
            if current is not None and current.state in (ModelState.LOADING, ModelState.READY):
                return current
            self._entries[(role, spec.version)] = entry
        started, rss_before = time.monotonic(), rss_bytes()
        try:
            self._build(entry)
        except Exception as e:  # any failure makes just this model unavailable
            entry.state, entry.error = ModelState.FAILED, f"{spec.file}: {e}"
            log.error("model %s %s failed to load: %s", role, spec.version, entry.error)
            return entry
        entry.load_s = time.monotonic() - started
        entry.memory_bytes = max(0, rss_bytes() - rss_before)
        with self._lock:
            entry.state = ModelState.READY
            self._default.setdefault(role, spec.version)
        log.info(
            "loaded %s (%s %s) on %s", role, spec.name, spec.version, entry.info.execution_provider
        )
        return entry

    def unload(self, role: str, version: str, timeout: float | None = None) -> bool:
        """Take a version out of service: no new handles, wait (up to
        ``timeout``) for the calls holding one, then drop its sessions.
        False if calls were still running when the time ran out."""
        key = (role, version)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.state in (ModelState.DRAINING, ModelState.UNLOADED):
                return True
            if entry.state is ModelState.LOADING:
                raise RuntimeError(f"{role} {version} is still loading; unload it once loaded")
            if self._default.get(role) == version:
                del self._default[role]
            if any(v == version for v, _ in self._split.get(role, ())):
                del self._split[role]
            entry.state = ModelState.DRAINING
        drained = entry.wait_idle(timeout)
        with self._lock:
            entry.state = ModelState.UNLOADED
            entry.pool = entry.runner = entry.model = None
            # A reload may have put a new entry under the same key meanwhile.
            if self._entries.get(key) is entry:
                del self._entries[key]
        # The sessions are gone once their last reference is: give their
        # memory (weights, arenas) back to the operating system.
        gc.collect()
        trim_heap()
        return drained

    def set_default(self, role: str, version: str) -> None:
        """Make a ready version the one calls of ``role`` get by default; calls
        running on the previous default finish on it."""
        with self._lock:
            self._require_ready(role, version)
            self._default[role] = version

    def set_split(self, role: str, weights: Mapping[str, float]) -> None:
        """Send keyed calls of ``role`` to its versions in proportion to
        ``weights`` (each version ready, each weight positive); an empty
        mapping removes the split. Calls without a key keep the default."""
        if any(not w > 0 for w in weights.values()):
            raise FailedPrecondition("every weight of a traffic split must be positive")
        with self._lock:
            for version in weights:
                self._require_ready(role, version)
            if not weights:
                self._split.pop(role, None)
                return
            total, acc, cumulative = sum(weights.values()), 0.0, []
            for version in sorted(weights):
                acc += weights[version] / total
                cumulative.append((version, acc))
            self._split[role] = tuple(cumulative)

    def defaults(self) -> dict[str, str]:
        with self._lock:
            return dict(self._default)

    def splits(self) -> dict[str, dict[str, float]]:
        """Each split role's versions and their shares (summing to 1)."""
        with self._lock:
            out: dict[str, dict[str, float]] = {}
            for role, cumulative in self._split.items():
                previous, shares = 0.0, {}
                for version, acc in cumulative:
                    shares[version], previous = acc - previous, acc
                out[role] = shares
            return out

    def _require_ready(self, role: str, version: str) -> None:
        entry = self._entries.get((role, version))
        if entry is None or entry.state is not ModelState.READY:
            state = "not loaded" if entry is None else str(entry.state)
            raise FailedPrecondition(f"{role} version {version!r} is {state}; load it first")

    def _build(self, entry: ModelEntry) -> None:
        spec = entry.spec
        path = self.model_set.directory / spec.file
        if not path.exists():
            raise FileNotFoundError("model file is missing; run `make models`")
        if self._verify and sha256_file(path) != spec.installed_sha256:
            raise ValueError("SHA-256 does not match the manifest; run `make models` again")
        pool = SessionPool(path, entry.options.session)
        _check_shape(spec, pool)
        outputs = pool.run({pool.input_names[0]: np.zeros(_warmup_shape(spec), dtype=np.float32)})
        _check_output(spec, outputs)
        runner: SessionPool | BatchingRunner = pool
        if entry.options.batching is not None:
            b = entry.options.batching
            runner = BatchingRunner(pool, b.max_size, b.max_wait_ms)
        if self._observer is not None:
            observe = self._observer
            runner.on_run = lambda rows, seconds: observe(spec, rows, seconds)
        entry.pool, entry.runner, entry.provider = pool, runner, pool.provider
        entry.model = self._factory(spec, runner)

    # -- lookup ----------------------------------------------------------------

    def entries(self) -> list[ModelEntry]:
        with self._lock:
            return list(self._entries.values())

    def entry(self, role: str, version: str | None = None) -> ModelEntry | None:
        """The entry serving ``role`` (its default version unless one is
        named), ready or not; None when nothing was ever loaded for it."""
        with self._lock:
            return self._lookup(role, version)

    def _lookup(self, role: str, version: str | None, key: str = "") -> ModelEntry | None:
        if version is None and key and role in self._split:
            version = _pick(self._split[role], role, key)
        if version is None:
            spec = self.model_set.models.get(role)
            version = self._default.get(role) or (spec.version if spec is not None else None)
        return self._entries.get((role, version)) if version else None

    def ready(self, *roles: str) -> bool:
        return all(_serves(self.entry(r)) for r in roles)

    def why_not(self, *roles: str) -> str:
        """Why the given roles cannot serve, joined; "" when they all can."""
        with self._lock:
            entries = [(r, self._lookup(r, None)) for r in roles]
        return "; ".join(_why(r, e) for r, e in entries if not _serves(e))

    @contextmanager
    def handle(
        self, role: str, what: str, version: str | None = None, key: str = ""
    ) -> Iterator[ModelHandle]:
        """Pin the ready model serving ``role`` for the block: ``version`` when
        named, else the split's choice for a sticky ``key``, else the default.
        ``what`` names it for a person in the error raised when it cannot
        serve: FailedPrecondition when the model set has no model for the
        role, else ModelUnavailable."""
        with self._lock:
            e = self._lookup(role, version, key)
            if e is None and role not in self.model_set.models:
                raise FailedPrecondition(
                    f"the {what} is not in the model set '{self.model_set.name}' this server runs"
                )
            if e is None or not _serves(e) or e.model is None:
                raise ModelUnavailable(f"the {what} is not available: {_why(role, e)}")
            e._pin()
            model = e.model
        started, failed = time.monotonic(), True
        try:
            yield ModelHandle(e, model)
            failed = False
        finally:
            e._unpin()
            if self._call_observer is not None:
                self._call_observer(e.spec, time.monotonic() - started, failed)


def _pick(cumulative: tuple[tuple[str, float], ...], role: str, key: str) -> str:
    """The split's version for a sticky key: a hash of the key, uniform in
    [0, 1), placed on the cumulative weights; stable across processes."""
    digest = hashlib.sha256(f"{role}\0{key}".encode()).digest()
    point = int.from_bytes(digest[:8], "big") / 2.0**64
    for version, acc in cumulative:
        if point < acc:
            return version
    return cumulative[-1][0]


def _serves(e: ModelEntry | None) -> bool:
    return e is not None and e.state is ModelState.READY


def _why(role: str, e: ModelEntry | None) -> str:
    if e is None:
        return f"{role}: not loaded"
    return e.error if e.state is ModelState.FAILED else f"{role}: {e.state}"


def _warmup_shape(spec: ModelSpec) -> tuple[int, ...]:
    """A batch of one at the manifest's input size, in the family's layout."""
    if spec.family not in _CHANNELS_LAST:
        raise ValueError(f"unknown model family {spec.family!r}")
    h, w = spec.input_size
    return (1, h, w, 3) if _CHANNELS_LAST[spec.family] else (1, 3, h, w)


def _check_output(spec: ModelSpec, outputs: Sequence[npt.NDArray[np.float32]]) -> None:
    """An embedder's warm-up output must be one embedding of the manifest's
    size: a file of another model would otherwise pass and mix models."""
    if spec.embedding_size is None:
        return
    shape: tuple[int, ...] = outputs[0].shape if outputs else ()
    if len(shape) != 2 or shape[1] != spec.embedding_size:
        raise ValueError(
            f"the warm-up output is shaped {shape}, expected (1, {spec.embedding_size})"
        )


def _check_shape(spec: ModelSpec, pool: SessionPool) -> None:
    shapes = pool.input_shapes
    if len(shapes) != 1 or len(shapes[0]) != 4:
        raise ValueError(f"expected one 4-d input, the model declares {shapes}")
    want = _warmup_shape(spec)
    for axis, (declared, wanted) in enumerate(zip(shapes[0], want, strict=True)):
        # Symbolic or dynamic axes (None, 'batch', '?') accept any size.
        if axis > 0 and isinstance(declared, int) and declared not in (wanted, -1):
            raise ValueError(f"input axis {axis} is {declared}, expected {wanted}")
