"""Five-point face alignment onto the ArcFace 112x112 template.

The embedder was trained on crops made exactly this way (a similarity transform,
no shear), so any other crop geometry costs recognition accuracy.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from aurum_ml.errors import InvalidImage, InvalidInput
from aurum_ml.types import BGRImage, Landmarks

#: Where ArcFace expects left eye, right eye, nose tip and the mouth corners in a
#: 112x112 crop (InsightFace ``arcface_dst``).
ARCFACE_TEMPLATE: npt.NDArray[np.float32] = np.array(
    [
        [38.2946, 51.6963],
        [73.5318, 51.5014],
        [56.0252, 71.7366],
        [41.5493, 92.3655],
        [70.7299, 92.2041],
    ],
    dtype=np.float32,
)
ARCFACE_TEMPLATE.setflags(write=False)

_TEMPLATE_SIZE = 112


def _as_points(points: Landmarks | npt.ArrayLike, what: str) -> npt.NDArray[np.float64]:
    arr = points.as_array() if isinstance(points, Landmarks) else points
    a = np.asarray(arr, dtype=np.float64)
    if a.shape != (5, 2):
        raise InvalidInput(f"{what} must be five (x, y) points, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise InvalidInput(f"{what} contain NaN or infinite coordinates")
    return a


def estimate_similarity(src: npt.ArrayLike, dst: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """The least-squares similarity transform (rotation, uniform scale, translation)
    taking ``src`` onto ``dst``, as a 2x3 matrix for ``cv2.warpAffine``.

    Umeyama's closed form, as scikit-image's ``SimilarityTransform.estimate``, so
    crops match the ones the reference pipeline produces.
    """
    s = _as_points(src, "source landmarks")
    d = _as_points(dst, "destination landmarks")

    src_mean = s.mean(axis=0)
    dst_mean = d.mean(axis=0)
    src_c = s - src_mean
    dst_c = d - dst_mean
    src_var = float((src_c**2).sum(axis=1).mean())
    # All points on top of each other: no scale or rotation can be recovered,
    # and dividing by the variance would fill the matrix with inf/NaN.
    if src_var < 1e-12:
        raise InvalidInput("landmarks are degenerate: all five points coincide")

    cov = dst_c.T @ src_c / s.shape[0]
    u, sv, vt = np.linalg.svd(cov)
    rank = int(np.linalg.matrix_rank(cov))
    if rank == 0:
        raise InvalidInput("landmarks are degenerate: cannot estimate an alignment")

    # Reflections are not similarities: flip the weakest axis when the best
    # orthogonal fit would mirror the face.
    sign = np.ones(2)
    if rank == 1:
        if np.linalg.det(u) * np.linalg.det(vt) < 0:
            sign[-1] = -1.0
    elif np.linalg.det(cov) < 0:
        sign[-1] = -1.0
    rot = u @ np.diag(sign) @ vt

    scale = float(sv @ sign) / src_var
    trans = dst_mean - scale * (rot @ src_mean)

    m = np.empty((2, 3), dtype=np.float64)
    m[:, :2] = scale * rot
    m[:, 2] = trans
    if not np.all(np.isfinite(m)) or scale <= 0.0:
        raise InvalidInput("landmarks are degenerate: cannot estimate an alignment")
    return m


def align_face(image: BGRImage, landmarks: Landmarks | npt.ArrayLike, size: int = 112) -> BGRImage:
    """Warp ``image`` so the five landmarks land on the ArcFace template.

    ``size`` scales the template uniformly; the embedder itself wants 112.
    Pixels from outside the image come out black, as in training.
    """
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise InvalidImage(
            f"expected an HxWx3 uint8 BGR image, got shape {image.shape} dtype {image.dtype}"
        )
    if size < 1:
        raise InvalidInput(f"aligned crop size must be positive, got {size}")
    dst = ARCFACE_TEMPLATE.astype(np.float64) * (size / _TEMPLATE_SIZE)
    m = estimate_similarity(_as_points(landmarks, "landmarks"), dst)
    out = cv2.warpAffine(image, m, (size, size), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0))
    return np.asarray(out, dtype=np.uint8)
