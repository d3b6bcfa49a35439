"""The REST gateway against a real server: the legacy paths, their JSON shapes,
and every kind of failure as {"success": false, "message": ...} with its status."""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
import re
import struct
import zlib
from pathlib import Path

import cv2
import httpx
import numpy as np
import pytest

from aurum_ml.errors import (
    INTERNAL_MESSAGE,
    DeadlineExceeded,
    NoFaceFound,
    Overloaded,
    ServiceUnavailable,
)
from aurum_ml.observability import Metrics
from aurum_ml.rest import build_rest_app
from aurum_ml.settings import Settings
from aurum_ml.testing import running_server

LANDMARKS = ("left_eye", "right_eye", "nose", "left_mouth", "right_mouth")
# A 1x1 GIF: a real image in a format the server refuses.
GIF = base64.b64decode("R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==")


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server.rest_url, timeout=60) as client:
        yield client


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def photo(photos: Path, name: str) -> str:
    return b64((photos / name).read_bytes())


def png(image: np.ndarray) -> bytes:
    ok, enc = cv2.imencode(".png", image)
    assert ok
    return enc.tobytes()


def failure(resp: httpx.Response, status: int) -> str:
    """Assert the one error shape and return its message."""
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"] == "application/json"
    body = resp.json()
    assert body["success"] is False
    assert set(body) == {"success", "message"}
    assert len(body["message"]) > 8
    assert "Traceback" not in body["message"]
    return str(body["message"])


def inside(face: dict) -> bool:
    b = face["bbox"]
    return all(
        b["x"] <= face["landmarks"][k][0] <= b["x"] + b["width"]
        and b["y"] <= face["landmarks"][k][1] <= b["y"] + b["height"]
        for k in LANDMARKS
    )


# -- detect-face -------------------------------------------------------------------


def test_detect_face_players(http, photos):
    resp = http.post("/api/detect-face", json={"image": photo(photos, "players.jpg")})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["success"] is True
    assert (body["image_width"], body["image_height"]) == (1237, 800)
    assert len(body["faces"]) >= 16
    face = body["faces"][0]
    assert set(face) == {"bbox", "landmarks", "confidence"}
    assert set(face["bbox"]) == {"x", "y", "width", "height"}
    assert set(face["landmarks"]) == set(LANDMARKS)
    assert all(len(face["landmarks"][k]) == 2 for k in LANDMARKS)
    assert all(inside(f) for f in body["faces"])
    confs = [f["confidence"] for f in body["faces"]]
    assert confs == sorted(confs, reverse=True)
    assert body["model"]["name"] and body["model"]["execution_provider"]


def test_detect_face_limits_and_detector(http, photos):
    image = photo(photos, "players.jpg")
    resp = http.post(
        "/api/detect-face",
        json={"image": image, "min_confidence": 0.7, "max_faces": 3, "detector": "mtcnn"},
    )
    assert resp.status_code == 200, resp.text
    faces = resp.json()["faces"]
    assert len(faces) == 3
    assert all(f["confidence"] >= 0.7 for f in faces)
    assert "mtcnn" in resp.json()["model"]["name"]


def test_image_encodings_old_clients_send(http, photos):
    raw = (photos / "yaoming.jpg").read_bytes()
    plain = http.post("/api/detect-face", json={"image": b64(raw)}).json()
    assert len(plain["faces"]) == 1
    wrapped = "\n".join(b64(raw)[i : i + 76] for i in range(0, len(b64(raw)), 76))
    variants = [
        "data:image/jpeg;base64," + b64(raw),
        wrapped,  # MIME line breaks
        base64.urlsafe_b64encode(raw).decode().rstrip("="),  # URL-safe, unpadded
    ]
    for image in variants:
        resp = http.post("/api/detect-face", json={"image": image})
        assert resp.status_code == 200, resp.text
        assert resp.json()["faces"] == plain["faces"]


def test_json_without_content_type_is_accepted(http, photos):
    body = json.dumps({"image": photo(photos, "yaoming.jpg")}).encode()
    resp = http.post("/api/detect-face", content=body)
    assert resp.status_code == 200, resp.text


# -- extract-embedding -------------------------------------------------------------


