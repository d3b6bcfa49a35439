"""Shared fixtures: real models from models/ and the test photos, loaded once per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from qdrant_client import QdrantClient

from aurum_ml.manifest import Manifest, ModelSet, load_manifest
from aurum_ml.models import FaceEmbedder, Landmark106, MtcnnDetector, ScrfdDetector, YunetDetector
from aurum_ml.runtime.session_pool import SessionPool
from aurum_ml.store import FaceStore, StoreConfig, open_store
from aurum_ml.store.qdrant_engine import QdrantClientEngine
from aurum_ml.types import BGRImage, ModelInfo

REPO_ROOT = Path(__file__).resolve().parents[2]
MANIFEST_PATH = REPO_ROOT / "models" / "manifest.json"


@pytest.fixture(scope="session")
def manifest() -> Manifest:
    m = load_manifest(MANIFEST_PATH)
    missing = [spec.file for spec in m.catalogue if not m.file_path(spec).exists()]
    if missing:
        pytest.fail(f"model files missing ({', '.join(missing)}): run `make models`")
    return m


@pytest.fixture(scope="session")
def pools(manifest: Manifest) -> dict[str, SessionPool]:
    return {role: SessionPool(manifest.model_path(role)) for role in manifest.models}


def _read(manifest: Manifest, name: str) -> BGRImage:
    path = manifest.photo_path(name)
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        pytest.fail(f"test photo missing: {path}: run `make models`")
    return np.asarray(img, dtype=np.uint8)


@pytest.fixture(scope="session")
def players(manifest: Manifest) -> BGRImage:
    return _read(manifest, "players.jpg")


@pytest.fixture(scope="session")
def yaoming(manifest: Manifest) -> BGRImage:
    return _read(manifest, "yaoming.jpg")


@pytest.fixture(scope="session")
def gdp(manifest: Manifest) -> BGRImage:
    return _read(manifest, "gdp.jpg")


@pytest.fixture(scope="session")
def scrfd(manifest: Manifest, pools: dict[str, SessionPool]) -> ScrfdDetector:
    return ScrfdDetector(pools["detector"], manifest.models["detector"])


@pytest.fixture(scope="session")
def mtcnn(manifest: Manifest, pools: dict[str, SessionPool]) -> MtcnnDetector:
    spec = manifest.models["mtcnn_onet"]
    return MtcnnDetector(
        pools["mtcnn_pnet"],
        pools["mtcnn_rnet"],
        pools["mtcnn_onet"],
        ModelInfo("mtcnn", spec.version, pools["mtcnn_onet"].provider),
    )


@pytest.fixture(scope="session")
def arcface(manifest: Manifest, pools: dict[str, SessionPool]) -> FaceEmbedder:
    return FaceEmbedder(pools["embedder"], manifest.models["embedder"])


@pytest.fixture(scope="session")
def landmark106(manifest: Manifest, pools: dict[str, SessionPool]) -> Landmark106:
    return Landmark106(pools["landmarks106"], manifest.models["landmarks106"])


# -- the permissive set (YuNet, SFace) ----------------------------------------------------


@pytest.fixture(scope="session")
def permissive(manifest: Manifest) -> ModelSet:
    return manifest.model_set("permissive")


@pytest.fixture(scope="session")
def yunet(permissive: ModelSet) -> YunetDetector:
    spec = permissive.models["detector"]
    return YunetDetector(SessionPool(permissive.model_path("detector")), spec)


@pytest.fixture(scope="session")
def sface(permissive: ModelSet) -> FaceEmbedder:
    spec = permissive.models["embedder"]
    return FaceEmbedder(SessionPool(permissive.model_path("embedder")), spec)


def qdrant_client_store() -> FaceStore:
    """qdrant-client's API, in memory: the remote engine's stand-in."""
    engine = QdrantClientEngine(QdrantClient(location=":memory:"), local=True)
    return FaceStore(engine, StoreConfig())


@pytest.fixture(params=["edge", "qdrant-client"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FaceStore]:
    """The same store test-suite against both engines: Qdrant Edge embedded,
    and qdrant-client in memory standing in for a Qdrant server."""
    if request.param == "edge":
        s = open_store(StoreConfig(location=str(tmp_path / "store")))
    else:
        s = qdrant_client_store()
    yield s
    s.close()
