"""Property-based fuzzing of the image decoder and of both transports.

* The decoder (in-process): arbitrary bytes, and real JPEG, PNG and WebP files
  (progressive, 16-bit, animated...) with random bytes set, flipped, deleted,
  inserted, cut or overwritten with boundary integers. Only AurumError
  subclasses may come out, and the process must neither crash nor balloon.
* gRPC (against the shared server): every unary RPC of the four services with
  random field values (NaN and infinite floats, int32 extremes, enum values
  the protos do not define, missing oneofs) and random or mutated images. The
  only failures allowed are INVALID_ARGUMENT, NOT_FOUND and (a detector the
  server's model set lacks) FAILED_PRECONDITION, never UNKNOWN or INTERNAL.
* REST: random JSON (and non-JSON) bodies on every POST path: no 5xx, and
  every failure in the one {"success": false, "message"} shape.
* schemathesis's NEGATIVE mode (test_schemathesis.py only runs POSITIVE).

Each transport test ends by checking the server still answers a normal call.
Runs are derandomized so CI is repeatable; set AURUM_FUZZ_EXAMPLES=N to run N
random examples per test instead (e.g. 2000 for a long local session).
"""

from __future__ import annotations

import base64
import json
import os
import resource
import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import cv2
import grpc
import httpx
import hypothesis
import numpy as np
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import content_type_conformance, not_a_server_error

from aurum.ml.v1 import (
    common_pb2,
    detection_pb2,
    detection_pb2_grpc,
    embedding_pb2,
    embedding_pb2_grpc,
    processing_pb2,
    processing_pb2_grpc,
    similarity_pb2,
    similarity_pb2_grpc,
)
from aurum_ml.errors import AurumError
from aurum_ml.images import ImageLimits, decode_image

PHOTOS = Path(__file__).resolve().parents[2] / "models" / "photos"
_LONG_RUN = os.environ.get("AURUM_FUZZ_EXAMPLES")


def fuzz_settings(examples: int) -> hypothesis.settings:
    return hypothesis.settings(
        max_examples=int(_LONG_RUN) if _LONG_RUN else examples,
        derandomize=not _LONG_RUN,
        database=None,
        deadline=None,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.function_scoped_fixture,
        ],
    )


# --- seed images -----------------------------------------------------------------------


def _encode(ext: str, image: np.ndarray, params: list[int] | None = None) -> bytes:
    ok, buf = cv2.imencode(ext, image, params or [])
    assert ok
    return buf.tobytes()


def _animation(ext: str, frames: list[np.ndarray]) -> bytes:
    animation = cv2.Animation()
    animation.frames = frames
    animation.durations = [100] * len(frames)
    ok, buf = cv2.imencodeanimation(ext, animation)
    assert ok
    return buf.tobytes()


def _seeds() -> dict[str, bytes]:
    yao = (PHOTOS / "yaoming.jpg").read_bytes()
    upright = cv2.imdecode(np.frombuffer(yao, np.uint8), cv2.IMREAD_COLOR)
    small = cv2.resize(upright, (58, 72), interpolation=cv2.INTER_AREA)
    gray = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    return {
        "jpeg": yao,  # a real camera JPEG (233x287) with its own markers
        "jpeg-progressive": _encode(".jpg", small, [cv2.IMWRITE_JPEG_PROGRESSIVE, 1]),
        "jpeg-gray": _encode(".jpg", gray),
        "png": _encode(".png", small),
        "png-16-bit-rgba": _encode(".png", np.dstack([small, gray]).astype(np.uint16) * 257),
        "png-gray": _encode(".png", gray),
        "png-animated": _animation(".png", [small, cv2.flip(small, 1)]),
        "webp-lossy": _encode(".webp", small, [cv2.IMWRITE_WEBP_QUALITY, 80]),
        "webp-lossless": _encode(".webp", small, [cv2.IMWRITE_WEBP_QUALITY, 101]),
        "webp-animated": _animation(".webp", [small, cv2.flip(small, 1)]),
    }


SEEDS = _seeds()
#: Integers a length, size or offset field must survive.
BOUNDARIES = [
    b"\x00\x00\x00\x00",
    b"\xff\xff\xff\xff",
    b"\x7f\xff\xff\xff",
    b"\x80\x00\x00\x00",
    b"\x00\x00\x00\x01",
    b"\x00\x01\x00\x00",
    b"\xff\xd9",  # JPEG end of image
    b"\xff\xda",  # JPEG start of scan
    b"IEND",
]


