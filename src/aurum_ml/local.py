"""The CLI's one-off commands: the same core as the server, in-process.

Each command loads only the models it runs (``roles_for``), and every answer
that picks a face says which: its number in ``detect``'s list (highest
confidence first) and its box.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import cv2

from aurum_ml.bootstrap import build_core
from aurum_ml.core import Core, DetectorName, FaceIdentity, FaceInput, ImageInput
from aurum_ml.core.pipeline import DETECTOR_ROLES, EMBEDDER_ROLE, LANDMARKS_106_ROLE
from aurum_ml.errors import AurumError, ServiceUnavailable
from aurum_ml.images import decode_image
from aurum_ml.settings import Settings
from aurum_ml.types import (
    BGRImage,
    Face,
    FloatArray,
    ModelInfo,
    QualityReport,
    SimilarityResult,
)

#: An image file as the commands take it: where it came from, and its bytes.
ImageFile = tuple[Path, bytes]


def roles_for(
    command: str, detector: DetectorName, *, landmarks_106: bool = False, aligned: bool = False
) -> list[str]:
    """The models a command runs: ``detect`` its detector (and the 106-point
    model on request), ``embed`` and ``compare`` the detector and the embedder
    (``embed --aligned`` the embedder alone)."""
    roles = [] if command == "embed" and aligned else list(DETECTOR_ROLES[detector])
    if command == "detect":
        if landmarks_106:
            roles.append(LANDMARKS_106_ROLE)
    else:
        roles.append(EMBEDDER_ROLE)
    return roles


def open_core(settings: Settings, roles: list[str], *, store: bool = False) -> Core:
    """The core with only ``roles`` loaded (those its model set has: asking the
    core for one it has not answers why), and no face store unless asked."""
    core = build_core(settings, roles=roles, store=store)
    present = [r for r in roles if r in core.registry.model_set.models]
    if not core.registry.ready(*present):
        problems = core.registry.why_not(*present)
        core.close()
        raise ServiceUnavailable(f"models failed to load ({problems}); run `make models`")
    return core


@contextmanager
def _naming(path: Path) -> Iterator[None]:
    """Errors about an image ("no face found", too large, undecodable) name its file."""
    try:
        yield
    except AurumError as e:
        raise type(e)(f"{path}: {e.message}") from None


# -- faces as text and JSON ----------------------------------------------------------------


def _box(f: Face) -> str:
    b = f.bbox
    return f"x={b.x:.0f} y={b.y:.0f} w={b.width:.0f} h={b.height:.0f}"


def _face_dict(f: Face) -> dict[str, object]:
    lm = f.landmarks
    return {
        "bbox": {"x": f.bbox.x, "y": f.bbox.y, "width": f.bbox.width, "height": f.bbox.height},
        "confidence": f.confidence,
        "landmarks": {
            k: [getattr(lm, k).x, getattr(lm, k).y]
            for k in ("left_eye", "right_eye", "nose", "left_mouth", "right_mouth")
        },
        **({"landmarks_106": [[p.x, p.y] for p in f.landmarks_106]} if f.landmarks_106 else {}),
    }


# -- detect ----------------------------------------------------------------------------------


def draw_faces(image: BGRImage, faces: list[Face]) -> BGRImage:
    """``image`` with each face's box, landmarks and its number in the list."""
    out = image.copy()
    h, w = out.shape[:2]
    scale = max(0.4, min(h, w) / 1200)  # legible on a phone photo and a thumbnail alike
    thick = max(1, round(2 * scale))
    for i, f in enumerate(faces):
        b = f.bbox
        x0, y0 = round(b.x), round(b.y)
        cv2.rectangle(
            out, (x0, y0), (round(b.x + b.width), round(b.y + b.height)), (0, 255, 0), thick
        )
        for p in f.landmarks.as_array():
            cv2.circle(
                out, (round(float(p[0])), round(float(p[1]))), max(2, thick), (0, 0, 255), -1
            )
        for q in f.landmarks_106:
            cv2.circle(out, (round(q.x), round(q.y)), 1, (255, 255, 0), -1)
        label = f"#{i}"
        font = cv2.FONT_HERSHEY_SIMPLEX
        (tw, th), base = cv2.getTextSize(label, font, scale, thick)
        # A tag on the box's top edge, or inside the box where there is no room
        # above it; always within the image.
        tag_w, tag_h = tw + 2 * thick, th + base + 2 * thick
        top = y0 - tag_h if y0 >= tag_h else min(max(0, y0), max(0, h - tag_h))
        left = min(max(0, x0), max(0, w - tag_w))
        cv2.rectangle(out, (left, top), (left + tag_w, top + tag_h), (0, 255, 0), -1)
        cv2.putText(
            out, label, (left + thick, top + th + thick), font, scale, (0, 0, 0), thick, cv2.LINE_AA
        )
    return out


