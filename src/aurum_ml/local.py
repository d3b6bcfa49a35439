"""The CLI's one-off commands: the same core as the server, in-process."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2

from aurum_ml.bootstrap import build_core
from aurum_ml.core import Core, ImageInput
from aurum_ml.errors import ServiceUnavailable
from aurum_ml.images import decode_image
from aurum_ml.settings import Settings
from aurum_ml.types import Face


def open_core(settings: Settings) -> Core:
    """The core without a face store: the CLI's commands need only models."""
    core = build_core(settings, store=False)
    roles = list(core.registry.manifest.models)
    if not core.registry.ready(*roles):
        problems = core.registry.why_not(*roles)
        core.close()
        raise ServiceUnavailable(f"models failed to load ({problems}); run `make models`")
    return core


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


async def detect(core: Core, path: Path, data: bytes, args: argparse.Namespace) -> int:
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
                    "faces": [_face_dict(f) for f in det.faces],
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
        image = decode_image(data).image.copy()
        for f in det.faces:
            b = f.bbox
            cv2.rectangle(
                image,
                (round(b.x), round(b.y)),
                (round(b.x + b.width), round(b.y + b.height)),
                (0, 255, 0),
                2,
            )
            for p in f.landmarks.as_array():
                cv2.circle(image, (round(float(p[0])), round(float(p[1]))), 2, (0, 0, 255), -1)
            for q in f.landmarks_106:
                cv2.circle(image, (round(q.x), round(q.y)), 1, (255, 255, 0), -1)
        if not cv2.imwrite(str(args.draw), image):
            raise SystemExit(f"aurum-ml: cannot write {args.draw} (use a .png or .jpg name)")
        if not args.json:
            print(f"drawn to {args.draw}")
    return 0


async def embed(core: Core, data: bytes, args: argparse.Namespace) -> int:
    res = await core.embed(ImageInput(data=data), args.aligned, args.detector)
    if args.json:
        print(
            json.dumps(
                {
                    "embedding": res.embedding.tolist(),
                    "quality": res.quality.overall,
                    "confidence": res.confidence,
                    "face": _face_dict(res.face) if res.face else None,
                }
            )
        )
        return 0
    q = res.quality
    print(f"model {res.model.name} ({res.model.version}), {res.embedding.size} dimensions")
    print(
        f"confidence {res.confidence:.3f}  quality {q.overall:.3f} (sharpness "
        f"{q.sharpness:.2f}, brightness {q.brightness:.2f}, size {q.face_size:.2f}, "
        f"frontality {q.frontality:.2f})"
    )
    print(" ".join(f"{v:.4f}" for v in res.embedding))
    return 0


async def compare(core: Core, a: bytes, b: bytes, args: argparse.Namespace) -> int:
    ea = await core.embed(ImageInput(data=a), False, args.detector)
    eb = await core.embed(ImageInput(data=b), False, args.detector)
    r = core.compare(ea.embedding, eb.embedding)
    if args.json:
        print(
            json.dumps(
                {
                    "similarity": r.score,
                    "is_match": r.is_match,
                    "threshold": r.threshold,
                    "metric": r.metric,
                }
            )
        )
    else:
        verdict = "same person" if r.is_match else "different people"
        print(f"cosine similarity {r.score:.4f} (threshold {r.threshold:.2f}): {verdict}")
    return 0
