"""Model management on a real server: a hot swap under continuous Embed traffic,
a failed load, a sticky 50/50 split, galleries bound to their model, and who may
manage models. Real models, real photos; few servers (each start loads every model)."""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

import grpc
import httpx
import pytest

from aurum.ml.v1 import (
    common_pb2,
    embedding_pb2,
    embedding_pb2_grpc,
    face_store_pb2,
    face_store_pb2_grpc,
    models_pb2,
    models_pb2_grpc,
)
from aurum_ml.testing import ROOT, ServerProcess, running_server
from aurum_ml.testing.hostile import rss_mib
from tests.integration.keys import AS_CLIENT, AS_OPERATOR, KEY, OPERATOR, SFACE, W600K


def _models(ch: grpc.Channel) -> models_pb2_grpc.ModelManagementStub:
    return models_pb2_grpc.ModelManagementStub(ch)


def _listed(ch: grpc.Channel, version: str) -> models_pb2.ModelVersion:
    listing = _models(ch).ListModels(
        models_pb2.ListModelsRequest(role="embedder"), metadata=AS_OPERATOR, timeout=10
    )
    return next(m for m in listing.models if m.version == version)


def _embed(
    ch: grpc.Channel, image: bytes, key: str = "", timeout: float = 30
) -> embedding_pb2.EmbedResponse:
    req = embedding_pb2.EmbedRequest(
        image=common_pb2.Image(data=image), model=common_pb2.ModelSelector(routing_key=key)
    )
    return embedding_pb2_grpc.FaceEmbeddingStub(ch).Embed(req, metadata=AS_CLIENT, timeout=timeout)


@pytest.fixture(scope="module")
def managed() -> ServerProcess:
    env = {"AURUM_API_KEYS": KEY, "AURUM_OPERATOR_KEYS": OPERATOR}
    with running_server(env=env) as srv:
        yield srv


def test_a_swap_under_continuous_embed_traffic_fails_no_call(
    managed: ServerProcess, photos: Path
) -> None:
    image = (photos / "yaoming.jpg").read_bytes()
    answered: Counter[str] = Counter()
    failures: list[str] = []
    stop = threading.Event()

    def client() -> None:
        with managed.channel() as ch:
            while not stop.is_set():
                try:
                    answered[_embed(ch, image).model.version] += 1
                except grpc.RpcError as e:
                    failures.append(f"{e.code()}: {e.details()}")

    clients = [threading.Thread(target=client) for _ in range(3)]
    for t in clients:
        t.start()
    try:
        with managed.channel() as ch:
            time.sleep(2)
            rss_before = rss_mib(managed.proc.pid)
            # Load beside the serving version and switch to it once warm.
            loaded = _models(ch).LoadModel(
                models_pb2.LoadModelRequest(
                    role="embedder", version=SFACE.version, make_default=True
                ),
                metadata=AS_OPERATOR,
                timeout=60,
            )
            assert (loaded.state, loaded.is_default) == ("ready", True)
            assert loaded.load_s > 0 and loaded.execution_provider
            time.sleep(2)
            on_new = answered[SFACE.version]
            rss_loaded = rss_mib(managed.proc.pid)
            # Back to the old version, then the new one drains and goes.
            _models(ch).SetDefaultModel(
                models_pb2.SetDefaultModelRequest(role="embedder", version=W600K.version),
                metadata=AS_OPERATOR,
                timeout=10,
            )
            gone = _models(ch).UnloadModel(
                models_pb2.UnloadModelRequest(role="embedder", version=SFACE.version),
                metadata=AS_OPERATOR,
                timeout=60,
            )
            assert gone.state == "available"
            time.sleep(2)
            rss_after = rss_mib(managed.proc.pid)
    finally:
        stop.set()
        for t in clients:
            t.join(30)
    print(
        f"calls: {dict(answered)}; RSS before load {rss_before:.1f} MiB, with both "
        f"{rss_loaded:.1f}, after unload {rss_after:.1f} ({rss_after - rss_before:+.1f})"
    )
    assert failures == []
    assert on_new > 0, "no call was answered by the new version"
    assert set(answered) == {W600K.version, SFACE.version}
    assert abs(rss_after - rss_before) < 20, (rss_before, rss_after)


