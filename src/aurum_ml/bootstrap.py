"""The composition root: the one place that loads the models, builds their
pools, opens the face store and wires the core.

The server, the CLI, the benchmarks and the tests all get their core from
:func:`build_core`; nothing else constructs the object graph.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from aurum_ml.core import Core, CoreConfig, DetectorName
from aurum_ml.core.lifecycle import ModelPlan
from aurum_ml.core.pipeline import detectors_in
from aurum_ml.core.workers import WorkerPool
from aurum_ml.images import ImageLimits
from aurum_ml.manifest import ModelSet, ModelSpec, load_manifest
from aurum_ml.models import FaceEmbedder, Landmark106, ScrfdDetector, YunetDetector
from aurum_ml.runtime import threads
from aurum_ml.runtime.registry import BatchOptions, ModelFactory, ModelOptions, ModelRegistry
from aurum_ml.runtime.session_pool import Runner, SessionOptions
from aurum_ml.settings import Settings
from aurum_ml.store import StoreConfig, StoreConnection

if TYPE_CHECKING:
    from aurum_ml.observability import Metrics

#: The models on every Detect and Embed path: they get the big pools, the solo
#: session and the shared arena.
PRIMARY_ROLES = frozenset({"detector", "embedder"})
#: The single-shot detectors, by model family: both letterbox the photo.
DETECTOR_FAMILIES = {"scrfd": ScrfdDetector, "yunet": YunetDetector}
#: The models whose runs may be merged across requests when batching is on.
#: MTCNN is not: P-Net meets a new input shape at every pyramid level.
BATCHED_ROLES = frozenset({"detector", "embedder", "landmarks106"})


def build_core(
    settings: Settings,
    *,
    metrics: Metrics | None = None,
    roles: Sequence[str] | None = None,
    store: bool = True,
) -> Core:
    """Load the models of the model set (all of them, or only those of ``roles``
    it has), open the face store (unless ``store`` is False) and build the core.
    A model or a store that fails leaves only the services that need it
    NOT_SERVING. Raises ManifestError (a ValueError) for a model set the manifest
    does not have, and ValueError for a default detector the set does not have:
    the operator's to fix, before anything loads."""
    manifest = load_manifest(settings.manifest_path)
    model_set = manifest.model_set(settings.model_set or None)
    config = core_config(settings, default_detector(settings, model_set))
    registry = ModelRegistry(
        model_set,
        model_options(settings),
        model_factory(settings),
        observer=metrics.observe_run if metrics is not None else None,
        catalogue=manifest.catalogue,
        call_observer=metrics.observe_call if metrics is not None else None,
    )
    plan = model_plan(settings) if roles is None else None
    if plan is None:
        registry.load_all(None if roles is None else [r for r in roles if r in model_set.models])
    else:
        # The plan decides the versions of the roles it names; a role it
        # leaves without a serving version falls back to the model set's.
        planned = {role for role, _ in plan.loaded}
        registry.load_all([r for r in model_set.models if r not in planned])
        plan.apply(registry)
        registry.load_all([r for r in planned if r in model_set.models and not registry.ready(r)])
    connection = None
    if store:
        connection = StoreConnection(store_config(settings), retry_s=settings.store_retry_s)
        connection.open()
    workers = WorkerPool(
        settings.workers,
        settings.max_pending_requests,
        settings.max_request_s,
        # Queued jobs run on their own low-priority threads, one per job in flight.
        background_workers=settings.queue_concurrency if settings.queue_redis_url else 0,
        large_workers=settings.large_image_workers,
    )
    core = Core(config, registry, workers, connection)
    if metrics is not None:
        metrics.watch(core)
    return core


def model_plan(settings: Settings) -> ModelPlan | None:
    """What model management saved (AURUM_MODEL_PLAN_FILE), else the plan
    declared at start (AURUM_INITIAL_MODEL_PLAN_FILE), else None. ValueError
    naming the file when it is malformed: the operator's to fix."""
    saved = settings.model_plan_path
    if saved.exists():
        return ModelPlan.read(saved)
    if settings.initial_model_plan_file is not None:
        return ModelPlan.read(settings.initial_model_plan_file)
    return None


def served_models(settings: Settings) -> ModelSet:
    """The model set the settings choose (AURUM_MODEL_SET, else the manifest's default)."""
    return load_manifest(settings.manifest_path).model_set(settings.model_set or None)


