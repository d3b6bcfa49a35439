"""Which SCRFD input policy finds the faces the 640x640 letterbox finds, and at what cost.

Every photo (the bundled ones, any ``--photos`` folders, each also downscaled to
common sizes, plus seeded random crops and rescales of them) goes through SCRFD
with the square 640 letterbox, the reference. Each policy then runs on the same
image; a reference face is *lost* when no face of the policy overlaps it with
IoU > 0.4, and a policy face is *extra* when no reference face overlaps it.

Policies:
  square      the reference itself (InsightFace's letterbox), for the timing base
  trim-N      the same scaled pixels, padding cut to N pixels (rounded up to 32)
  native      no upscaling: a small photo runs at its own size (rounded up to 32)

Run: ``.venv/bin/python bench/detector_policy.py [--photos DIR ...] [--json PATH]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from aurum_ml.manifest import load_manifest
from aurum_ml.models import ScrfdDetector
from aurum_ml.runtime import SessionOptions, SessionPool
from aurum_ml.types import BGRImage, Face

ROOT = Path(__file__).resolve().parent.parent

BOX = 640
MIN_CONFIDENCE = 0.5
MATCH_IOU = 0.4
SIDES = (1024, 800, 480, 320, 240, 160)
SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}

#: Faces found, seconds in ONNX Runtime, input pixels.
Outcome = tuple[list[Face], float, int]


@dataclass
class Tally:
    faces: int = 0
    lost: list[dict[str, Any]] = field(default_factory=list)
    extra: list[dict[str, Any]] = field(default_factory=list)
    max_conf_drift: float = 0.0
    run_s: list[float] = field(default_factory=list)
    input_px: int = 0


def photos(folders: list[Path]) -> Iterator[tuple[str, BGRImage]]:
    seen: set[str] = set()
    for folder in [ROOT / "models" / "photos", *folders]:
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() not in SUFFIXES:
                continue
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            image = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if image is not None and digest not in seen:
                seen.add(digest)
                yield path.name, np.asarray(image, dtype=np.uint8)


def variants(name: str, image: BGRImage) -> Iterator[tuple[str, BGRImage]]:
    """The photo, and the photo as people also send it: downscaled to common sizes."""
    yield name, image
    h, w = image.shape[:2]
    for side in SIDES:
        if side < max(h, w):
            s = side / max(h, w)
            size = (max(1, round(w * s)), max(1, round(h * s)))
            small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
            yield f"{name}@{side}", np.asarray(small, dtype=np.uint8)


def random_crops(
    name: str, image: BGRImage, n: int, rng: random.Random
) -> Iterator[tuple[str, BGRImage]]:
    h, w = image.shape[:2]
    for i in range(n):
        cw, ch = rng.randint(max(8, w // 4), w), rng.randint(max(8, h // 4), h)
        x, y = rng.randint(0, w - cw), rng.randint(0, h - ch)
        s = rng.choice((0.25, 0.4, 0.5, 0.75, 1.0, 1.0, 1.5))
        size = (max(8, round(cw * s)), max(8, round(ch * s)))
        interp = cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR
        crop = cv2.resize(image[y : y + ch, x : x + cw], size, interpolation=interp)
        yield f"{name}#crop{i}", np.asarray(crop, dtype=np.uint8)


def ceil32(v: int) -> int:
    return -(-v // 32) * 32


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--photos", type=Path, action="append", default=[], help="more photo folders")
    ap.add_argument("--crops", type=int, default=25, help="random crops per photo (default 25)")
    ap.add_argument("--margins", default="0,32,64", help="trim margins to try (default 0,32,64)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", type=Path, help="also write the results as JSON")
    args = ap.parse_args()

    manifest = load_manifest(ROOT / "models" / "manifest.json")
    pool = SessionPool(
        manifest.model_path("detector"),
        SessionOptions(
            pool_size=1, intra_op_threads=0, spin=False, providers=("CPUExecutionProvider",)
        ),
    )
    spec = manifest.models["detector"]
    square = ScrfdDetector(pool, spec, input_size=(BOX, BOX))

    def run(det: ScrfdDetector, image: BGRImage, box: tuple[int, int]) -> Outcome:
        tensor, scale = det.preprocess(image, box)
        t0 = time.perf_counter()
        outs = pool.run({pool.input_names[0]: tensor})
        dt = time.perf_counter() - t0
        faces = det.postprocess(outs, scale, image.shape, MIN_CONFIDENCE, 0, input_size=box)
        return faces, dt, int(tensor.shape[2] * tensor.shape[3])

    policies: dict[str, Callable[[BGRImage], Outcome]] = {
        "square": partial(run, square, box=(BOX, BOX)),
    }
    for m in (int(v) for v in args.margins.split(",")):
        det = ScrfdDetector(pool, spec, input_size=(BOX, BOX), padding="trim", trim_margin=m)
        policies[f"trim-{m}"] = partial(run, det, box=(BOX, BOX))

    def native(img: BGRImage) -> Outcome:
        h, w = img.shape[:2]
        if max(h, w) >= BOX:
            return run(square, img, (BOX, BOX))
        return run(square, img, (ceil32(w), ceil32(h)))

    policies["native"] = native

    rng = random.Random(args.seed)
    groups: dict[str, list[tuple[str, BGRImage]]] = {"photos": [], "random crops": []}
    for name, image in photos(args.photos):
        groups["photos"] += list(variants(name, image))
        groups["random crops"] += list(random_crops(name, image, args.crops, rng))
    for _, img in groups["photos"][:3]:  # warm-up
        square.detect(img)

    out: dict[str, Any] = {"min_confidence": MIN_CONFIDENCE, "box": BOX, "groups": {}}
    for group, cases in groups.items():
        tallies = {k: Tally() for k in policies}
        for label, image in cases:
            ref, _, _ = policies["square"](image)
            for key, policy in policies.items():
                compare(label, ref, policy(image), tallies[key])
        out["groups"][group] = report(group, cases, tallies)
    if args.json:
        args.json.write_text(json.dumps(out, indent=2) + "\n")
    return 0


def _face(label: str, f: Face) -> dict[str, Any]:
    return {"image": label, "height": round(f.bbox.height, 1), "confidence": round(f.confidence, 3)}


def compare(label: str, ref: list[Face], outcome: Outcome, t: Tally) -> None:
    got, dt, px = outcome
    t.faces += len(got)
    t.run_s.append(dt)
    t.input_px += px
    for r in ref:
        match = [g for g in got if r.bbox.iou(g.bbox) > MATCH_IOU]
        if not match:
            t.lost.append(_face(label, r))
            continue
        best = max(match, key=lambda g: r.bbox.iou(g.bbox))
        t.max_conf_drift = max(t.max_conf_drift, abs(best.confidence - r.confidence))
    t.extra += [
        _face(label, g) for g in got if not any(r.bbox.iou(g.bbox) > MATCH_IOU for r in ref)
    ]


def report(
    group: str, cases: list[tuple[str, BGRImage]], tallies: dict[str, Tally]
) -> dict[str, Any]:
    base = tallies["square"]
    base_s = sum(base.run_s)
    print(
        f"\n{group}: {len(cases)} images, {base.faces} faces with the square {BOX} "
        f"letterbox at confidence >= {MIN_CONFIDENCE}"
    )
    print(
        f"{'policy':<10} {'faces':>6} {'lost':>5} {'extra':>6} {'max dconf':>10} "
        f"{'input px':>9} {'SCRFD time':>11}"
    )
    result: dict[str, Any] = {"images": len(cases), "reference_faces": base.faces, "policies": {}}
    for key, t in tallies.items():
        rel_px = t.input_px / base.input_px
        rel_s = sum(t.run_s) / base_s
        print(
            f"{key:<10} {t.faces:>6} {len(t.lost):>5} {len(t.extra):>6} {t.max_conf_drift:>10.4f} "
            f"{rel_px:>8.0%} {rel_s:>10.0%}"
        )
        result["policies"][key] = {
            "faces": t.faces,
            "lost": t.lost,
            "extra": t.extra,
            "max_confidence_drift": round(t.max_conf_drift, 4),
            "input_pixels_vs_square": round(rel_px, 3),
            "scrfd_time_vs_square": round(rel_s, 3),
            "scrfd_median_ms": round(1000 * statistics.median(t.run_s), 2),
        }
    for key, t in tallies.items():
        if t.lost:
            worst = sorted(t.lost, key=lambda d: -d["confidence"])[:3]
            print(f"  {key} lost {len(t.lost)}; the most confident: {worst}")
    return result


if __name__ == "__main__":
    raise SystemExit(main())