def test_a_sticky_split_sends_each_key_to_one_version(managed: ServerProcess, photos: Path) -> None:
    image = (photos / "yaoming.jpg").read_bytes()
    with managed.channel() as ch:
        _models(ch).LoadModel(
            models_pb2.LoadModelRequest(role="embedder", version=SFACE.version),
            metadata=AS_OPERATOR,
            timeout=60,
        )
        split = _models(ch).SetTrafficSplit(
            models_pb2.SetTrafficSplitRequest(
                role="embedder", weights={W600K.version: 1, SFACE.version: 1}
            ),
            metadata=AS_OPERATOR,
            timeout=10,
        )
        assert dict(split.shares) == {W600K.version: 0.5, SFACE.version: 0.5}
        before = _model_calls(managed)
        keys = [f"user-{i}" for i in range(40)]
        chosen = {k: {_embed(ch, image, k).model.version for _ in range(2)} for k in keys}
        after = _model_calls(managed)
        # The key may come as x-routing-key metadata (gRPC) or header (REST).
        stub = embedding_pb2_grpc.FaceEmbeddingStub(ch)
        photo = base64.b64encode(image).decode()
        for k in keys[:4]:
            by_header = stub.Embed(
                embedding_pb2.EmbedRequest(image=common_pb2.Image(data=image)),
                metadata=[*AS_CLIENT, ("x-routing-key", k)],
                timeout=30,
            )
            rest = httpx.post(
                managed.rest_url + "/api/extract-embedding",
                json={"image": photo},
                headers={"x-api-key": KEY, "x-routing-key": k},
                timeout=30,
            )
            assert {by_header.model.version, rest.json()["model"]["version"]} == chosen[k]
        _models(ch).SetTrafficSplit(
            models_pb2.SetTrafficSplitRequest(role="embedder"), metadata=AS_OPERATOR, timeout=10
        )
    assert all(len(v) == 1 for v in chosen.values()), chosen
    on_sface = sum(v == {SFACE.version} for v in chosen.values())
    assert 12 <= on_sface <= 28, on_sface
    # The per-version metrics count the same calls.
    counted = {v: after.get(v, 0) - before.get(v, 0) for v in (W600K.version, SFACE.version)}
    assert counted == {SFACE.version: 2 * on_sface, W600K.version: 2 * (40 - on_sface)}


def _model_calls(srv: ServerProcess) -> dict[str, float]:
    """aurum_model_calls_total{outcome="ok"} of the embedders, by version."""
    body = urllib.request.urlopen(f"http://127.0.0.1:{srv.metrics_port}/metrics").read().decode()
    out: dict[str, float] = {}
    for spec in (W600K, SFACE):
        pattern = (
            rf'aurum_model_calls_total\{{model="{spec.name}",outcome="ok",'
            rf'version="{re.escape(spec.version)}"\}} (\S+)'
        )
        found = re.search(pattern, body)
        out[spec.version] = float(found.group(1)) if found else 0.0
    return out


def test_a_gallery_keeps_its_model_whatever_the_default(
    managed: ServerProcess, photos: Path
) -> None:
    yaoming = common_pb2.Image(data=(photos / "yaoming.jpg").read_bytes())
    with managed.channel() as ch:
        faces = face_store_pb2_grpc.FaceStoreStub(ch)
        made = faces.CreateGallery(
            face_store_pb2.CreateGalleryRequest(name="bound"), metadata=AS_CLIENT, timeout=10
        )
        assert made.model.name == W600K.name and made.dim == 512
        faces.Enroll(
            face_store_pb2.EnrollRequest(gallery="bound", subject_id="yao", image=yaoming),
            metadata=AS_CLIENT,
            timeout=30,
        )
        _models(ch).LoadModel(
            models_pb2.LoadModelRequest(role="embedder", version=SFACE.version, make_default=True),
            metadata=AS_OPERATOR,
            timeout=60,
        )
        try:
            # The default is SFace now: Embed answers with it, the gallery with its own.
            assert _embed(ch, yaoming.data).model.name == SFACE.name
            found = faces.Identify(
                face_store_pb2.IdentifyRequest(gallery="bound", image=yaoming),
                metadata=AS_CLIENT,
                timeout=30,
            )
            assert found.model.name == W600K.name
            assert found.matches[0].subject_id == "yao" and found.matches[0].is_match
            # An embedding given as input is the gallery's model's: 512 values pass.
            pinned = embedding_pb2_grpc.FaceEmbeddingStub(ch).Embed(
                embedding_pb2.EmbedRequest(
                    image=yaoming, model=common_pb2.ModelSelector(name=W600K.name)
                ),
                metadata=AS_CLIENT,
                timeout=30,
            )
            assert pinned.model.version == W600K.version and len(pinned.embedding) == 512
            by_vector = faces.Identify(
                face_store_pb2.IdentifyRequest(
                    gallery="bound", embedding={"values": list(pinned.embedding)}
                ),
                metadata=AS_CLIENT,
                timeout=30,
            )
            assert by_vector.matches[0].subject_id == "yao"
            new = faces.CreateGallery(
                face_store_pb2.CreateGalleryRequest(name="fresh"), metadata=AS_CLIENT, timeout=10
            )
            assert new.model.name == SFACE.name and new.dim == 128
            named = faces.CreateGallery(
                face_store_pb2.CreateGalleryRequest(
                    name="named", model=common_pb2.ModelInfo(name=W600K.name)
                ),
                metadata=AS_CLIENT,
                timeout=10,
            )
            assert (named.model.version, named.dim) == (W600K.version, 512)
            # Its model unloaded, the gallery says so instead of mixing models.
            _models(ch).UnloadModel(
                models_pb2.UnloadModelRequest(role="embedder", version=W600K.version),
                metadata=AS_OPERATOR,
                timeout=60,
            )
            with pytest.raises(grpc.RpcError) as e:
                faces.Identify(
                    face_store_pb2.IdentifyRequest(gallery="bound", image=yaoming),
                    metadata=AS_CLIENT,
                    timeout=30,
                )
            assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION
            assert "bound to the embedding model w600k_mbf" in (e.value.details() or "")
        finally:
            _models(ch).LoadModel(
                models_pb2.LoadModelRequest(
                    role="embedder", version=W600K.version, make_default=True
                ),
                metadata=AS_OPERATOR,
                timeout=60,
            )
    # What the operator set was saved for the next start.
    assert managed.scratch is not None
    plan = json.loads((managed.scratch / "model-plan.json").read_text())
    assert plan["defaults"]["embedder"] == W600K.version


