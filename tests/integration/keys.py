"""Keys and model versions the model-management tests share."""

from __future__ import annotations

from aurum_ml.manifest import load_manifest
from aurum_ml.testing import ROOT

KEY = "client-key-0123456789abcdef"
OPERATOR = "operator-key-0123456789abcdef"
AS_CLIENT = [("x-api-key", KEY)]
AS_OPERATOR = [("authorization", f"Bearer {OPERATOR}")]

MANIFEST = load_manifest(ROOT / "models" / "manifest.json")
W600K = MANIFEST.model_set("insightface").models["embedder"]
SFACE = MANIFEST.model_set("permissive").models["embedder"]
