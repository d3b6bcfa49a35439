"""The server's settings as the benchmark applies them: the environment it starts the
server with, and the ONNX Runtime threads the in-process floors and InsightFace copy.

aurum_ml is imported inside the functions only: bench/reference.py imports this
module in an interpreter that has InsightFace but not this project.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aurum_ml.settings import Settings

#: Settings that keep the bench's server from colliding with others on the machine
#: (a fixed metrics port, the face store's folder lock); applied only where the
#: server has the setting and neither --server-env nor the environment sets it.
ISOLATION_ENV = {"AURUM_METRICS_PORT": "0", "AURUM_QDRANT_LOCATION": ":memory:"}


def apply_server_env(pairs: Sequence[str]) -> tuple[dict[str, str], dict[str, str]]:
    """(the --server-env values, the isolation defaults added), both put into
    os.environ so the bench's own Settings (the in-process ORT options) matches
    the server's."""
    from aurum_ml.settings import Settings

    env: dict[str, str] = {}
    for p in pairs:
        key, sep, val = p.partition("=")
        if not sep or not key:
            raise SystemExit(f"--server-env wants KEY=VALUE, got {p!r}")
        env[key] = val
    fields = {f"AURUM_{name.upper()}" for name in Settings.model_fields}
    extra = {
        k: v
        for k, v in ISOLATION_ENV.items()
        if k in fields and k not in env and k not in os.environ
    }
    os.environ.update(env)
    os.environ.update(extra)
    return env, extra


def single_stream_threads(settings: Settings) -> int:
    """Intra-op threads the server gives a call it has to itself (0: one per core);
    the in-process floors and InsightFace tuned get the same."""
    from aurum_ml.runtime.threads import single_stream_threads as threads

    return threads(settings.solo_session, settings.intra_op_threads, settings.pool_size)


def pool_session_threads(settings: Settings) -> int:
    """Intra-op threads of each of the server's pool sessions, the ones calls share
    under load."""
    from aurum_ml.runtime.threads import pool_threads

    return pool_threads(settings.intra_op_threads, settings.pool_size)


def settings_json(s: Settings) -> dict[str, Any]:
    keys = (
        "intra_op_threads",
        "solo_session",
        "pool_size",
        "spin",
        "batching",
        "batch_max_size",
        "batch_max_wait_ms",
        "workers",
        "detector_input_size",
        "max_pending_requests",
        "rate_limit_rps",
        "metrics_enabled",
        "rest_enabled",
        "providers",
    )
    return {k: getattr(s, k) for k in keys if hasattr(s, k)}