async def detect(core: Core, path: Path, data: bytes, args: argparse.Namespace) -> int:
    with _naming(path):
        det = await core.detect(
            ImageInput(data=data),
            args.min_confidence,
            0,
            args.detector,
            landmarks_106=args.landmarks_106,
        )
    if args.json:
        print(
            json.dumps(
                {
                    "faces": [{"index": i, **_face_dict(f)} for i, f in enumerate(det.faces)],
                    "image_width": det.image_width,
                    "image_height": det.image_height,
                    "model": det.model.name,
                }
            )
        )
    else:
        print(
            f"{path}: {det.image_width}x{det.image_height}, {len(det.faces)} face(s) "
            f"[{det.model.name}]"
        )
        for i, f in enumerate(det.faces):
            b = f.bbox
            print(
                f"  #{i:<2} x={b.x:7.1f} y={b.y:7.1f} w={b.width:6.1f} h={b.height:6.1f}"
                f"  confidence={f.confidence:.3f}"
            )
    if args.draw is not None:
        with _naming(path):
            image = decode_image(data).image
        if not cv2.imwrite(str(args.draw), draw_faces(image, det.faces)):
            raise SystemExit(f"aurum-ml: cannot write {args.draw} (use a .png or .jpg name)")
        if not args.json:
            print(f"drawn to {args.draw} (boxes numbered as above)")
    return 0


# -- embed and compare -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EmbeddedFace:
    """One face of an image, embedded: which face (its number in detect's
    list), where, and its embedding."""

    path: Path
    index: int
    face: Face | None  # None for an aligned crop given as the image
    vector: FloatArray
    quality: QualityReport
    model: ModelInfo

    def describe(self) -> str:
        if self.face is None:
            return f"{self.path} (an aligned face crop)"
        return f"{self.path} face #{self.index} ({_box(self.face)})"

    def as_json(self) -> dict[str, object]:
        return {
            "image": str(self.path),
            "index": self.index,
            "face": _face_dict(self.face) if self.face is not None else None,
        }


async def _embed(
    core: Core,
    image: ImageFile,
    detector: DetectorName | None,
    *,
    aligned: bool = False,
    all_faces: bool = False,
) -> list[EmbeddedFace]:
    """The most prominent face of ``image`` (the one Embed takes), or all its
    faces, each with its number in detect's list."""
    path, data = image
    with _naming(path):
        out = await core.embed_faces(
            ImageInput(data=data), aligned=aligned, all_faces=all_faces, detector=detector
        )
    return [
        EmbeddedFace(path, i, f, out.vectors[k], out.quality[k], out.model)
        for k, (i, f) in enumerate(zip(out.indices, out.faces, strict=True))
    ]


async def embed(core: Core, path: Path, data: bytes, args: argparse.Namespace) -> int:
    (face,) = await _embed(core, (path, data), args.detector, aligned=args.aligned)
    q = face.quality
    confidence = face.face.confidence if face.face is not None else 1.0
    if args.json:
        print(
            json.dumps(
                {
                    "embedding": face.vector.tolist(),
                    "quality": q.overall,
                    "confidence": confidence,
                    "face_index": face.index if face.face is not None else None,
                    "face": _face_dict(face.face) if face.face else None,
                }
            )
        )
        return 0
    print(f"model {face.model.name} ({face.model.version}), {face.vector.size} dimensions")
    if face.face is not None:
        print(f"{face.describe()}: the most prominent face (`aurum-ml detect` lists them all)")
    print(
        f"confidence {confidence:.3f}  quality {q.overall:.3f} (sharpness "
        f"{q.sharpness:.2f}, brightness {q.brightness:.2f}, size {q.face_size:.2f}, "
        f"frontality {q.frontality:.2f})"
    )
    print(" ".join(f"{v:.4f}" for v in face.vector))
    return 0


