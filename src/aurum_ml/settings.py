"""Server settings: one typed object, read from AURUM_* environment variables.

A bad value fails at start-up, before any model loads, with one line per bad
setting naming its variable and the form it expects (:func:`explain`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import annotated_types as at
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AURUM_", extra="ignore")

    host: str = "0.0.0.0"
    """Interface both servers bind to."""

    grpc_port: int = Field(50051, ge=0, le=65535)
    """gRPC port; 0 picks a free one (tests)."""

    rest_read_timeout_s: float = Field(10.0, gt=0.0, le=600.0)
    """Seconds a REST client has to send a whole request (headers and body) once it
    connects or got its previous answer; slower connections are closed (slowloris)."""

    rest_max_connections: int = Field(1000, ge=1)
    """REST connections and requests handled at once; beyond it new requests get 503."""

    grpc_max_connection_age_s: float = Field(300.0, ge=0.0)
    """A client's HTTP/2 connection is closed gracefully after this long (0 = never), so
    clients re-resolve and spread over replicas that started since (README, "Deploying")."""

    grpc_handshake_timeout_s: float = Field(10.0, gt=0.0, le=600.0)
    """Seconds a new gRPC connection has to complete its HTTP/2 (and TLS) handshake;
    half-open connections are closed after it."""

    grpc_max_connections: int = Field(1000, ge=1)
    """gRPC connections open at once; further ones are refused when they connect."""

    rest_port: int = Field(8000, ge=0, le=65535)
    """REST gateway port; 0 picks a free one."""

    rest_enabled: bool = True
    """Serve the legacy REST paths next to gRPC."""

    models_dir: Path = Path("models")
    """Folder holding manifest.json and the model files (`make models`)."""

    model_set: str = Field("", pattern=r"^[A-Za-z0-9_.-]{0,64}$")
    """The models the server runs, a set named in models/manifest.json: `insightface`
    (SCRFD, ArcFace w600k_mbf, 2d106det, MTCNN; InsightFace's weights are for
    non-commercial research only) or `permissive` (YuNet, SFace, MTCNN: MIT and
    Apache-2.0, no 106-point landmarks). Empty: the manifest's default, `insightface`
    (README, "Models and licences")."""

    detector: Literal["scrfd", "yunet", "mtcnn"] | None = None
    """Default face detector, one of the model set's (unset: the set's own single-shot
    detector, SCRFD or YuNet); a request may pick another the set has."""

    detector_input_size: int = Field(640, ge=32, le=1920, multiple_of=32)
    """Largest side of the detector's letterboxed input (SCRFD, YuNet): every photo is
    scaled to fit it."""

    detector_padding: Literal["trim", "square"] = "trim"
    """`trim` cuts the letterbox's black padding to a 32-pixel margin (same scale,
    same faces, less work); `square` feeds the whole square, as InsightFace does."""

    min_confidence: float = Field(0.5, gt=0.0, le=1.0)
    """Default detection score threshold when a request leaves it at 0."""

    max_faces: int = Field(100, ge=1, le=1000)
    """Server cap on faces per image; requests may ask for fewer."""

    providers: Annotated[list[str], NoDecode] = ["CUDAExecutionProvider", "CPUExecutionProvider"]
    """ONNX Runtime execution providers in order of preference; CPU is the fallback."""

    pool_size: int = Field(2, ge=1, le=64)
    """ONNX Runtime sessions for the detector (SCRFD) and the embedder. 2 measured
    best on a 2-core CPU: Detect throughput +25-35% over 1 at the same single-client
    latency (README, "Performance and tuning")."""

    secondary_pool_size: int = Field(1, ge=1, le=64)
    """ONNX Runtime sessions per model for MTCNN and the 106-point landmark model,
    which no default Detect or Embed uses (one more session of each holds ~19 MB)."""

    intra_op_threads: int = Field(0, ge=0, le=256)
    """Threads inside one ORT run of a detector or embedder pool session; 0 shares
    the CPUs out among the pool (CPUs / AURUM_POOL_SIZE, at least 1), so a loaded
    server runs each call on its own cores. MTCNN and the 106-point model take this
    many too, or with 0 one per core (ORT's choice)."""

    solo_session: bool = True
    """One more detector and embedder session, with a thread per core, for a run
    that has the server to itself: the lowest latency for one client, while under
    load the pool's leaner sessions spend less CPU per call (README, "Threads per run")."""

    spin: bool = False
    """Let ORT's intra-op threads spin-wait (faster alone, slower when models share cores)."""

    batching: bool = False
    """Group concurrent requests for the same model into one ORT run. Off by default:
    on a 2-core CPU it measured no throughput gain and held more memory; turn it on
    where a batch is cheaper per item (GPUs)."""

    batch_max_size: int = Field(16, ge=1, le=256)
    """Most rows (images or faces) in one batched run."""

    batch_max_wait_ms: float = Field(0.0, ge=0.0, le=100.0)
    """How long a run may wait for more requests; 0 batches only what is already queued."""

    workers: int = Field(2, ge=1, le=256)
    """Threads that run decode, pre/post-processing and inference off the event loop.
    2 measured best on a 2-core CPU: the throughput of 4, with 50-65 MiB less peak
    RSS (fewer images decoded at once); raise it together with AURUM_POOL_SIZE."""

    heap_trim_interval_s: float = Field(30.0, ge=0.0, le=3600.0)
    """After this many seconds without a request, give the memory freed after a burst
    back to the OS (glibc malloc_trim); 0 turns it off. Not shorter: the first
    request after a trim pays ~5 ms to fault the memory back in."""

    max_pending_requests: int = Field(32, ge=1, le=100_000)
    """Requests admitted (running or queued) at once; more get RESOURCE_EXHAUSTED / 429."""

    max_request_s: float = Field(30.0, gt=0.0, le=3600.0)
    """Server cap on a request's deadline; a client's shorter deadline is honoured."""

    max_batch_items: int = Field(32, ge=1, le=256)
    """Most images one DetectBatch/EmbedBatch call may carry."""

    max_message_bytes: int = Field(8 * 1024 * 1024, ge=1024)
    """Largest gRPC message and REST body accepted."""

    max_image_pixels: int = Field(25_000_000, ge=1)
    """Largest decoded image, width x height, checked from the header before decoding."""

    decode_budget_mb: int = Field(512, ge=1)
    """MiB of decoded pixels held at once across all calls and batch items (3 bytes a
    pixel; working copies take about as much again). A call that cannot get its share
    within its deadline gets RESOURCE_EXHAUSTED / 429. Sized for a 1-2 GiB container."""

    large_image_pixels: int = Field(16_000_000, ge=1)
    """Images that decode to more pixels than this (a JPEG Detect decodes at reduced
    size) run on their own threads, so they cannot hold up small calls."""

    large_image_workers: int = Field(1, ge=1, le=64)
    """Threads for calls on large images (see AURUM_LARGE_IMAGE_PIXELS)."""

    max_image_side: int = Field(10_000, ge=1)
    """Largest image width or height."""

    allowed_image_hosts: Annotated[list[str], NoDecode] = []
    """Hosts Image.url may name; empty (the default) disables URL images."""

    match_threshold: float | None = Field(None, ge=-1.0, le=1.0)
    """Cosine similarity at or above which two faces are the same person. Unset: the
    embedding model's own, from the manifest (0.35 for ArcFace w600k_mbf, SFace's
    in README, "Similarity and the match threshold"); a request may pass its own."""

    data_dir: Path = Path("data")
    """Folder for the server's persistent data: the embedded face store lives in
    data_dir/qdrant (and survives restarts)."""

    qdrant_location: str = ""
    """Embedded face store (Qdrant Edge): a folder, or ":memory:" (a temporary folder,
    lost on exit; tests). Empty means data_dir/qdrant. Only one process may hold a folder
    open at a time."""

    qdrant_url: str = ""
    """URL of a Qdrant server (e.g. http://qdrant:6333); when set it is used instead of
    the embedded store."""

    qdrant_api_key: SecretStr | None = None
    """API key for the Qdrant server; never logged."""

    qdrant_timeout_s: float = Field(5.0, gt=0.0, le=300.0)
    """Seconds a Qdrant server call may take."""

    qdrant_collection_prefix: str = Field("aurum_", pattern=r"^[A-Za-z0-9_.-]{0,64}$")
    """Prefix of our collections, so a shared Qdrant server keeps other applications' apart."""

    store_retry_s: float = Field(10.0, ge=0.0, le=3600.0)
    """Least seconds between tries to reopen an unavailable face store (on a call and in
    the background)."""

    store_index_threshold: int = Field(20000, ge=0, le=100_000_000)
    """Embedded face store: a gallery's vector index is (re)built, in a background
    process, once this many of its faces (and a tenth of those indexed) are not in it;
    until then they are searched exactly. 0 never builds one."""

    store_flush_interval_s: float = Field(1.0, ge=0.0, le=60.0)
    """Embedded face store: an acknowledged write is in the engine's write-ahead log and
    survives any process crash (SIGKILL); it is fsynced, safe from a power cut, within
    this many seconds. 0 fsyncs before every acknowledgement (slower writes)."""

    store_hnsw_ef: int = Field(256, ge=8, le=4096)
    """Embedded face store: candidates an indexed search explores, at least; more is
    slower and closer to exact. It grows with the gallery, 2,048 per million faces
    (recall@5 0.999 at 100k faces with 256, 0.992 at 1M with 2,048; bench/store_bench.py)."""

    queue_redis_url: str = ""
    """Redis URL of the BullMQ job queue (e.g. redis://redis:6379/0); when set, the server
    also consumes `faceScoring` jobs. Empty: no queue consumer."""

    queue_name: str = Field("faceScoring", pattern=r"^[A-Za-z0-9_.:-]{1,100}$")
    """BullMQ queue the consumer takes jobs from."""

    queue_prefix: str = Field("bull", pattern=r"^[A-Za-z0-9_.:-]{1,100}$")
    """BullMQ key prefix (the producer's `prefix` option; BullMQ's default is "bull")."""

    queue_concurrency: int = Field(2, ge=1, le=64)
    """Jobs this process works on at once; each takes a worker slot like a request, so
    RPC callers keep the rest (max_pending_requests)."""

    queue_enroll_gallery: str = ""
    """When set, every scored face is also enrolled in this gallery with the job's
    userId as the subject (a retried job stores nothing twice). A job can ask for it
    itself with metadata.enrollGallery."""

    queue_image_root: Path | None = None
    """Folder that jobs may name images in by path (imagePath, or image with
    isBase64=false); unset: jobs must carry the image as base64."""

    queue_remove_on_complete: int = Field(1000, ge=0)
    """Completed jobs kept in Redis (the newest ones); 0 keeps them all."""

    queue_remove_on_fail: int = Field(5000, ge=0)
    """Failed jobs kept in Redis (the newest ones); 0 keeps them all."""

    queue_lock_duration_ms: int = Field(30_000, ge=1000)
    """How long a job's lock lasts without renewal; a worker that dies loses its jobs to
    another after this (and the stalled check)."""

    queue_stalled_interval_ms: int = Field(30_000, ge=1000)
    """How often the consumer looks for jobs whose worker died (BullMQ's stalledInterval)."""

    shutdown_grace_s: float = Field(30.0, ge=0.0)
    """Seconds calls in flight get to finish on SIGTERM."""

    api_keys: Annotated[list[SecretStr], NoDecode] = []
    """API keys callers must present (comma-separated); empty means no authentication."""

    api_keys_file: Path | None = None
    """File with one API key per line (# comments allowed), added to api_keys."""

    operator_keys: Annotated[list[SecretStr], NoDecode] = []
    """Operator credentials (comma-separated, at least 16 characters, none an API key):
    the only keys that may call model management (gRPC ModelManagement, REST
    /api/models). Empty, with no operator_keys_file: model management is off."""

    operator_keys_file: Path | None = None
    """File with one operator key per line (# comments allowed), added to operator_keys."""

    model_plan_file: Path | None = None
    """JSON file where model management saves the versions loaded, each role's default
    and the traffic splits, read back at start so they survive a restart. Empty:
    data_dir/model-plan.json."""

    initial_model_plan_file: Path | None = None
    """A model plan declared at start-up (the same JSON as model_plan_file), applied
    when model_plan_file does not exist yet (README, "Model management")."""

    rate_limit_rps: float = Field(0.0, ge=0.0)
    """Requests per second allowed per API key (without keys, all callers share one
    budget); 0 = off."""

    rate_limit_burst: int = Field(20, ge=1)
    """Requests a caller may send at once before the rate applies."""

    tls_cert_file: Path | None = None
    """PEM certificate chain; with tls_key_file it turns on TLS for gRPC and HTTPS for REST."""

    tls_key_file: Path | None = None
    """PEM private key for tls_cert_file."""

    tls_client_ca_file: Path | None = None
    """PEM CA bundle; when set, clients must present a certificate it signed (mutual TLS)."""

    metrics_port: int = Field(9464, ge=0, le=65535)
    """Port of the Prometheus /metrics endpoint (0 = any free port)."""

    metrics_enabled: bool = True
    """Serve Prometheus metrics."""

    json_logs: bool = True
    """Log one JSON object per line (with request ids); false for plain text."""

    log_level: str = "INFO"
    """DEBUG, INFO, WARNING or ERROR."""

    @field_validator("providers", "allowed_image_hosts", "api_keys", "operator_keys", mode="before")
    @classmethod
    def _split_csv(cls, v: object) -> object:
        # Environment variables are plain strings: accept "a,b" as well as JSON lists.
        if isinstance(v, str):
            if v.lstrip().startswith("["):
                try:
                    return json.loads(v)
                except json.JSONDecodeError:
                    raise ValueError(
                        'must be comma-separated, like a,b, or a JSON list, like ["a", "b"]'
                    ) from None
            return [s.strip() for s in v.split(",") if s.strip()]
        return v

    @field_validator("qdrant_url")
    @classmethod
    def _http_url(cls, v: str) -> str:
        v = v.strip()
        if v and not v.lower().startswith(("http://", "https://")):
            like = f"http://{v}" if "://" not in v else "http://qdrant:6333"
            raise ValueError(f"must start with http:// or https://, like {like}")
        return v

    @field_validator("queue_redis_url")
    @classmethod
    def _redis_url(cls, v: str) -> str:
        v = v.strip()
        if v and not v.lower().startswith(("redis://", "rediss://", "unix://")):
            like = f"redis://{v}" if "://" not in v else "redis://redis:6379/0"
            raise ValueError(f"must start with redis://, rediss:// or unix://, like {like}")
        return v

    @model_validator(mode="after")
    def _tls_pairs(self) -> Settings:
        if (self.tls_cert_file is None) != (self.tls_key_file is None):
            raise ValueError("AURUM_TLS_CERT_FILE and AURUM_TLS_KEY_FILE must be set together")
        if self.tls_client_ca_file is not None and self.tls_cert_file is None:
            raise ValueError("AURUM_TLS_CLIENT_CA_FILE (mutual TLS) needs AURUM_TLS_CERT_FILE")
        return self

    @property
    def tls_enabled(self) -> bool:
        return self.tls_cert_file is not None

    @property
    def manifest_path(self) -> Path:
        return self.models_dir / "manifest.json"

    @property
    def model_plan_path(self) -> Path:
        return self.model_plan_file or self.data_dir / "model-plan.json"


# -- reporting bad settings ------------------------------------------------------------


def env_name(field: str) -> str:
    """The environment variable of a setting: ``grpc_port`` -> ``AURUM_GRPC_PORT``."""
    prefix = str(Settings.model_config.get("env_prefix", ""))
    return f"{prefix}{field}".upper()


def explain(error: ValidationError, options: Mapping[str, str] | None = None) -> list[str]:
    """One line per bad setting, naming its environment variable (and the
    command-line option, for a value given as one: ``options`` maps a field
    to its option) and the form it expects, e.g. ``AURUM_GRPC_PORT must be a
    whole number from 0 to 65535 (got 'abc')``. Secrets are never echoed."""
    options = options or {}
    lines: list[str] = []
    for e in error.errors(include_url=False):
        loc = e.get("loc") or ()
        field = str(loc[0]) if loc else ""
        if field not in Settings.model_fields:
            lines.append(_sentence(e))  # a rule over several settings names them itself
            continue
        name = env_name(field)
        if field in options:
            name = f"{options[field]} ({name})"
        got = "" if _secret(field) else f" (got {e.get('input')!r})"
        lines.append(f"{name} {_expected(field, e)}{got}")
    return lines


def _sentence(e: Mapping[str, Any]) -> str:
    msg = str(e.get("msg", ""))
    return msg.removeprefix("Value error, ")


def _secret(field: str) -> bool:
    info = Settings.model_fields[field]
    return "SecretStr" in str(info.annotation) or "key" in field


def _number(v: object) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _expected(field: str, e: Mapping[str, Any]) -> str:
    """``must be ...``: what the setting takes, from its type and constraints."""
    kind = str(e.get("type", ""))
    ctx: Mapping[str, Any] = e.get("ctx") or {}
    if kind == "value_error":
        return _sentence({"msg": str(ctx.get("error", e.get("msg", "")))})
    if kind == "literal_error":
        return f"must be {ctx.get('expected', '')}"
    if kind == "string_pattern_mismatch":
        return f"must match the pattern {ctx.get('pattern', '')}"
    info = Settings.model_fields[field]
    # An optional setting (``float | None``) takes the form of its type.
    annotation = next((a for a in get_args(info.annotation) if a is not type(None)), None)
    if annotation is None or len(get_args(info.annotation)) != 2:
        annotation = info.annotation
    if annotation is bool:
        return "must be true or false"
    if annotation in (int, float):
        what = "a whole number" if annotation is int else "a number"
        return f"must be {what}{_bounds(info.metadata)}"
    if kind.startswith("path"):
        return "must be a file path"
    return str(e.get("msg", "is not valid")).replace("Input should be", "must be")


def _bounds(metadata: list[Any]) -> str:
    lo = hi = step = ""
    ge = le = None
    for m in metadata:
        if isinstance(m, at.Ge):
            ge, lo = m.ge, f"at least {_number(m.ge)}"
        elif isinstance(m, at.Gt):
            lo = f"greater than {_number(m.gt)}"
        elif isinstance(m, at.Le):
            le, hi = m.le, f"at most {_number(m.le)}"
        elif isinstance(m, at.Lt):
            hi = f"less than {_number(m.lt)}"
        elif isinstance(m, at.MultipleOf):
            step = f", a multiple of {_number(m.multiple_of)}"
    if ge is not None and le is not None:
        return f" from {_number(ge)} to {_number(le)}{step}"
    parts = [p for p in (lo, hi) if p]
    return (", " + " and ".join(parts) if parts else "") + step
