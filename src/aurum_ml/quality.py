"""Face quality in [0, 1] from four measurable parts.

Every part is computed on the aligned 112x112 crop (so scores do not depend on
the photo's resolution) except face size, which is about the original photo.
The README ("Quality and confidence") states the same formulas.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import numpy.typing as npt

from aurum_ml.types import BGRImage, BoundingBox, Landmarks, QualityReport

#: Laplacian variance at which sharpness scores 0.5. Measured on the bundled
#: photos' aligned crops: yaoming.jpg's face ~245, the players.jpg faces ~100;
#: a 9x9 Gaussian blur drops them to ~20.
SHARPNESS_HALF = 100.0
#: Depth of the nose tip in front of the eyes, in inter-ocular distances
#: (average adult head proportions).
NOSE_DEPTH = 0.55
#: Face height in pixels from which size no longer limits recognition (the
#: embedder's input is 112 px high; smaller faces are upsampled).
FULL_SIZE_PX = 112.0


def sharpness(crop: BGRImage) -> float:
    gray = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    var = float(cv2.Laplacian(gray, cv2.CV_64F).var())
    return var / (var + SHARPNESS_HALF)


def brightness(crop: BGRImage) -> float:
    # Penalise both under- and over-exposure; mid-grey mean luminance is ideal.
    gray = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    mean = float(gray.mean())
    return max(0.0, 1.0 - ((mean - 127.5) / 127.5) ** 2)


def face_size(bbox: BoundingBox) -> float:
    return min(1.0, max(0.0, min(bbox.width, bbox.height)) / FULL_SIZE_PX)


def levelled(landmarks: Landmarks) -> tuple[npt.NDArray[np.float64], float, float]:
    """The five points rotated so the eye line is level, the roll angle that
    undid (radians), and the inter-ocular distance."""
    pts = landmarks.as_array().astype(np.float64)
    eye_vec = pts[1] - pts[0]
    iod = float(np.hypot(*eye_vec))
    roll = math.atan2(float(eye_vec[1]), float(eye_vec[0]))
    c, s = math.cos(-roll), math.sin(-roll)
    return pts @ np.array([[c, -s], [s, c]]).T, roll, iod


def frontality(landmarks: Landmarks) -> float:
    """cos(yaw): 1 for a frontal face, falling towards 0 in profile.

    After rotating the eye line level, yaw shows as the nose tip's horizontal
    offset from the midpoint of the eyes. With the nose tip about
    ``NOSE_DEPTH`` inter-ocular distances in front of the eyes,
    tan(yaw) ~= offset / (NOSE_DEPTH * iod).
    """
    pts, _, iod = levelled(landmarks)
    if iod < 1e-6:
        return 0.0
    offset = abs(float(pts[2, 0] - (pts[0, 0] + pts[1, 0]) / 2.0))
    return math.cos(math.atan(offset / (NOSE_DEPTH * iod)))


def assess(crop: BGRImage, bbox: BoundingBox, landmarks: Landmarks) -> QualityReport:
    parts = (sharpness(crop), brightness(crop), face_size(bbox), frontality(landmarks))
    # Geometric mean: one failing part (a black or a profile face) pulls the
    # overall score down, which an arithmetic mean would hide.
    overall = math.prod(parts) ** (1.0 / len(parts))
    return QualityReport(
        overall=overall,
        sharpness=parts[0],
        brightness=parts[1],
        face_size=parts[2],
        frontality=parts[3],
    )