def _best_pair(
    core: Core, faces_a: list[EmbeddedFace], faces_b: list[EmbeddedFace]
) -> tuple[EmbeddedFace, EmbeddedFace, SimilarityResult]:
    """The pair (one face of each image) with the highest similarity."""
    import numpy as np

    candidates = np.stack([f.vector for f in faces_b])
    best: tuple[float, int, int] | None = None
    for i, fa in enumerate(faces_a):
        scores = core.compare_many(fa.vector, candidates).scores
        j = int(np.argmax(scores))
        if best is None or float(scores[j]) > best[0]:
            best = (float(scores[j]), i, j)
    assert best is not None
    a, b = faces_a[best[1]], faces_b[best[2]]
    return a, b, core.compare(a.vector, b.vector)


async def compare(core: Core, a: ImageFile, b: ImageFile, args: argparse.Namespace) -> int:
    all_faces = bool(args.best_pair)
    faces_a = await _embed(core, a, args.detector, all_faces=all_faces)
    faces_b = await _embed(core, b, args.detector, all_faces=all_faces)
    if all_faces:
        fa, fb, r = _best_pair(core, faces_a, faces_b)
    else:
        (fa,), (fb,) = faces_a, faces_b
        r = core.compare(fa.vector, fb.vector)
    if args.json:
        print(
            json.dumps(
                {
                    "similarity": r.score,
                    "is_match": r.is_match,
                    "threshold": r.threshold,
                    "metric": r.metric,
                    "pairs_compared": len(faces_a) * len(faces_b),
                    "face_a": fa.as_json(),
                    "face_b": fb.as_json(),
                }
            )
        )
        return 0
    if all_faces:
        print(
            f"best of {len(faces_a)} x {len(faces_b)} face pairs: "
            f"{fa.describe()} and {fb.describe()}"
        )
    else:
        print(f"compared the most prominent faces: {fa.describe()} and {fb.describe()}")
    verdict = "same person" if r.is_match else "different people"
    print(f"cosine similarity {r.score:.4f} (threshold {r.threshold:g}): {verdict}")
    if not all_faces and not r.is_match:
        print("(--best-pair compares every face of one image with every face of the other)")
    return 0


async def identify(core: Core, path: Path, data: bytes, args: argparse.Namespace) -> int:
    """Who is in the photo: each face (or the most prominent one) against a gallery
    of the embedded store, each answer at its face's box."""
    with _naming(path):
        r = await core.identify(
            args.gallery,
            FaceInput(image=ImageInput(data=data), detector=args.detector),
            args.top_k,
            all_faces=not args.prominent,
        )
    answers = r.faces
    if not answers and r.face is not None and r.quality is not None:
        answers = [FaceIdentity(r.face, r.quality, r.matches)]
    if args.json:
        print(
            json.dumps(
                {
                    "gallery": args.gallery,
                    "threshold": r.threshold,
                    "model": {"name": r.model.name, "version": r.model.version},
                    "faces": [
                        {
                            "face": _face_dict(a.face),
                            "matches": [
                                {
                                    "subject_id": m.subject_id,
                                    "score": m.score,
                                    "is_match": m.is_match,
                                    "face_id": m.face_id,
                                }
                                for m in a.matches
                            ],
                        }
                        for a in answers
                    ],
                }
            )
        )
        return 0
    for i, a in enumerate(answers):
        best = a.matches[0] if a.matches else None
        who = (
            f"{best.subject_id} ({best.score:.4f}{', match' if best.is_match else ', no match'})"
            if best is not None
            else "(gallery empty)"
        )
        label = f"face #{i}" if r.faces else "most prominent face"
        print(f"{path} {label} ({_box(a.face)}): {who}")
    return 0