def default_detector(settings: Settings, model_set: ModelSet) -> DetectorName:
    """AURUM_DETECTOR, or unset the model set's own single-shot detector (SCRFD,
    YuNet); ValueError when the set has not the one named."""
    have = detectors_in(model_set)
    if settings.detector is None and have:
        return have[0]
    if settings.detector is None or settings.detector not in have:
        raise ValueError(
            f"the {settings.detector or 'default'} face detector (AURUM_DETECTOR) is not in "
            f"the model set '{model_set.name}' (AURUM_MODEL_SET); its detectors: "
            + (", ".join(have) or "none")
        )
    return settings.detector


def core_config(settings: Settings, detector: DetectorName) -> CoreConfig:
    return CoreConfig(
        limits=ImageLimits(
            max_bytes=settings.max_message_bytes,
            max_pixels=settings.max_image_pixels,
            max_side=settings.max_image_side,
        ),
        allowed_hosts=frozenset(h.lower() for h in settings.allowed_image_hosts),
        min_confidence=settings.min_confidence,
        max_faces=settings.max_faces,
        default_detector=detector,
        match_threshold=settings.match_threshold,
        max_batch_items=settings.max_batch_items,
        decode_budget_bytes=settings.decode_budget_mb * 1024 * 1024,
        large_image_pixels=settings.large_image_pixels,
        model_plan_path=settings.model_plan_path,
    )


def model_options(settings: Settings) -> Callable[[ModelSpec], ModelOptions]:
    """Per-model serving options: the primary models' pools are sized and
    threaded by measurement (README, "Performance and tuning"); the others
    (MTCNN, the 106-point landmarks) get their own, smaller pools, no solo
    session, and malloc, since P-Net meets a new input shape at every pyramid
    level, which no arena should keep."""
    primary = SessionOptions(
        pool_size=settings.pool_size,
        intra_op_threads=threads.pool_threads(settings.intra_op_threads, settings.pool_size),
        spin=settings.spin,
        providers=tuple(settings.providers),
        solo_intra_op_threads=threads.solo_threads(
            settings.solo_session, settings.intra_op_threads, settings.pool_size
        ),
        shared_arena=True,
    )
    secondary = SessionOptions(
        pool_size=settings.secondary_pool_size,
        intra_op_threads=settings.intra_op_threads,
        spin=settings.spin,
        providers=primary.providers,
    )
    batching = (
        BatchOptions(settings.batch_max_size, settings.batch_max_wait_ms)
        if settings.batching
        else None
    )

    def options(spec: ModelSpec) -> ModelOptions:
        session = primary if spec.role in PRIMARY_ROLES else secondary
        return ModelOptions(session, batching if spec.role in BATCHED_ROLES else None)

    return options


def model_factory(settings: Settings) -> ModelFactory:
    """How each model family becomes the object the pipeline calls."""
    size = settings.detector_input_size

    def build(spec: ModelSpec, runner: Runner) -> object:
        if spec.family in DETECTOR_FAMILIES:
            return DETECTOR_FAMILIES[spec.family](
                runner, spec, input_size=(size, size), padding=settings.detector_padding
            )
        if spec.family in ("arcface", "sface"):
            return FaceEmbedder(runner, spec)
        if spec.family == "landmark106":
            return Landmark106(runner, spec)
        if spec.family == "mtcnn":
            # Its three stages are three models; the pipeline joins them per call.
            return runner
        raise ValueError(f"unknown model family {spec.family!r}")

    return build


def store_config(settings: Settings) -> StoreConfig:
    """Where the store lives: a Qdrant server when ``qdrant_url`` is set,
    else embedded, in ``qdrant_location`` (a folder or ``:memory:``) or by
    default in ``data_dir/qdrant``."""
    key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
    location = settings.qdrant_location or str(settings.data_dir / "qdrant")
    return StoreConfig(
        location=location,
        url=settings.qdrant_url or None,
        api_key=key or None,
        timeout_s=settings.qdrant_timeout_s,
        collection_prefix=settings.qdrant_collection_prefix,
        index_threshold=settings.store_index_threshold,
        hnsw_ef=settings.store_hnsw_ef,
        flush_interval_s=settings.store_flush_interval_s,
    )