def test_extract_embedding(http, photos):
    resp = http.post("/api/extract-embedding", json={"image": photo(photos, "yaoming.jpg")})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["success"] is True
    vec = np.array(body["embedding"]["embedding"])
    assert vec.shape == (512,)
    assert np.linalg.norm(vec) == pytest.approx(1.0, abs=1e-4)
    assert 0.0 <= body["embedding"]["quality"] <= 1.0
    assert body["embedding"]["quality"] == body["quality_report"]["overall"]
    assert 0.5 <= body["embedding"]["confidence"] <= 1.0
    assert body["face"]["confidence"] == body["embedding"]["confidence"]
    assert set(body["quality_report"]) == {
        "overall",
        "sharpness",
        "brightness",
        "face_size",
        "frontality",
    }
    assert body["model"]["name"]


def test_aligned_crop_embeds_like_the_full_photo(http, photos):
    image = photo(photos, "yaoming.jpg")
    full = http.post("/api/extract-embedding", json={"image": image}).json()
    crop = http.post(
        "/api/process-image",
        json={"image": image, "operations": ["align"], "output_format": "png"},
    ).json()
    assert (crop["width"], crop["height"]) == (112, 112)
    aligned = http.post("/api/extract-embedding", json={"image": crop["image"], "aligned": True})
    assert aligned.status_code == 200, aligned.text
    assert aligned.json()["face"] is None
    assert aligned.json()["embedding"]["confidence"] == 1.0
    sim = http.post(
        "/api/calculate-similarity",
        json={
            "embedding_a": full["embedding"]["embedding"],
            "embedding_b": aligned.json()["embedding"]["embedding"],
        },
    ).json()
    assert sim["similarity"] > 0.95
    assert sim["is_match"] is True


def test_no_face_is_404(http):
    blank = b64(png(np.full((200, 200, 3), 127, np.uint8)))
    message = failure(http.post("/api/extract-embedding", json={"image": blank}), 404)
    assert "no face" in message
    resp = http.post("/api/detect-face", json={"image": blank})
    assert resp.status_code == 200
    assert resp.json()["faces"] == []


# -- process-image -----------------------------------------------------------------


def test_process_image_operations(http, photos):
    resp = http.post(
        "/api/process-image",
        json={
            "image": photo(photos, "yaoming.jpg"),
            "operations": [
                "quality",
                {"type": "resize", "width": 100, "height": 50, "keep_aspect": True},
                {"type": "normalize", "mode": "equalize"},
                "normalize",
                {"type": "convert", "format": "webp"},
            ],
            "encode_quality": 80,
        },
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["applied"] == ["quality", "resize", "normalize", "normalize", "convert"]
    assert body["format"] == "webp"
    assert body["height"] == 50
    assert 0.0 <= body["quality"]["overall"] <= 1.0
    assert len(body["faces"]) == 1
    img = cv2.imdecode(np.frombuffer(base64.b64decode(body["image"]), np.uint8), cv2.IMREAD_COLOR)
    assert img.shape[:2] == (body["height"], body["width"])


def test_process_image_align_with_given_landmarks(http, photos):
    image = photo(photos, "yaoming.jpg")
    face = http.post("/api/detect-face", json={"image": image}).json()["faces"][0]
    resp = http.post(
        "/api/process-image",
        json={
            "image": image,
            "operations": [{"type": "align", "landmarks": face["landmarks"], "size": 64}],
            "output_format": "jpeg",
        },
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["width"], body["height"], body["format"]) == (64, 64, "jpeg")
    assert body["faces"] == []  # the landmarks were given: nothing was detected
    assert body["quality"] is None


def test_process_image_no_operations_keeps_format(http, photos):
    resp = http.post("/api/process-image", json={"image": photo(photos, "yaoming.jpg")})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["format"], body["width"], body["height"], body["applied"]) == (
        "jpeg",
        233,
        287,
        [],
    )


@pytest.mark.parametrize(
    ("operations", "field"),
    [
        (["resize"], "operations[0]"),
        ([{"type": "blur"}], "operations[0]"),
        ([{"width": 5}], "operations[0]"),
        ([{"type": "resize", "width": "wide"}], "operations[0].width"),
        ([{"type": "convert"}], "operations[0].format"),
        ([{"type": "align", "landmarks": {"left_eye": [1, 2]}}], "operations[0].landmarks"),
        ("align", "operations"),
    ],
)
def test_bad_operations_are_400_naming_the_field(http, photos, operations, field):
    resp = http.post(
        "/api/process-image",
        json={"image": photo(photos, "yaoming.jpg"), "operations": operations},
    )
    assert failure(resp, 400).startswith(field)