@st.composite
def mutated_images(draw: st.DrawFn) -> bytes:
    data = bytearray(SEEDS[draw(st.sampled_from(sorted(SEEDS)), label="seed")])
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            data = bytearray(b"\x00")
        # Headers are where lengths and sizes live: aim there half the time.
        at = draw(st.integers(0, min(len(data), 96) - 1) | st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["set", "flip", "delete", "insert", "cut", "boundary"]))
        if op == "set":
            data[at] = draw(st.integers(0, 255))
        elif op == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=32))
        elif op == "cut":
            del data[at:]
        else:
            value = draw(st.sampled_from(BOUNDARIES))
            data[at : at + len(value)] = value
    return bytes(data)


MAGIC = [
    b"",
    b"\xff\xd8\xff",
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
    b"\x89PNG\r\n\x1a\n",
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    b"RIFF\x00\x10\x00\x00WEBPVP8 ",
    b"RIFF\x00\x10\x00\x00WEBPVP8L",
    b"RIFF\x00\x10\x00\x00WEBPVP8X",
    b"GIF89a",
    b"II*\x00",
    b"<svg",
    b"data:image/png;base64,",
]
arbitrary_images = st.builds(
    lambda magic, rest: magic + rest, st.sampled_from(MAGIC), st.binary(max_size=2048)
)
any_image = st.one_of(
    arbitrary_images,
    mutated_images(),
    st.sampled_from(sorted(SEEDS)).map(SEEDS.__getitem__),
)


# --- the decoder, in-process ----------------------------------------------------------


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


@pytest.fixture
def bounded_memory() -> Iterator[None]:
    """Fail if the test pushed this process's peak RSS up by more than 300 MB
    (a limit-respecting decode of these small seeds needs a few MB)."""
    before = _peak_rss()
    yield
    grown = _peak_rss() - before
    assert grown < 300 * 1024 * 1024, f"peak RSS rose {grown / 2**20:.0f} MB"


def _decode_or_refuse(data: bytes) -> None:
    limits = ImageLimits()
    try:
        decoded = decode_image(data, limits)
    except AurumError as e:
        # Only the core's errors, each with a message for a person; any other
        # exception fails the test as it propagates.
        assert type(e).__module__ == "aurum_ml.errors"
        assert e.grpc_code == "INVALID_ARGUMENT"
        assert e.http_status in (400, 413, 415)
        assert e.message
        return
    image = decoded.image
    assert image.ndim == 3 and image.shape[2] == 3 and image.dtype == np.uint8
    assert (decoded.height, decoded.width) == image.shape[:2]
    assert 1 <= decoded.width <= limits.max_side and 1 <= decoded.height <= limits.max_side
    assert decoded.width * decoded.height <= limits.max_pixels


@fuzz_settings(400)
@given(data=arbitrary_images)
def test_decoder_on_arbitrary_bytes(bounded_memory, data):
    _decode_or_refuse(data)


@fuzz_settings(400)
@given(data=mutated_images())
def test_decoder_on_mutated_real_images(bounded_memory, data):
    _decode_or_refuse(data)


def test_seeds_decode():
    for name, data in SEEDS.items():
        assert decode_image(data).image.size, name


# --- gRPC -------------------------------------------------------------------------------
#
# Each request has one hostile field (drawn first) and sane values in the
# others, so that every field's checks are reached: with all fields random at
# once nearly every call stops at the first check (an unknown detector).

#: FAILED_PRECONDITION: a detector the server's model set does not have
#: (DETECTOR_YUNET on the default set's server).
ALLOWED_CODES = {
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.FAILED_PRECONDITION,
}

int32s = st.integers(-(2**31), 2**31 - 1)
floats32 = st.floats(width=32, allow_nan=True, allow_infinity=True)
#: Enum fields: a few defined values among many the protos do not define.
bad_enums = st.integers(-3, 6) | st.sampled_from([2**31 - 1, -(2**31)])
good_images = st.sampled_from(sorted(SEEDS)).map(lambda k: common_pb2.Image(data=SEEDS[k]))


@st.composite
def bad_images(draw: st.DrawFn) -> common_pb2.Image | None:
    kind = draw(st.sampled_from(["data", "data", "data", "url", "none"]))
    if kind == "data":
        return common_pb2.Image(data=draw(any_image))
    if kind == "url":
        return common_pb2.Image(url=draw(st.text(max_size=64)))
    return None


