"""Each face is aligned once per call: the one 112x112 crop serves both the
embedder and the quality report (core/pipeline.py, embed_faces).

Counted on a real in-process core (build_core, the real models, an in-memory
store) by wrapping the pipeline's align_face."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from aurum_ml.bootstrap import build_core
from aurum_ml.core import Core, FaceInput, ImageInput
from aurum_ml.core import pipeline as pipeline_module
from aurum_ml.manifest import Manifest
from aurum_ml.settings import Settings

GALLERY = "align-once"


@pytest.fixture
def core(manifest: Manifest) -> Iterator[Core]:
    settings = Settings(models_dir=manifest.directory, qdrant_location=":memory:")
    core = build_core(settings, roles=["detector", "embedder"])
    try:
        yield core
    finally:
        core.close()


@pytest.fixture
def alignments(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per align_face call the pipeline makes."""
    calls: list[int] = []
    real = pipeline_module.align_face

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline_module, "align_face", counting)
    return calls


def _image(manifest: Manifest, name: str) -> ImageInput:
    return ImageInput(data=manifest.photo_path(name).read_bytes())


def test_each_face_is_aligned_once(core: Core, alignments: list[int], manifest: Manifest):
    yao = FaceInput(image=_image(manifest, "yaoming.jpg"))
    players = FaceInput(image=_image(manifest, "players.jpg"))

    async def counted(call):
        before = len(alignments)
        result = await call
        return result, len(alignments) - before

    async def scenario() -> None:
        embedded, n = await counted(core.embed(_image(manifest, "yaoming.jpg")))
        assert n == 1, "Embed"

        enrolled, n = await counted(core.enroll(GALLERY, "yao", yao))
        assert len(enrolled.face_ids) == 1
        assert n == 1, "Enroll"

        team, n = await counted(core.enroll(GALLERY, "team", players, all_faces=True))
        assert len(team.face_ids) > 1, "players.jpg should hold several faces"
        assert n == len(team.face_ids), "Enroll all_faces"

        found, n = await counted(core.identify(GALLERY, yao))
        assert found.matches and found.matches[0].subject_id == "yao"
        assert n == 1, "Identify"

        verified, n = await counted(core.verify(GALLERY, "yao", yao))
        assert verified.is_match
        assert n == 1, "Verify"

        by_vector = FaceInput(embedding=embedded.embedding)
        found, n = await counted(core.identify(GALLERY, by_vector))
        assert found.matches[0].subject_id == "yao"
        assert n == 0, "Identify by embedding"

    asyncio.run(scenario())