def test_core_checks_arguments(http, photos):
    image = photo(photos, "yaoming.jpg")
    message = failure(
        http.post("/api/process-image", json={"image": image, "encode_quality": 101}), 400
    )
    assert "encode_quality" in message
    message = failure(http.post("/api/detect-face", json={"image": image, "max_faces": -1}), 400)
    assert "max_faces" in message


# -- calculate-similarity ----------------------------------------------------------


def test_similarity_pair(http):
    resp = http.post(
        "/api/calculate-similarity",
        json={"embedding_a": [1, 0, 0], "embedding_b": [0.8, 0.6, 0], "metric": "cosine"},
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body == {
        "success": True,
        "similarity": pytest.approx(0.8),
        "is_match": True,
        "threshold": pytest.approx(0.35),
        "metric": "cosine",
    }
    strict = http.post(
        "/api/calculate-similarity",
        json={"embedding_a": [1, 0, 0], "embedding_b": [0.8, 0.6, 0], "threshold": 0.9},
    ).json()
    assert (strict["is_match"], strict["threshold"]) == (False, pytest.approx(0.9))
    dist = http.post(
        "/api/calculate-similarity",
        json={"embedding_a": [1, 0], "embedding_b": [0, 1], "metric": "euclidean"},
    ).json()
    assert dist["similarity"] == pytest.approx(2**0.5)
    assert dist["is_match"] is False


def test_similarity_batch(http):
    resp = http.post(
        "/api/calculate-similarity",
        json={
            "query": [1, 0, 0],
            "candidates": [[0.8, 0.6, 0], [0, 1, 0], [1, 0.1, 0]],
            "top_k": 2,
            "metric": "cosine",
            "threshold": 0.5,
        },
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["success"] is True
    assert body["scores"] == pytest.approx([0.8, 0.0, 0.995037], abs=1e-5)
    assert [m["index"] for m in body["matches"]] == [2, 0]
    assert [m["is_match"] for m in body["matches"]] == [True, True]
    assert (body["threshold"], body["metric"]) == (pytest.approx(0.5), "cosine")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"embedding_a": [1, 0], "embedding_b": [1, 0, 0]}, "differ in length"),
        ({"embedding_a": [0, 0], "embedding_b": [1, 0]}, "all zeros"),
        ({"embedding_a": [1, 0], "embedding_b": [1, 0], "metric": "manhattan"}, "metric"),
        ({"embedding_a": "abc", "embedding_b": [1]}, "embedding_a"),
        ({"embedding_a": [1, 0]}, "embedding_b is required"),
        ({"query": [1, 0], "candidates": [[1, 0], [1]]}, "same number of values"),
        ({"query": [1, 0], "candidates": []}, "non-empty"),
        ({"query": [1, 0]}, "candidates is required"),
        ({"query": [1, 0], "candidates": [[1, 0]], "top_k": -1}, "top_k"),
        ({}, "embedding_a is required"),
    ],
)
def test_similarity_bad_input(http, body, words):
    assert words in failure(http.post("/api/calculate-similarity", json=body), 400)


def test_non_finite_numbers_are_400(http):
    raw = '{"embedding_a": [1, NaN], "embedding_b": [1, 0]}'
    resp = http.post(
        "/api/calculate-similarity", content=raw, headers={"content-type": "application/json"}
    )
    assert "embedding_a[1]" in failure(resp, 400)


# -- failures common to every path -------------------------------------------------