def field(draw: st.DrawFn, hostile: str, name: str, good: Any, bad: Any) -> Any:
    return draw(bad if hostile == name else good, label=name)


def _with_image(message: Any, image: common_pb2.Image | None) -> Any:
    if image is not None:
        message.image.CopyFrom(image)
    return message


@st.composite
def detect_requests(draw: st.DrawFn) -> detection_pb2.DetectRequest:
    hostile = draw(st.sampled_from(["image", "image", "min_confidence", "max_faces", "detector"]))
    request = detection_pb2.DetectRequest(
        min_confidence=field(draw, hostile, "min_confidence", st.floats(0, 1, width=32), floats32),
        max_faces=field(draw, hostile, "max_faces", st.integers(0, 200), int32s),
        detector=field(draw, hostile, "detector", st.integers(0, 2), bad_enums),
    )
    return _with_image(request, field(draw, hostile, "image", good_images, bad_images()))


@st.composite
def embed_requests(draw: st.DrawFn) -> embedding_pb2.EmbedRequest:
    hostile = draw(st.sampled_from(["image", "image", "detector"]))
    request = embedding_pb2.EmbedRequest(
        aligned=draw(st.booleans()),
        detector=field(draw, hostile, "detector", st.integers(0, 2), bad_enums),
    )
    return _with_image(request, field(draw, hostile, "image", good_images, bad_images()))


@st.composite
def points(draw: st.DrawFn, coordinate: st.SearchStrategy[float]) -> common_pb2.Point:
    return common_pb2.Point(x=draw(coordinate), y=draw(coordinate))


def landmarks(coordinate: st.SearchStrategy[float]) -> st.SearchStrategy[common_pb2.Landmarks]:
    return st.builds(
        common_pb2.Landmarks,
        left_eye=points(coordinate),
        right_eye=points(coordinate),
        nose=points(coordinate),
        left_mouth=points(coordinate),
        right_mouth=points(coordinate),
    )


@st.composite
def operations(draw: st.DrawFn, hostile: bool) -> processing_pb2.Operation:
    kind = draw(st.sampled_from(["resize", "normalize", "align", "quality", "convert", "empty"]))
    # Sizes stay small even when hostile: a valid 5000x5000 resize is a
    # legitimate (slow) request, not a malformed one.
    size = st.integers(-5, 400) | st.sampled_from([10_001, 2**31 - 1, -(2**31)])
    coordinate = st.floats(0, 287, width=32) | (floats32 if hostile else st.nothing())
    if kind == "resize":
        good = st.integers(0, 300)
        resize = processing_pb2.Resize(
            width=draw(size if hostile else good),
            height=draw(size if hostile else good),
            keep_aspect=draw(st.booleans()),
        )
        return processing_pb2.Operation(resize=resize)
    if kind == "normalize":
        mode = draw(bad_enums if hostile else st.integers(0, 2))
        return processing_pb2.Operation(normalize=processing_pb2.Normalize(mode=mode))
    if kind in ("align", "quality"):
        lm = draw(st.none() | landmarks(coordinate))
        if kind == "align":
            align_size = st.integers(-5, 300) | int32s if hostile else st.integers(16, 160)
            align = processing_pb2.Align(size=draw(align_size))
            if lm is not None:
                align.landmarks.CopyFrom(lm)
            return processing_pb2.Operation(align=align)
        quality = processing_pb2.AssessQuality()
        if lm is not None:
            quality.landmarks.CopyFrom(lm)
        return processing_pb2.Operation(quality=quality)
    if kind == "convert" or not hostile:
        fmt = draw(bad_enums if hostile else st.integers(1, 3))
        return processing_pb2.Operation(convert=processing_pb2.Convert(format=fmt))
    return processing_pb2.Operation()


@st.composite
def process_requests(draw: st.DrawFn) -> processing_pb2.ProcessRequest:
    hostile = draw(st.sampled_from(["image", "operations", "output_format", "encode_quality"]))
    request = processing_pb2.ProcessRequest(
        operations=draw(st.lists(operations(hostile == "operations"), max_size=4)),
        output_format=field(draw, hostile, "output_format", st.integers(0, 3), bad_enums),
        encode_quality=field(draw, hostile, "encode_quality", st.integers(0, 100), int32s),
    )
    return _with_image(request, field(draw, hostile, "image", good_images, bad_images()))


