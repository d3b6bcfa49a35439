"""The REST gateway: the legacy JSON paths, served over the same core as gRPC."""

from __future__ import annotations

from aurum_ml.rest.app import build_rest_app

__all__ = ["build_rest_app"]
