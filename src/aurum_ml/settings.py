"""Server settings: one typed object, read from AURUM_* environment variables.

A bad value fails at start-up with the variable's name (pydantic's message).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AURUM_", extra="ignore")

    host: str = "0.0.0.0"
    """Interface both servers bind to."""

    grpc_port: int = Field(50051, ge=0, le=65535)
    """gRPC port; 0 picks a free one (tests)."""

    rest_port: int = Field(8000, ge=0, le=65535)
    """REST gateway port; 0 picks a free one."""

    rest_enabled: bool = True
    """Serve the legacy REST paths next to gRPC."""

    models_dir: Path = Path("models")
    """Folder holding manifest.json and the model files (`make models`)."""

    detector: Literal["scrfd", "mtcnn"] = "scrfd"
    """Default face detector; a request may pick the other one."""

    detector_input_size: int = Field(640, ge=32, le=1920, multiple_of=32)
    """Largest side of SCRFD's letterboxed input."""

    min_confidence: float = Field(0.5, gt=0.0, le=1.0)
    """Default detection score threshold when a request leaves it at 0."""

    max_faces: int = Field(100, ge=1, le=1000)
    """Server cap on faces per image; requests may ask for fewer."""

    providers: Annotated[list[str], NoDecode] = ["CUDAExecutionProvider", "CPUExecutionProvider"]
    """ONNX Runtime execution providers in order of preference; CPU is the fallback."""

    pool_size: int = Field(1, ge=1, le=64)
    """ONNX Runtime sessions per model."""

    intra_op_threads: int = Field(0, ge=0, le=256)
    """Threads inside one ORT run; 0 means one per physical core (ORT's choice)."""

    spin: bool = False
    """Let ORT's intra-op threads spin-wait (faster alone, slower when models share cores)."""

    batching: bool = True
    """Group concurrent requests for the same model into one ORT run."""

    batch_max_size: int = Field(16, ge=1, le=256)
    """Most rows (images or faces) in one batched run."""

    batch_max_wait_ms: float = Field(0.0, ge=0.0, le=100.0)
    """How long a run may wait for more requests; 0 batches only what is already queued."""

    workers: int = Field(4, ge=1, le=256)
    """Threads that run decode, pre/post-processing and inference off the event loop."""

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

    max_image_side: int = Field(10_000, ge=1)
    """Largest image width or height."""

    allowed_image_hosts: Annotated[list[str], NoDecode] = []
    """Hosts Image.url may name; empty (the default) disables URL images."""

    match_threshold: float = Field(0.35, ge=-1.0, le=1.0)
    """Cosine similarity at or above which two faces are the same person."""

    shutdown_grace_s: float = Field(30.0, ge=0.0)
    """Seconds calls in flight get to finish on SIGTERM."""

    log_level: str = "INFO"

    @field_validator("providers", "allowed_image_hosts", mode="before")
    @classmethod
    def _split_csv(cls, v: object) -> object:
        # Environment variables are plain strings: accept "a,b" as well as JSON lists.
        if isinstance(v, str):
            if v.lstrip().startswith("["):
                return json.loads(v)
            return [s.strip() for s in v.split(",") if s.strip()]
        return v

    @property
    def manifest_path(self) -> Path:
        return self.models_dir / "manifest.json"