good_vectors = st.lists(st.floats(-1, 1, width=32), min_size=4, max_size=4)
bad_vectors = st.lists(st.floats(-2, 2, width=32) | floats32, max_size=6)
good_thresholds = st.none() | st.floats(-1, 2, width=32)
bad_thresholds = floats32


@st.composite
def compare_requests(draw: st.DrawFn) -> similarity_pb2.CompareRequest:
    hostile = draw(st.sampled_from(["a", "b", "metric", "threshold"]))
    request = similarity_pb2.CompareRequest(
        embedding_a=field(draw, hostile, "a", good_vectors, bad_vectors),
        embedding_b=field(draw, hostile, "b", good_vectors, bad_vectors),
        metric=field(draw, hostile, "metric", st.integers(0, 2), bad_enums),
    )
    threshold = field(draw, hostile, "threshold", good_thresholds, bad_thresholds)
    if threshold is not None:
        request.threshold = threshold
    return request


@st.composite
def compare_many_requests(draw: st.DrawFn) -> similarity_pb2.CompareManyRequest:
    hostile = draw(st.sampled_from(["query", "candidates", "metric", "threshold", "top_k"]))
    candidates = field(
        draw,
        hostile,
        "candidates",
        st.lists(good_vectors, min_size=1, max_size=4),
        st.lists(bad_vectors, max_size=4),
    )
    request = similarity_pb2.CompareManyRequest(
        query=field(draw, hostile, "query", good_vectors, bad_vectors),
        candidates=[similarity_pb2.Embedding(values=c) for c in candidates],
        metric=field(draw, hostile, "metric", st.integers(0, 2), bad_enums),
        top_k=field(draw, hostile, "top_k", st.integers(0, 5), int32s),
    )
    threshold = field(draw, hostile, "threshold", good_thresholds, bad_thresholds)
    if threshold is not None:
        request.threshold = threshold
    return request


detect_batches = st.builds(
    lambda items: detection_pb2.DetectBatchRequest(requests=items),
    st.lists(detect_requests(), max_size=3) | st.just([detection_pb2.DetectRequest()] * 33),
)
embed_batches = st.builds(
    lambda items: embedding_pb2.EmbedBatchRequest(requests=items),
    st.lists(embed_requests(), max_size=3),
)


@pytest.fixture(scope="module")
def rpcs(channel: grpc.Channel) -> dict[str, Callable[..., Any]]:
    detection = detection_pb2_grpc.FaceDetectionStub(channel)
    embedding = embedding_pb2_grpc.FaceEmbeddingStub(channel)
    processing = processing_pb2_grpc.ImageProcessingStub(channel)
    similarity = similarity_pb2_grpc.SimilarityStub(channel)
    return {
        "Detect": detection.Detect,
        "DetectBatch": detection.DetectBatch,
        "Embed": embedding.Embed,
        "EmbedBatch": embedding.EmbedBatch,
        "Process": processing.Process,
        "Compare": similarity.Compare,
        "CompareMany": similarity.CompareMany,
    }


def _call(rpc: Callable[..., Any], request: Any) -> None:
    try:
        rpc(request, timeout=60)
    except grpc.RpcError as e:
        assert e.code() in ALLOWED_CODES, f"{e.code()}: {e.details()}"
        assert e.details() and "Traceback" not in e.details()


def _still_serving(rpcs: dict[str, Callable[..., Any]]) -> None:
    photo = (PHOTOS / "yaoming.jpg").read_bytes()
    resp = rpcs["Detect"](detection_pb2.DetectRequest(image=common_pb2.Image(data=photo)))
    assert len(resp.faces) == 1


GRPC_CASES = {
    "Detect": detect_requests(),
    "DetectBatch": detect_batches,
    "Embed": embed_requests(),
    "EmbedBatch": embed_batches,
    "Process": process_requests(),
    "Compare": compare_requests(),
    "CompareMany": compare_many_requests(),
}
GRPC_EXAMPLES = {"DetectBatch": 40, "EmbedBatch": 40, "Compare": 100, "CompareMany": 100}


@pytest.mark.parametrize("method", list(GRPC_CASES))
def test_grpc_never_fails_unexpectedly(rpcs, method):
    rpc = rpcs[method]

    @fuzz_settings(GRPC_EXAMPLES.get(method, 60))
    @given(request=GRPC_CASES[method])
    def run(request: Any) -> None:
        _call(rpc, request)

    run()
    _still_serving(rpcs)


# --- REST -------------------------------------------------------------------------------