def _png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    "path", ["/api/detect-face", "/api/extract-embedding", "/api/process-image"]
)
@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("bad-base64", 400),
        ("data-url-not-base64", 400),
        ("empty", 400),
        ("random-bytes", 415),
        ("text", 415),
        ("truncated-jpeg", 400),
        ("gif", 415),
        ("png-claims-40000x40000", 413),
    ],
)
def test_bad_images(http, photos, path, case, status):
    jpeg = (photos / "yaoming.jpg").read_bytes()
    images = {
        "bad-base64": "this is not base64!",
        "data-url-not-base64": "data:image/jpeg," + b64(jpeg),
        "empty": "",
        "random-bytes": b64(np.random.default_rng(3).integers(0, 256, 4096, np.uint8).tobytes()),
        "text": b64(b"name,age\nalice,30\n"),
        "truncated-jpeg": b64(jpeg[: len(jpeg) // 2]),
        "gif": b64(GIF),
        "png-claims-40000x40000": b64(_png_claiming(40000, 40000)),
    }
    failure(http.post(path, json={"image": images[case]}), status)
    # ...and the server keeps serving.
    assert http.post("/api/detect-face", json={"image": b64(jpeg)}).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"image": 5}, "image"),
        ({"image": None}, "image"),
        ({"image": ["abc"]}, "image"),
        ({"image": "", "max_faces": "ten"}, "max_faces"),
        ({"image": "", "min_confidence": "high"}, "min_confidence"),
        ({"image": "", "detector": "yolo"}, "detector"),
        ({"min_confidence": 0.5}, "image is required"),
    ],
)
def test_wrong_types_and_missing_fields_are_400(http, body, field):
    assert failure(http.post("/api/detect-face", json=body), 400).startswith(field)


@pytest.mark.parametrize(
    "raw", [b'{"image": ', b"{'image': 'abc'}", b"not json at all", b"\xff\xfe\x00"]
)
def test_malformed_json_is_400(http, raw):
    resp = http.post("/api/detect-face", content=raw, headers={"content-type": "application/json"})
    assert "JSON" in failure(resp, 400)


@pytest.mark.parametrize(
    ("raw", "words"), [(b"", "no body"), (b"[1, 2]", "JSON object"), (b'"image"', "JSON object")]
)
def test_body_that_is_not_an_object_is_400(http, raw, words):
    resp = http.post(
        "/api/extract-embedding", content=raw, headers={"content-type": "application/json"}
    )
    assert words in failure(resp, 400)


def test_non_json_content_type_is_415(http, photos):
    resp = http.post("/api/detect-face", data={"image": photo(photos, "yaoming.jpg")})
    assert "application/json" in failure(resp, 415)


def test_compressed_body_is_415(http, photos):
    raw = gzip.compress(json.dumps({"image": photo(photos, "yaoming.jpg")}).encode())
    resp = http.post(
        "/api/detect-face",
        content=raw,
        headers={"content-type": "application/json", "content-encoding": "gzip"},
    )
    assert "compressed" in failure(resp, 415)


def test_unknown_path_and_wrong_method(http):
    assert "/api/nope" in failure(http.get("/api/nope"), 404)
    assert "/api/nope" in failure(http.post("/api/nope", json={}), 404)
    resp = http.get("/api/detect-face")
    assert "POST" in failure(resp, 405)
    assert resp.headers["allow"] == "POST"


# -- a second server: a small body limit, API keys and a rate limit ----------------

LIMIT = 200_000
# One key per test below, so that each test has its own rate-limit bucket.
KEY_AUTH, KEY_LIMIT, KEY_RATE = (f"rest-test-key-{name}-0123456789" for name in "abc")


@pytest.fixture(scope="module")
def strict(photos):
    env = {
        "AURUM_MAX_MESSAGE_BYTES": str(LIMIT),
        "AURUM_API_KEYS": f"{KEY_AUTH},{KEY_LIMIT},{KEY_RATE}",
        "AURUM_RATE_LIMIT_RPS": "0.2",
        "AURUM_RATE_LIMIT_BURST": "4",
    }
    with running_server(env=env) as srv:
        yield srv
        assert all(k not in srv.log() for k in (KEY_AUTH, KEY_LIMIT, KEY_RATE)), "a key was logged"


def test_body_over_the_limit_is_413(strict, photos):
    small = json.dumps({"image": photo(photos, "yaoming.jpg")}).encode()
    big = json.dumps({"image": photo(photos, "players.jpg")}).encode()
    assert len(small) < LIMIT < len(big)
    headers = {"content-type": "application/json", "x-api-key": KEY_LIMIT}

    def chunks():  # no Content-Length: the size is only known while it streams
        for i in range(0, len(big), 16_384):
            yield big[i : i + 16_384]

    with httpx.Client(base_url=strict.rest_url, timeout=60) as client:
        assert "200000 bytes" in failure(
            client.post("/api/detect-face", content=big, headers=headers), 413
        )
        failure(client.post("/api/detect-face", content=chunks(), headers=headers), 413)
        ok = client.post("/api/detect-face", content=small, headers=headers)
        assert ok.status_code == 200, ok.text


