"""The job queue's per-face scores (frontality, symmetry, resolution) and its
deterministic face id.

The app that queues `faceScoring` jobs used to compute these in JavaScript:
frontality from the eyes' height difference, symmetry from the nose's offset
from the box centre, resolution from the face area and the image's base64
length. The meaning is kept; what was naive is fixed (README, "Job queue"):

* **frontality** = cos(roll) x cos(yaw): roll is the eye line's angle (the
  app's eye-height difference, as an angle, so it does not grow with face
  size), yaw as in quality.frontality. 1 for a level, frontal face.
* **symmetry** = 1 - |d| / (iod / 2), clamped to [0, 1]: d is the nose tip's
  horizontal offset from the centre of the four other landmarks (eyes and
  mouth corners) after levelling the eye line, iod the inter-ocular distance.
  The box centre the app used moves with the detector's box, not the face.
* **resolution** = min(1, sqrt(box area) / 112): how many of the embedder's
  112 input pixels a side of the face fills. It depends on the face's pixels
  only, never on how the image was encoded or its base64 length.
"""

from __future__ import annotations

import json
import math
import uuid
from dataclasses import dataclass

from aurum_ml.quality import FULL_SIZE_PX, levelled
from aurum_ml.quality import frontality as yaw_frontality
from aurum_ml.types import Face

#: Fixed for the life of the project: a job retried or sent again for the same
#: image and model must get the same face id.
JOB_FACE_NAMESPACE = uuid.UUID("0f5e2b64-0a83-4f51-9d0c-52a5d3c1b7e9")


@dataclass(frozen=True, slots=True)
class FaceScores:
    frontality: float
    symmetry: float
    resolution: float


def score(face: Face) -> FaceScores:
    pts, roll, iod = levelled(face.landmarks)
    if iod < 1e-6:
        return FaceScores(0.0, 0.0, resolution(face))
    frontal = max(0.0, math.cos(roll)) * yaw_frontality(face.landmarks)
    centre = pts[[0, 1, 3, 4]].mean(axis=0)
    offset = abs(float(pts[2, 0] - centre[0]))
    symmetry = min(1.0, max(0.0, 1.0 - offset / (iod / 2.0)))
    return FaceScores(frontal, symmetry, resolution(face))


def resolution(face: Face) -> float:
    area = max(0.0, face.bbox.width) * max(0.0, face.bbox.height)
    return min(1.0, math.sqrt(area) / FULL_SIZE_PX)


def face_id(image_sha256: str, face_index: int, model_name: str, model_version: str) -> str:
    """Same image, same face, same model: same id, in every replica and retry."""
    key = json.dumps(
        [image_sha256.lower(), int(face_index), model_name, model_version],
        separators=(",", ":"),
    )
    return str(uuid.uuid5(JOB_FACE_NAMESPACE, key))
