"""Prometheus metrics and structured (JSON) logs with a request id.

Logs carry method, status, duration, request id and the caller's key
fingerprint; never image bytes, embeddings or keys.
"""

from __future__ import annotations

import contextvars
import json
import logging
import time
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from aurum_ml.core import Core
    from aurum_ml.manifest import ModelSpec

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

_LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)


class Metrics:
    """One registry per server, so tests and several servers in a process do not collide."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "aurum_requests_total",
            "Requests by transport, method and status code.",
            ["transport", "method", "code"],
            registry=r,
        )
        self.errors = Counter(
            "aurum_request_errors_total",
            "Failed requests by transport, method and status code.",
            ["transport", "method", "code"],
            registry=r,
        )
        self.latency = Histogram(
            "aurum_request_seconds",
            "Request latency by transport and method.",
            ["transport", "method"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.in_flight = Gauge(
            "aurum_requests_in_flight", "Requests being handled.", ["transport"], registry=r
        )
        #: Calls begun and calls in progress over both doors as plain numbers,
        #: for the idle heap trim (which must see every call, also those
        #: refused before any work, like an unparsable 8 MiB body).
        self.calls_started = 0
        self.calls_active = 0
        self.admitted = Gauge(
            "aurum_admitted_work",
            "Requests admitted to the worker pool (running or queued).",
            registry=r,
        )
        self.batch_rows = Histogram(
            "aurum_batch_rows",
            "Rows (images or faces) per ONNX Runtime run.",
            ["model", "version"],
            buckets=(1, 2, 4, 8, 16, 32, 64),
            registry=r,
        )
        self.inference = Histogram(
            "aurum_inference_seconds",
            "ONNX Runtime run time per model.",
            ["model", "version"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.model_calls = Counter(
            "aurum_model_calls_total",
            "Calls that used a model version, by outcome (ok, error): with "
            "aurum_model_call_seconds, what an A/B traffic split is judged by.",
            ["model", "version", "outcome"],
            registry=r,
        )
        self.model_call_seconds = Histogram(
            "aurum_model_call_seconds",
            "Time a call held a model version (its model work, from pinning to release).",
            ["model", "version"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )

        self.jobs = Counter(
            "aurum_jobs_total",
            "Queued jobs handled, by queue and outcome (completed, failed, retried).",
            ["queue", "outcome"],
            registry=r,
        )
        self.job_seconds = Histogram(
            "aurum_job_seconds",
            "Time from picking a job up to its result, by queue.",
            ["queue"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.queue_jobs = Gauge(
            "aurum_queue_jobs",
            "Jobs in the queue by state (waiting, active, delayed, failed, completed), "
            "as last read from Redis.",
            ["queue", "state"],
            registry=r,
        )

    def observe_run(self, spec: ModelSpec, rows: int, seconds: float) -> None:
        """One ONNX Runtime run of a model version (the registry's observer)."""
        self.batch_rows.labels(spec.name, spec.version).observe(rows)
        self.inference.labels(spec.name, spec.version).observe(seconds)

    def observe_call(self, spec: ModelSpec, seconds: float, failed: bool) -> None:
        """One call that held a model version (the registry's call observer)."""
        self.model_calls.labels(spec.name, spec.version, "error" if failed else "ok").inc()
        self.model_call_seconds.labels(spec.name, spec.version).observe(seconds)

    def call_began(self, transport: str) -> None:
        self.in_flight.labels(transport).inc()
        self.calls_started += 1
        self.calls_active += 1

    def call_ended(self, transport: str) -> None:
        self.in_flight.labels(transport).dec()
        self.calls_active -= 1

    def watch(self, core: Core) -> None:
        """Read the core's admission and model queues at every scrape."""
        self.admitted.set_function(lambda: float(core.admission.in_flight))
        self.registry.register(_QueueDepth(core))


class _QueueDepth(Collector):
    """Runs waiting per loaded model version, read from the registry at scrape
    time, so versions loaded or unloaded while serving come and go."""

    def __init__(self, core: Core) -> None:
        self._core = core

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "aurum_batch_queue_depth",
            "Inference calls waiting for a model session.",
            labels=["model", "version"],
        )
        for entry in self._core.registry.entries():
            family.add_metric([entry.spec.name, entry.version], entry.queue_depth())
        yield family


def new_request_id(incoming: str | None) -> str:
    # Accept a caller's id only if it is short and printable, so it cannot
    # inject into logs.
    if incoming and len(incoming) <= 64 and incoming.isprintable() and '"' not in incoming:
        return incoming
    return uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {
            "ts": round(record.created, 3),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": request_id_var.get(),
        }
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            out.update(extra)
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)


def configure_logging(level: str, json_logs: bool) -> None:
    handler = logging.StreamHandler()
    if json_logs:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


access_log = logging.getLogger("aurum_ml.access")


def log_request(transport: str, method: str, code: str, started: float, caller: str) -> None:
    access_log.info(
        "%s %s %s",
        transport,
        method,
        code,
        extra={
            "fields": {
                "transport": transport,
                "method": method,
                "code": code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "caller": caller,
            }
        },
    )