def test_api_keys(strict, photos):
    body = {"image": photo(photos, "yaoming.jpg")}
    with httpx.Client(base_url=strict.rest_url, timeout=60) as client:
        for headers in ({}, {"authorization": f"Bearer {KEY_AUTH}x"}, {"x-api-key": ""}):
            resp = client.post("/api/detect-face", json=body, headers=headers)
            assert "key" in failure(resp, 401)
            assert resp.headers["www-authenticate"] == "Bearer"
        assert failure(client.get("/api/status"), 401)
        ok = client.post("/api/detect-face", json=body, headers={"x-api-key": KEY_AUTH})
        assert ok.status_code == 200, ok.text
        ok = client.get("/api/status", headers={"authorization": f"Bearer {KEY_AUTH}"})
        assert ok.status_code == 200, ok.text
        # Health and the API's description stay open, like gRPC health and reflection,
        # and so does the page that shows it, with everything it loads.
        assert client.get("/api/health").status_code == 200
        html = client.get("/docs").text
        for a, b in _docs_urls(html):
            assert client.get(a or b).status_code == 200, a or b
        doc = client.get("/openapi.json").json()
        assert set(doc["components"]["securitySchemes"]) == {"bearer", "apiKey"}
        assert doc["paths"]["/api/detect-face"]["post"]["security"]
        assert "security" not in doc["paths"]["/api/health"]["get"]


def test_rate_limit_is_429(strict):
    pair = {"embedding_a": [1, 0], "embedding_b": [0, 1]}
    headers = {"x-api-key": KEY_RATE}
    with httpx.Client(base_url=strict.rest_url, timeout=60) as client:
        codes = [
            client.post("/api/calculate-similarity", json=pair, headers=headers).status_code
            for _ in range(6)
        ]
        assert codes[:4] == [200] * 4
        assert 429 in codes[4:]
        resp = client.post("/api/calculate-similarity", json=pair, headers=headers)
        assert "rate limit" in failure(resp, 429)


def test_request_id_is_echoed(http):
    resp = http.get("/api/health", headers={"x-request-id": "trace-42"})
    assert resp.headers["x-request-id"] == "trace-42"
    fresh = http.post("/api/detect-face", json={})
    assert len(fresh.headers["x-request-id"]) == 32  # a new uuid4, in hex
    unsafe = http.get("/api/health", headers={"x-request-id": 'say "hi"'})
    assert unsafe.headers["x-request-id"] != 'say "hi"'


# -- health and status -------------------------------------------------------------


def test_health(http):
    resp = http.get("/api/health")
    assert resp.status_code == 200
    assert resp.json() == {
        "status": "healthy",
        "services": {
            **{
                name: {"status": "SERVING"}
                for name in ("faceDetection", "faceEmbedding", "imageProcessing", "similarity")
            },
            # Listed beside the legacy four; null: this server consumes no queue.
            "faceStore": {"status": "SERVING", "reason": ""},
            "queue": None,
            # Null: no model version failed to load.
            "models": None,
        },
    }


def test_status(http, photos):
    http.post("/api/detect-face", json={"image": photo(photos, "yaoming.jpg")})
    body = http.get("/api/status").json()
    assert body["success"] is True
    assert body["version"]
    assert body["uptime_s"] > 0
    roles = {m["role"]: m for m in body["models"]}
    assert {"detector", "embedder"} <= set(roles)
    assert all(m["loaded"] and m["error"] == "" for m in body["models"])
    assert roles["detector"]["name"] and roles["detector"]["execution_provider"]
    assert body["requests"]["detect"] >= 1


def test_openapi_and_docs(http):
    doc = http.get("/openapi.json").json()
    paths = {
        "/api/detect-face": "post",
        "/api/extract-embedding": "post",
        "/api/process-image": "post",
        "/api/calculate-similarity": "post",
        "/api/health": "get",
        "/api/status": "get",
    }
    for path, method in paths.items():
        responses = doc["paths"][path][method]["responses"]
        assert "422" not in responses
        assert "200" in responses and "500" in responses
    for code in ("400", "404", "413", "415", "429", "503"):
        assert code in doc["paths"]["/api/detect-face"]["post"]["responses"]
    docs = http.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