def test_only_operator_keys_manage_models(managed: ServerProcess) -> None:
    with managed.channel() as ch:
        for md, code in (
            (AS_CLIENT, grpc.StatusCode.PERMISSION_DENIED),
            (None, grpc.StatusCode.UNAUTHENTICATED),
            ([("x-api-key", "not-a-key-0123456789abc")], grpc.StatusCode.UNAUTHENTICATED),
        ):
            with pytest.raises(grpc.RpcError) as e:
                _models(ch).ListModels(models_pb2.ListModelsRequest(), metadata=md, timeout=10)
            assert e.value.code() == code
        listing = _models(ch).ListModels(
            models_pb2.ListModelsRequest(), metadata=AS_OPERATOR, timeout=10
        )
        assert {m.version for m in listing.models if m.role == "embedder"} == {
            W600K.version,
            SFACE.version,
        }
        # An operator key is not a client key.
        with pytest.raises(grpc.RpcError) as e:
            embedding_pb2_grpc.FaceEmbeddingStub(ch).Embed(
                embedding_pb2.EmbedRequest(), metadata=AS_OPERATOR, timeout=10
            )
        assert e.value.code() == grpc.StatusCode.UNAUTHENTICATED
    rest = managed.rest_url + "/api/models"
    assert httpx.get(rest, headers={"x-api-key": KEY}).status_code == 403
    answer = httpx.get(rest, headers={"x-api-key": OPERATOR}, params={"role": "embedder"})
    assert answer.status_code == 200
    assert {m["name"] for m in answer.json()["models"]} == {W600K.name, SFACE.name}


def test_without_an_operator_key_model_management_is_off(photos: Path) -> None:
    with running_server(env={"AURUM_API_KEYS": KEY}) as srv, srv.channel() as ch:
        with pytest.raises(grpc.RpcError) as e:
            _models(ch).ListModels(models_pb2.ListModelsRequest(), metadata=AS_CLIENT, timeout=10)
        assert e.value.code() == grpc.StatusCode.PERMISSION_DENIED
        assert "model management is off" in (e.value.details() or "")
        answer = httpx.get(srv.rest_url + "/api/models", headers={"x-api-key": KEY})
        assert answer.status_code == 403
        assert "model management is off" in answer.json()["message"]
        # Nothing else changed: Embed serves.
        assert _embed(ch, (photos / "yaoming.jpg").read_bytes()).model.name == W600K.name


def test_a_failed_load_leaves_the_old_version_serving(photos: Path, tmp_path: Path) -> None:
    # A models folder like the real one whose SFace file is a truncated copy.
    models = tmp_path / "models"
    models.mkdir()
    for f in (ROOT / "models").iterdir():
        (models / f.name).symlink_to(f)
    (models / SFACE.file).unlink()
    whole = (ROOT / "models" / SFACE.file).read_bytes()
    (models / SFACE.file).write_bytes(whole[: len(whole) // 2])
    env = {"AURUM_OPERATOR_KEYS": OPERATOR, "AURUM_MODELS_DIR": str(models)}
    with running_server(env=env) as srv, srv.channel() as ch:
        with pytest.raises(grpc.RpcError) as e:
            _models(ch).LoadModel(
                models_pb2.LoadModelRequest(
                    role="embedder", version=SFACE.version, make_default=True
                ),
                metadata=AS_OPERATOR,
                timeout=60,
            )
        assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert "SHA-256 does not match" in (e.value.details() or "")
        failed = _listed(ch, SFACE.version)
        assert failed.state == "failed" and "SHA-256 does not match" in failed.error
        assert _listed(ch, W600K.version).is_default
        req = embedding_pb2.EmbedRequest(
            image=common_pb2.Image(data=(photos / "gdp.jpg").read_bytes())
        )
        assert (
            embedding_pb2_grpc.FaceEmbeddingStub(ch).Embed(req, timeout=30).model.name == W600K.name
        )
        health = httpx.get(srv.rest_url + "/api/health")
        assert health.status_code == 200, "the serving versions decide"
        assert "SHA-256" in health.json()["services"]["models"]["reason"]
        status = httpx.get(srv.rest_url + "/api/status").json()
        reported = [m for m in status["models"] if m["version"] == SFACE.version]
        assert reported and not reported[0]["loaded"] and "SHA-256" in reported[0]["error"]