POST_PATHS = [
    "/api/detect-face",
    "/api/extract-embedding",
    "/api/process-image",
    "/api/calculate-similarity",
]

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=16)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


REQUIRED = frozenset({"image", "embedding_a", "embedding_b", "query", "candidates"})
good_image_texts = st.sampled_from(sorted(SEEDS)).map(lambda k: _b64(SEEDS[k]))
bad_image_texts = st.one_of(
    any_image.map(_b64),
    any_image.map(lambda d: "data:image/jpeg;base64," + _b64(d)),
    mutated_images().map(lambda d: _b64(d)[:-3] + "!"),
    st.text(max_size=64),
    json_values,
)
landmark_values = st.fixed_dictionaries(
    {
        k: st.tuples(st.floats(0, 287), st.floats(0, 287)).map(list)
        for k in ("left_eye", "right_eye", "nose", "left_mouth", "right_mouth")
    }
)
good_operations = st.one_of(
    st.sampled_from(["align", "normalize", "quality"]),
    st.fixed_dictionaries(
        {"type": st.just("resize"), "width": st.integers(1, 300)},
        optional={"height": st.integers(1, 300), "keep_aspect": st.booleans()},
    ),
    st.fixed_dictionaries(
        {"type": st.just("normalize")}, optional={"mode": st.sampled_from(["minmax", "equalize"])}
    ),
    st.fixed_dictionaries(
        {"type": st.sampled_from(["align", "quality"])},
        optional={"landmarks": landmark_values, "size": st.integers(16, 160)},
    ),
    st.fixed_dictionaries({"type": st.just("convert"), "format": st.sampled_from(["jpeg", "png"])}),
)
bad_operations = st.one_of(
    st.sampled_from(["resize", "blur", "", "ALIGN"]),
    st.fixed_dictionaries(
        {"type": st.sampled_from(["resize", "normalize", "align", "quality", "convert", "x"])},
        optional={
            "width": st.integers(-5, 400) | json_scalars,
            "height": st.integers(-5, 400) | json_scalars,
            "keep_aspect": json_scalars,
            "mode": json_scalars,
            "size": st.integers(-5, 2000) | json_scalars,
            "format": st.sampled_from(["gif", "JPEG"]) | json_scalars,
            "landmarks": json_values | landmark_values,
        },
    ),
    json_values,
)
good_vector_values = st.lists(st.floats(-1, 1), min_size=4, max_size=4)
bad_vector_values = st.lists(st.floats(-2, 2), max_size=6) | json_values


@st.composite
def rest_requests(draw: st.DrawFn) -> tuple[str, bytes]:
    path = draw(st.sampled_from(POST_PATHS), label="path")
    if path == "/api/detect-face":
        fields = {
            "image": (good_image_texts, bad_image_texts),
            "min_confidence": (st.floats(0, 1), json_scalars),
            "max_faces": (st.integers(0, 200), json_scalars),
            "detector": (st.sampled_from(["scrfd", "mtcnn"]), json_scalars),
        }
    elif path == "/api/extract-embedding":
        fields = {
            "image": (good_image_texts, bad_image_texts),
            "aligned": (st.booleans(), json_scalars),
            "detector": (st.sampled_from(["scrfd", "mtcnn"]), json_scalars),
        }
    elif path == "/api/process-image":
        fields = {
            "image": (good_image_texts, bad_image_texts),
            "operations": (
                st.lists(good_operations, max_size=3),
                st.lists(good_operations | bad_operations, min_size=1, max_size=3) | json_values,
            ),
            "output_format": (st.sampled_from(["jpeg", "png", "webp"]), json_scalars),
            "encode_quality": (st.integers(0, 100), json_scalars),
        }
    elif draw(st.booleans(), label="pair"):
        fields = {
            "embedding_a": (good_vector_values, bad_vector_values),
            "embedding_b": (good_vector_values, bad_vector_values),
            "metric": (st.sampled_from(["cosine", "euclidean"]), json_scalars),
            "threshold": (st.floats(-1, 2), json_scalars),
        }
    else:
        fields = {
            "query": (good_vector_values, bad_vector_values),
            "candidates": (
                st.lists(good_vector_values, min_size=1, max_size=3),
                st.lists(bad_vector_values, max_size=3) | json_values,
            ),
            "top_k": (st.integers(0, 5), json_scalars),
            "metric": (st.sampled_from(["cosine", "euclidean"]), json_scalars),
            "threshold": (st.floats(-1, 2), json_scalars),
        }
    shape = draw(st.sampled_from(["one-bad-field", "one-bad-field", "any-json", "raw"]))
    if shape == "raw":
        return path, draw(st.binary(max_size=256))
    if shape == "any-json":
        return path, json.dumps(draw(json_values)).encode()
    hostile = draw(st.sampled_from([*fields, "missing"]), label="hostile")
    body = {}
    for name, (good, bad) in fields.items():
        if name == hostile:
            body[name] = draw(bad, label=name)
        # Required fields are always sent; optional ones sometimes left out.
        elif name in REQUIRED or draw(st.booleans()):
            body[name] = draw(good, label=name)
    if hostile == "missing":
        body.pop(draw(st.sampled_from(sorted(body))), None)
    # Python's json writes NaN and Infinity, which JSON does not allow: keep some.
    if draw(st.integers(0, 9)) == 0:
        body[draw(st.sampled_from(sorted(fields)))] = draw(
            st.sampled_from([float("nan"), float("inf"), [1.0, float("-inf")]])
        )
    return path, json.dumps(body).encode()