def _docs_urls(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)=["']([^"']+)["']|url: ?["']([^"']+)["']""", html)


def test_docs_load_nothing_from_the_internet(http):
    """/docs names only this server's own URLs, and each of them answers:
    the page works on a machine without internet."""
    html = http.get("/docs").text
    urls = [a or b for a, b in _docs_urls(html)]
    assert len(urls) >= 4, html  # stylesheet, icon, script, the OpenAPI document
    assert not [u for u in urls if "//" in u], f"external URLs in /docs: {urls}"
    kinds = {
        ".js": ("text/javascript", "application/javascript"),
        ".css": ("text/css",),
        ".png": ("image/png",),
        ".json": ("application/json",),
    }
    for url in urls:
        resp = http.get(url)
        assert resp.status_code == 200, url
        kind = resp.headers["content-type"].split(";")[0]
        assert kind in kinds[Path(url).suffix], (url, kind)
        assert len(resp.content) > 1000, url
    js = http.get(next(u for u in urls if u.endswith(".js"))).text
    assert "SwaggerUIBundle" in js
    assert "swagger-ui" in http.get(next(u for u in urls if u.endswith(".css"))).text
    redirect = http.get("/docs/oauth2-redirect")
    assert redirect.status_code == 200 and "oauth2" in redirect.text.lower()


# -- mapping of core failures, with a stand-in core --------------------------------


class _StubCore:
    """Just enough of the core to make each kind of failure happen on demand."""

    store = None

    def __init__(self, error: Exception | None = None, serving: bool = True) -> None:
        self.error = error
        self._serving = serving

    async def detect(self, *args, **kwargs):
        assert self.error is not None
        raise self.error

    def door_health(self) -> dict[str, tuple[bool, str]]:
        return {}

    def models(self) -> list[object]:
        return []

    def serving(self) -> dict[str, bool]:
        return {
            "detection": self._serving,
            "embedding": False,
            "processing": True,
            "similarity": True,
        }


def _stub_call(
    core: _StubCore, method: str, path: str, metrics: Metrics | None = None, **kwargs
) -> httpx.Response:
    """One request to an in-process app over the stand-in core."""

    async def call() -> httpx.Response:
        app = build_rest_app(core, Settings(), metrics=metrics)  # type: ignore[arg-type]
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://stub") as client:
            return await client.request(method, path, **kwargs)

    return asyncio.run(call())


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (NoFaceFound("no face found in the image"), 404),
        (ServiceUnavailable("the scrfd face detector is not available: missing"), 503),
        (Overloaded("too many requests are queued; retry later"), 429),
        (DeadlineExceeded("the request did not finish within its deadline (30 s)"), 504),
    ],
)
def test_core_errors_keep_their_status_and_message(error, status):
    resp = _stub_call(_StubCore(error), "POST", "/api/detect-face", json={"image": ""})
    assert failure(resp, status) == error.message


def test_unknown_exception_is_500_without_detail(caplog):
    secret = "database password is hunter2"
    resp = _stub_call(
        _StubCore(RuntimeError(secret)), "POST", "/api/detect-face", json={"image": ""}
    )
    assert failure(resp, 500) == INTERNAL_MESSAGE
    assert secret not in resp.text
    assert secret in caplog.text  # ...but the log has it


def test_health_is_503_when_a_service_is_down():
    resp = _stub_call(_StubCore(serving=False), "GET", "/api/health")
    assert resp.status_code == 503
    body = resp.json()
    assert body["status"] == "unhealthy"
    assert body["services"]["faceDetection"] == {"status": "NOT_SERVING"}
    assert body["services"]["similarity"] == {"status": "SERVING"}


def test_metrics_label_routes_not_raw_paths():
    metrics = Metrics()
    core = _StubCore(NoFaceFound("no face found in the image"))
    _stub_call(core, "POST", "/api/detect-face", metrics=metrics, json={"image": ""})
    _stub_call(core, "GET", "/api/health", metrics=metrics)
    _stub_call(core, "GET", "/api/x/1", metrics=metrics)
    _stub_call(core, "GET", "/api/x/2", metrics=metrics)

    def count(method: str, code: str) -> float | None:
        labels = {"transport": "rest", "method": method, "code": code}
        return metrics.registry.get_sample_value("aurum_requests_total", labels)

    assert count("POST /api/detect-face", "404") == 1
    assert count("GET /api/health", "503") == 1  # the stand-in has no embedder
    assert count("other", "404") == 2
    errors = {"transport": "rest", "method": "POST /api/detect-face", "code": "404"}
    assert metrics.registry.get_sample_value("aurum_request_errors_total", errors) == 1