@pytest.fixture(scope="module")
def http(server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.rest_url, timeout=60) as client:
        yield client


def test_rest_never_answers_5xx(http, rpcs):
    @fuzz_settings(120)
    @given(request=rest_requests())
    def run(request: tuple[str, bytes]) -> None:
        path, body = request
        resp = http.post(path, content=body, headers={"content-type": "application/json"})
        assert resp.status_code < 500, resp.text[:300]
        assert resp.headers["content-type"] == "application/json"
        payload = resp.json()
        if resp.status_code == 200:
            assert payload["success"] is True
        else:
            # 409: a detector the server's model set does not have.
            assert resp.status_code in (400, 404, 409, 413, 415), resp.text[:300]
            assert payload["success"] is False and set(payload) == {"success", "message"}
            assert payload["message"] and "Traceback" not in payload["message"]

    run()
    photo = _b64((PHOTOS / "yaoming.jpg").read_bytes())
    assert http.post("/api/detect-face", json={"image": photo}).status_code == 200
    _still_serving(rpcs)


# --- schemathesis, negative mode ------------------------------------------------------


@pytest.fixture(scope="module")
def rest_schema(server):
    return schemathesis.openapi.from_url(f"{server.rest_url}/openapi.json", timeout=30)


@pytest.mark.parametrize("path", POST_PATHS)
def test_schemathesis_negative_data_is_refused_cleanly(rest_schema, http, path):
    operation = rest_schema[path]["POST"]

    @fuzz_settings(20)
    @given(case=operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
    def run(case: Any) -> None:
        response = case.call_and_validate(
            checks=[not_a_server_error, content_type_conformance], timeout=60
        )
        assert 400 <= response.status_code < 500 or response.status_code == 200

    run()
    photo = _b64((PHOTOS / "yaoming.jpg").read_bytes())
    assert http.post("/api/detect-face", json={"image": photo}).status_code == 200


# --- regressions found by fuzzing -----------------------------------------------------


def test_png_chunk_length_bomb_found_by_fuzzing(bounded_memory):
    """The first example: 105 bytes of a mutated PNG whose IDAT claims
    0xD9000C64 bytes; OpenCV allocated (and touched) 3.4 GB for it."""
    png = SEEDS["png"]
    at = png.index(b"IDAT") - 4
    for length in (0xD900_0C64, 0x7FFF_FFFF, 0xFFFF_FFFF, len(png)):
        data = png[:at] + struct.pack(">I", length) + png[at + 4 : at + 72]
        with pytest.raises(AurumError, match="PNG"):
            decode_image(data)


def _with_repeated_last_scan(copies: int) -> bytes:
    """A small progressive JPEG (10 scans) with its last scan repeated."""
    data = SEEDS["jpeg-progressive"]
    eoi = data.rindex(b"\xff\xd9")
    last = data[data.rindex(b"\xff\xda") : eoi]
    return data[:eoi] + last * copies + data[eoi:]


def test_jpeg_scan_limit():
    """Scans cost decode time in proportion to the image, not to their bytes
    (test_hardening.py sends a 5000x5000 flood to the server): at most 100."""
    assert SEEDS["jpeg-progressive"].count(b"\xff\xda") == 10
    assert decode_image(_with_repeated_last_scan(90)).width == 58  # 100 scans
    with pytest.raises(AurumError, match="more than 100 scans"):
        decode_image(_with_repeated_last_scan(91))
