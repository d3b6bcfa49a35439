"""gRPC and REST are two doors to one core: the same input gives the same answer
through either, to float32 precision (gRPC carries float32, JSON the core's doubles),
and the same bad input the same refusal (the status each door maps the error to, and
the same message). Every RPC with a REST twin is compared here."""

from __future__ import annotations

import base64

import cv2
import grpc
import httpx
import numpy as np
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from aurum.ml.v1 import (
    common_pb2,
    detection_pb2,
    detection_pb2_grpc,
    embedding_pb2,
    embedding_pb2_grpc,
    face_store_pb2,
    face_store_pb2_grpc,
    processing_pb2,
    processing_pb2_grpc,
    similarity_pb2,
    similarity_pb2_grpc,
)

PHOTOS = ["yaoming.jpg", "players.jpg"]
LANDMARKS = ("left_eye", "right_eye", "nose", "left_mouth", "right_mouth")
REL = 1e-6


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server.rest_url, timeout=60) as client:
        yield client


def _f32(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).astype(np.float32)


def _grpc_face(face: common_pb2.Face) -> list[float]:
    lm = face.landmarks
    points = [lm.left_eye, lm.right_eye, lm.nose, lm.left_mouth, lm.right_mouth]
    b = face.bbox
    return [b.x, b.y, b.width, b.height, *(c for p in points for c in (p.x, p.y)), face.confidence]


def _rest_face(face: dict) -> list[float]:
    b = face["bbox"]
    points = [c for k in LANDMARKS for c in face["landmarks"][k]]
    return [b["x"], b["y"], b["width"], b["height"], *points, face["confidence"]]


@pytest.mark.parametrize("name", PHOTOS)
def test_detect_is_the_same_over_both(channel, http, photos, name):
    data = (photos / name).read_bytes()
    grpc_resp = detection_pb2_grpc.FaceDetectionStub(channel).Detect(
        detection_pb2.DetectRequest(image=common_pb2.Image(data=data))
    )
    rest = http.post("/api/detect-face", json={"image": base64.b64encode(data).decode()})
    assert rest.status_code == 200, rest.text
    body = rest.json()
    assert (body["image_width"], body["image_height"]) == (
        grpc_resp.image_width,
        grpc_resp.image_height,
    )
    assert len(body["faces"]) == len(grpc_resp.faces) >= 1
    for via_rest, via_grpc in zip(body["faces"], grpc_resp.faces, strict=True):
        np.testing.assert_allclose(
            _f32(_rest_face(via_rest)), _f32(_grpc_face(via_grpc)), rtol=REL, atol=0
        )
    assert body["model"] == {
        "name": grpc_resp.model.name,
        "version": grpc_resp.model.version,
        "execution_provider": grpc_resp.model.execution_provider,
    }


@pytest.mark.parametrize("name", PHOTOS)
def test_embed_is_the_same_over_both(channel, http, photos, name):
    data = (photos / name).read_bytes()
    grpc_resp = embedding_pb2_grpc.FaceEmbeddingStub(channel).Embed(
        embedding_pb2.EmbedRequest(image=common_pb2.Image(data=data))
    )
    rest = http.post("/api/extract-embedding", json={"image": base64.b64encode(data).decode()})
    assert rest.status_code == 200, rest.text
    body = rest.json()
    via_rest = _f32(body["embedding"]["embedding"])
    via_grpc = _f32(grpc_resp.embedding)
    assert via_rest.shape == via_grpc.shape == (512,)
    np.testing.assert_allclose(via_rest, via_grpc, rtol=REL, atol=1e-9)
    scalars_rest = [body["embedding"]["quality"], body["embedding"]["confidence"]]
    np.testing.assert_allclose(
        _f32(scalars_rest), _f32([grpc_resp.quality, grpc_resp.confidence]), rtol=REL
    )
    np.testing.assert_allclose(
        _f32(_rest_face(body["face"])), _f32(_grpc_face(grpc_resp.face)), rtol=REL, atol=0
    )


# -- shared helpers for the other services -------------------------------------------

SERVING = health_pb2.HealthCheckResponse.SERVING
#: /api/health's legacy service keys and the gRPC services they stand for.
HEALTH_SERVICES = {
    "faceDetection": "aurum.ml.v1.FaceDetection",
    "faceEmbedding": "aurum.ml.v1.FaceEmbedding",
    "imageProcessing": "aurum.ml.v1.ImageProcessing",
    "similarity": "aurum.ml.v1.Similarity",
}
METRICS = {"cosine": similarity_pb2.METRIC_COSINE, "euclidean": similarity_pb2.METRIC_EUCLIDEAN}
QUALITY = ("overall", "sharpness", "brightness", "face_size", "frontality")
#: Gallery names of this file only, so other tests on the session server are not disturbed.
PEOPLE = "congruence-people"
ERASE = "congruence-erase"
NEW_VIA_GRPC, NEW_VIA_REST = "congruence-new-grpc", "congruence-new-rest"
MISSING = "congruence-missing"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _f(x: float) -> float:
    """A float as gRPC carries it (float32)."""
    return float(np.float32(x))


def _same_refusal(grpc_call, rest: httpx.Response, code: grpc.StatusCode, http_status: int):
    """Both doors refuse, with their mapping of the same error and the same message."""
    with pytest.raises(grpc.RpcError) as e:
        grpc_call()
    assert (e.value.code(), rest.status_code) == (code, http_status), rest.text
    assert rest.json() == {"success": False, "message": e.value.details()}


def _ok(rest: httpx.Response) -> dict:
    assert rest.status_code == 200, rest.text
    body = rest.json()
    assert body.pop("success") is True
    return body


def _grpc_quality(q: common_pb2.QualityReport) -> list[float]:
    return [getattr(q, k) for k in QUALITY]


def _rest_quality(q: dict) -> list[float]:
    return [_f(q[k]) for k in QUALITY]


def _grpc_model(m: common_pb2.ModelInfo) -> dict:
    return {"name": m.name, "version": m.version, "execution_provider": m.execution_provider}


def _assert_faces_equal(via_rest: list[dict], via_grpc) -> None:
    assert len(via_rest) == len(via_grpc)
    for r, g in zip(via_rest, via_grpc, strict=True):
        np.testing.assert_allclose(_f32(_rest_face(r)), _f32(_grpc_face(g)), rtol=REL, atol=0)


# -- image processing --------------------------------------------------------------


def _decoded(data: bytes) -> np.ndarray:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    assert image is not None
    return image


def test_process_is_the_same_over_both(channel, http, photos):
    data = (photos / "yaoming.jpg").read_bytes()
    pb = processing_pb2
    g = processing_pb2_grpc.ImageProcessingStub(channel).Process(
        pb.ProcessRequest(
            image=common_pb2.Image(data=data),
            operations=[
                pb.Operation(quality=pb.AssessQuality()),
                pb.Operation(align=pb.Align()),
                pb.Operation(normalize=pb.Normalize(mode=pb.NORMALIZE_MODE_EQUALIZE)),
                pb.Operation(convert=pb.Convert(format=pb.IMAGE_FORMAT_PNG)),
            ],
        )
    )
    r = _ok(
        http.post(
            "/api/process-image",
            json={
                "image": _b64(data),
                "operations": [
                    {"type": "quality"},
                    {"type": "align"},
                    {"type": "normalize", "mode": "equalize"},
                    {"type": "convert", "format": "png"},
                ],
            },
        )
    )
    assert (g.format, r["format"]) == (pb.IMAGE_FORMAT_PNG, "png")
    assert (r["width"], r["height"]) == (g.width, g.height) == (112, 112)
    assert r["applied"] == list(g.applied) == ["quality", "align", "normalize", "convert"]
    assert g.HasField("quality")
    np.testing.assert_allclose(_rest_quality(r["quality"]), _grpc_quality(g.quality), rtol=REL)
    _assert_faces_equal(r["faces"], g.faces)
    assert len(g.faces) == 1
    pixels = _decoded(base64.b64decode(r["image"]))
    assert pixels.shape == (112, 112, 3)
    np.testing.assert_array_equal(pixels, _decoded(g.image))

    too_small = pb.ProcessRequest(
        image=common_pb2.Image(data=data), operations=[pb.Operation(align=pb.Align(size=8))]
    )
    _same_refusal(
        lambda: processing_pb2_grpc.ImageProcessingStub(channel).Process(too_small),
        http.post(
            "/api/process-image",
            json={"image": _b64(data), "operations": [{"type": "align", "size": 8}]},
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        400,
    )


# -- similarity --------------------------------------------------------------------

_RNG = np.random.default_rng(20240601)
#: float32 values, so that JSON and gRPC carry exactly the same numbers.
_QUERY = _RNG.standard_normal(16).astype(np.float32)
_CANDIDATES = np.stack(
    [_QUERY + _RNG.standard_normal(16).astype(np.float32) * s for s in (0.3, 2.0, 0.1, 5.0)]
)


@pytest.mark.parametrize(("metric", "threshold"), [("cosine", None), ("euclidean", 1.25)])
def test_compare_is_the_same_over_both(channel, http, metric, threshold):
    a, b = _QUERY.tolist(), _CANDIDATES[0].tolist()
    request = similarity_pb2.CompareRequest(embedding_a=a, embedding_b=b, metric=METRICS[metric])
    body: dict = {"embedding_a": a, "embedding_b": b, "metric": metric}
    if threshold is not None:
        request.threshold = threshold
        body["threshold"] = threshold
    g = similarity_pb2_grpc.SimilarityStub(channel).Compare(request)
    r = _ok(http.post("/api/calculate-similarity", json=body))
    assert (r["metric"], g.metric) == (metric, METRICS[metric])
    assert _f(r["similarity"]) == pytest.approx(g.score, rel=REL)
    assert _f(r["threshold"]) == pytest.approx(g.threshold, rel=REL)
    if threshold is not None:
        assert g.threshold == threshold
    assert r["is_match"] is g.is_match is True


@pytest.mark.parametrize(
    ("metric", "threshold", "top_k"), [("cosine", 0.5, 2), ("euclidean", None, 0)]
)
def test_compare_many_is_the_same_over_both(channel, http, metric, threshold, top_k):
    request = similarity_pb2.CompareManyRequest(
        query=_QUERY.tolist(),
        candidates=[similarity_pb2.Embedding(values=c.tolist()) for c in _CANDIDATES],
        metric=METRICS[metric],
        top_k=top_k,
    )
    body: dict = {
        "query": _QUERY.tolist(),
        "candidates": _CANDIDATES.tolist(),
        "metric": metric,
        "top_k": top_k,
    }
    if threshold is not None:
        request.threshold = threshold
        body["threshold"] = threshold
    g = similarity_pb2_grpc.SimilarityStub(channel).CompareMany(request)
    r = _ok(http.post("/api/calculate-similarity", json=body))
    assert (r["metric"], g.metric) == (metric, METRICS[metric])
    np.testing.assert_allclose(_f32(r["scores"]), _f32(g.scores), rtol=REL)
    assert len(g.scores) == len(_CANDIDATES)
    assert [(m["index"], m["is_match"]) for m in r["matches"]] == [
        (m.index, m.is_match) for m in g.matches
    ]
    np.testing.assert_allclose(
        _f32([m["score"] for m in r["matches"]]), _f32([m.score for m in g.matches]), rtol=REL
    )
    assert len(g.matches) == (top_k or len(_CANDIDATES))
    # The closest candidates (the least noise) come first, whatever the metric.
    assert [m.index for m in g.matches][:2] == [2, 0]
    assert _f(r["threshold"]) == pytest.approx(g.threshold, rel=REL)


def test_similarity_refuses_the_same_over_both(channel, http):
    stub = similarity_pb2_grpc.SimilarityStub(channel)
    short = _QUERY[:8].tolist()
    _same_refusal(
        lambda: stub.Compare(
            similarity_pb2.CompareRequest(embedding_a=_QUERY.tolist(), embedding_b=short)
        ),
        http.post(
            "/api/calculate-similarity",
            json={"embedding_a": _QUERY.tolist(), "embedding_b": short},
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        400,
    )
    ragged = [_QUERY.tolist(), short]
    _same_refusal(
        lambda: stub.CompareMany(
            similarity_pb2.CompareManyRequest(
                query=_QUERY.tolist(),
                candidates=[similarity_pb2.Embedding(values=c) for c in ragged],
            )
        ),
        http.post(
            "/api/calculate-similarity", json={"query": _QUERY.tolist(), "candidates": ragged}
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        400,
    )


# -- health ------------------------------------------------------------------------


def test_health_is_the_same_over_both(channel, http):
    stub = health_pb2_grpc.HealthStub(channel)

    def status(service: str) -> int:
        return stub.Check(health_pb2.HealthCheckRequest(service=service)).status

    rest = http.get("/api/health")
    body = rest.json()
    assert body["services"] == {
        **{
            key: {"status": health_pb2.HealthCheckResponse.ServingStatus.Name(status(name))}
            for key, name in HEALTH_SERVICES.items()
        },
        "faceStore": {
            "status": health_pb2.HealthCheckResponse.ServingStatus.Name(
                status("aurum.ml.v1.FaceStore")
            ),
            "reason": "",
        },
        "queue": None,
        # No model version failed to load; model management answers either way.
        "models": None,
    }
    assert status("aurum.ml.v1.ModelManagement") == SERVING
    healthy = all(status(name) == SERVING for name in HEALTH_SERVICES.values())
    assert healthy and status("") == SERVING
    assert (rest.status_code, body["status"]) == (200, "healthy")


# -- face store ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def faces(channel) -> face_store_pb2_grpc.FaceStoreStub:
    return face_store_pb2_grpc.FaceStoreStub(channel)


@pytest.fixture(scope="module")
def people(faces, channel, photos):
    """PEOPLE, enrolled over gRPC: 'yao' (an image, with metadata), 'team' (every
    face of players.jpg) and 'gdp' (an embedding). Deleted afterwards."""
    fs = face_store_pb2
    gdp = embedding_pb2_grpc.FaceEmbeddingStub(channel).Embed(
        embedding_pb2.EmbedRequest(image=common_pb2.Image(data=(photos / "gdp.jpg").read_bytes()))
    )
    inputs = {
        "yao": {
            "image": (photos / "yaoming.jpg").read_bytes(),
            "metadata": {"team": "rockets"},
        },
        "team": {"image": (photos / "players.jpg").read_bytes(), "all_faces": True},
        "gdp": {"embedding": list(gdp.embedding)},
    }
    try:
        enrolled = {}
        for subject, how in inputs.items():
            request = fs.EnrollRequest(
                gallery=PEOPLE,
                subject_id=subject,
                metadata=how.get("metadata", {}),
                all_faces=how.get("all_faces", False),
            )
            if "image" in how:
                request.image.data = how["image"]
            else:
                request.embedding.values.extend(how["embedding"])
            enrolled[subject] = faces.Enroll(request)
        yield inputs, enrolled
    finally:
        faces.DeleteGallery(fs.DeleteGalleryRequest(name=PEOPLE))


def _rest_enroll_body(subject: str, how: dict) -> dict:
    body: dict = {
        "subject_id": subject,
        "metadata": how.get("metadata", {}),
        "all_faces": how.get("all_faces", False),
    }
    if "image" in how:
        body["image"] = _b64(how["image"])
    else:
        body["embedding"] = how["embedding"]
    return body


def test_enroll_is_the_same_over_both(http, people):
    """The same enrollment again over REST names the same faces (the ids are
    derived from the input, so a retry rewrites them) with the same details."""
    inputs, enrolled = people
    assert len(enrolled["team"].face_ids) > 1
    for subject, how in inputs.items():
        g = enrolled[subject]
        r = _ok(
            http.post(f"/api/faces/galleries/{PEOPLE}/enroll", json=_rest_enroll_body(subject, how))
        )
        assert r["face_ids"] == list(g.face_ids), subject
        _assert_faces_equal(r["faces"], g.faces)
        assert len(r["quality"]) == len(g.quality) == (0 if "embedding" in how else len(g.face_ids))
        for rq, gq in zip(r["quality"], g.quality, strict=True):
            np.testing.assert_allclose(_rest_quality(rq), _grpc_quality(gq), rtol=REL)
        assert r["model"] == _grpc_model(g.model)


def _grpc_gallery(g: face_store_pb2.Gallery) -> dict:
    return {
        "name": g.name,
        "model": {"name": g.model.name, "version": g.model.version},
        "dim": g.dim,
        "face_count": g.face_count,
        "subject_count": g.subject_count,
        "keeps_face_crops": g.keeps_face_crops,
    }


def _rest_gallery(g: dict) -> dict:
    # proto3 has no null: REST's "not counted" (null) is gRPC's 0.
    return {**g, "subject_count": g["subject_count"] or 0}


def test_galleries_are_the_same_over_both(faces, http, people):
    fs = face_store_pb2
    _, enrolled = people
    n_faces = 2 + len(enrolled["team"].face_ids)

    got = faces.GetGallery(fs.GetGalleryRequest(name=PEOPLE))
    assert _rest_gallery(_ok(http.get(f"/api/faces/galleries/{PEOPLE}"))["gallery"]) == (
        _grpc_gallery(got)
    )
    assert (got.face_count, got.subject_count, got.dim) == (n_faces, 3, 512)

    # Creating a gallery that exists returns it as it is.
    again = faces.CreateGallery(fs.CreateGalleryRequest(name=PEOPLE))
    r = _ok(http.post("/api/faces/galleries", json={"name": PEOPLE}))
    assert _rest_gallery(r["gallery"]) == _grpc_gallery(again)
    assert again.face_count == n_faces

    listed = faces.ListGalleries(fs.ListGalleriesRequest()).galleries
    r = _ok(http.get("/api/faces/galleries"))
    assert [_rest_gallery(x) for x in r["galleries"]] == [_grpc_gallery(x) for x in listed]
    assert PEOPLE in [x.name for x in listed]

    try:
        g = faces.CreateGallery(fs.CreateGalleryRequest(name=NEW_VIA_GRPC))
        r = _ok(http.post("/api/faces/galleries", json={"name": NEW_VIA_REST}))["gallery"]
        assert {**_rest_gallery(r), "name": NEW_VIA_GRPC} == _grpc_gallery(g)
        assert (g.face_count, g.model.name) == (0, got.model.name)
        # Each door deletes the gallery the other created, then finds it gone.
        deleted = [
            faces.DeleteGallery(fs.DeleteGalleryRequest(name=NEW_VIA_REST)).deleted,
            _ok(http.delete(f"/api/faces/galleries/{NEW_VIA_GRPC}"))["deleted"],
        ]
        assert deleted == [True, True]
        deleted = [
            faces.DeleteGallery(fs.DeleteGalleryRequest(name=NEW_VIA_GRPC)).deleted,
            _ok(http.delete(f"/api/faces/galleries/{NEW_VIA_REST}"))["deleted"],
        ]
        assert deleted == [False, False]
        _same_refusal(
            lambda: faces.GetGallery(fs.GetGalleryRequest(name=NEW_VIA_GRPC)),
            http.get(f"/api/faces/galleries/{NEW_VIA_GRPC}"),
            grpc.StatusCode.NOT_FOUND,
            404,
        )
    finally:
        for name in (NEW_VIA_GRPC, NEW_VIA_REST):
            faces.DeleteGallery(fs.DeleteGalleryRequest(name=name))
    _same_refusal(
        lambda: faces.CreateGallery(fs.CreateGalleryRequest(name="bad name!")),
        http.post("/api/faces/galleries", json={"name": "bad name!"}),
        grpc.StatusCode.INVALID_ARGUMENT,
        400,
    )


def _assert_search_equal(r: dict, g) -> None:
    """Identify's or Verify's query face, quality and model."""
    assert r["model"] == _grpc_model(g.model)
    if r["face"] is None:
        assert not g.HasField("face")
    else:
        _assert_faces_equal([r["face"]], [g.face])
    if r["quality"] is None:
        assert not g.HasField("quality")
    else:
        np.testing.assert_allclose(_rest_quality(r["quality"]), _grpc_quality(g.quality), rtol=REL)
    assert _f(r["threshold"]) == pytest.approx(g.threshold, rel=REL)


def test_identify_is_the_same_over_both(faces, http, photos, people):
    fs = face_store_pb2
    inputs, enrolled = people
    yao = (photos / "yaoming.jpg").read_bytes()
    queries = [
        # (gRPC request, REST body, the subject expected first)
        (
            fs.IdentifyRequest(
                gallery=PEOPLE, image=common_pb2.Image(data=yao), top_k=2, threshold=0.5
            ),
            {"image": _b64(yao), "top_k": 2, "threshold": 0.5},
            "yao",
        ),
        (
            fs.IdentifyRequest(
                gallery=PEOPLE,
                embedding=similarity_pb2.Embedding(values=inputs["gdp"]["embedding"]),
                min_score=0.25,
            ),
            {"embedding": inputs["gdp"]["embedding"], "min_score": 0.25},
            "gdp",
        ),
    ]
    for request, body, first in queries:
        g = faces.Identify(request)
        r = _ok(http.post(f"/api/faces/galleries/{PEOPLE}/identify", json=body))
        assert [(m["subject_id"], m["face_id"], m["is_match"]) for m in r["matches"]] == [
            (m.subject_id, m.face_id, m.is_match) for m in g.matches
        ]
        np.testing.assert_allclose(
            _f32([m["score"] for m in r["matches"]]), _f32([m.score for m in g.matches]), rtol=REL
        )
        assert g.matches[0].subject_id == first and g.matches[0].is_match
        assert g.matches[0].face_id in enrolled[first].face_ids
        if request.HasField("min_score"):
            assert all(m.score >= request.min_score for m in g.matches)
        _assert_search_equal(r, g)
    _same_refusal(
        lambda: faces.Identify(
            fs.IdentifyRequest(gallery=MISSING, image=common_pb2.Image(data=yao))
        ),
        http.post(f"/api/faces/galleries/{MISSING}/identify", json={"image": _b64(yao)}),
        grpc.StatusCode.NOT_FOUND,
        404,
    )


def test_verify_is_the_same_over_both(faces, http, photos, people):
    fs = face_store_pb2
    inputs, enrolled = people
    yao = (photos / "yaoming.jpg").read_bytes()
    gdp = inputs["gdp"]["embedding"]
    queries = [
        # (gRPC request, REST body, the expected decision)
        (
            fs.VerifyRequest(
                gallery=PEOPLE, subject_id="yao", image=common_pb2.Image(data=yao), threshold=0.5
            ),
            {"subject_id": "yao", "image": _b64(yao), "threshold": 0.5},
            True,
        ),
        (
            fs.VerifyRequest(
                gallery=PEOPLE, subject_id="yao", embedding=similarity_pb2.Embedding(values=gdp)
            ),
            {"subject_id": "yao", "embedding": gdp},
            False,
        ),
    ]
    for request, body, decision in queries:
        g = faces.Verify(request)
        r = _ok(http.post(f"/api/faces/galleries/{PEOPLE}/verify", json=body))
        assert (r["is_match"], r["face_id"]) == (g.is_match, g.face_id)
        assert g.is_match is decision
        assert g.face_id == enrolled["yao"].face_ids[0]
        assert _f(r["score"]) == pytest.approx(g.score, rel=REL)
        _assert_search_equal(r, g)
    _same_refusal(
        lambda: faces.Verify(
            fs.VerifyRequest(
                gallery=PEOPLE, subject_id="nobody", embedding=similarity_pb2.Embedding(values=gdp)
            )
        ),
        http.post(
            f"/api/faces/galleries/{PEOPLE}/verify", json={"subject_id": "nobody", "embedding": gdp}
        ),
        grpc.StatusCode.NOT_FOUND,
        404,
    )


def _walk(grpc_page, rest_page) -> list[dict]:
    """Every page through both doors, each door given the page token the other
    one issued: the pages (tokens included) must be the same."""
    pages: list[dict] = []
    grpc_token = rest_token = ""
    while True:
        g, r = grpc_page(rest_token), rest_page(grpc_token)
        assert r == g, f"page {len(pages) + 1}"
        pages.append(g)
        if not g["next_page_token"]:
            return pages
        grpc_token, rest_token = g["next_page_token"], r["next_page_token"]
        assert len(pages) < 20, "paging does not end"


def test_paging_is_the_same_over_both(faces, http, people):
    fs = face_store_pb2
    _, enrolled = people
    team = list(enrolled["team"].face_ids)

    def grpc_subjects(token: str) -> dict:
        p = faces.ListSubjects(
            fs.ListSubjectsRequest(gallery=PEOPLE, page_size=2, page_token=token)
        )
        return {
            "subjects": [(s.subject_id, s.face_count) for s in p.subjects],
            "next_page_token": p.next_page_token,
        }

    def rest_subjects(token: str) -> dict:
        params = {"page_size": 2, "page_token": token}
        p = _ok(http.get(f"/api/faces/galleries/{PEOPLE}/subjects", params=params))
        return {
            "subjects": [(s["subject_id"], s["face_count"]) for s in p["subjects"]],
            "next_page_token": p["next_page_token"],
        }

    pages = _walk(grpc_subjects, rest_subjects)
    assert [s for p in pages for s in p["subjects"]] == [
        ("gdp", 1),
        ("team", len(team)),
        ("yao", 1),
    ]
    assert len(pages) == 2

    def grpc_faces(token: str) -> dict:
        p = faces.GetSubject(
            fs.GetSubjectRequest(gallery=PEOPLE, subject_id="team", page_size=3, page_token=token)
        )
        return {
            "subject_id": p.subject_id,
            "faces": [
                (
                    f.face_id,
                    f.image_sha256,
                    f.face_index,
                    f.quality,
                    dict(f.metadata),
                    f.enrolled_at,
                )
                for f in p.faces
            ],
            "face_count": p.face_count,
            "next_page_token": p.next_page_token,
        }

    def rest_faces(token: str) -> dict:
        params = {"page_size": 3, "page_token": token}
        p = _ok(http.get(f"/api/faces/galleries/{PEOPLE}/subjects/team", params=params))
        p["faces"] = [
            (
                f["face_id"],
                f["image_sha256"],
                f["face_index"],
                _f(f["quality"]),
                f["metadata"],
                f["enrolled_at"],
            )
            for f in p["faces"]
        ]
        return p

    pages = _walk(grpc_faces, rest_faces)
    stored = [f for p in pages for f in p["faces"]]
    assert sorted(f[0] for f in stored) == sorted(team)
    assert {p["face_count"] for p in pages} == {len(team)}
    assert len(pages) == -(-len(team) // 3)

    _same_refusal(
        lambda: faces.ListSubjects(fs.ListSubjectsRequest(gallery=PEOPLE, page_token="nope")),
        http.get(f"/api/faces/galleries/{PEOPLE}/subjects", params={"page_token": "nope"}),
        grpc.StatusCode.INVALID_ARGUMENT,
        400,
    )


def test_erasure_is_the_same_over_both(faces, http):
    """Two subjects of two faces each: each door erases the same things of its
    own subject and gets the same answers, then finds them gone."""
    fs = face_store_pb2
    rng = np.random.default_rng(7)
    ids: dict[str, list[str]] = {}
    try:
        for subject in ("via-grpc", "via-rest"):
            ids[subject] = []
            for _ in range(2):
                vec = rng.standard_normal(512).astype(np.float32)
                vec /= np.linalg.norm(vec)
                r = faces.Enroll(
                    fs.EnrollRequest(
                        gallery=ERASE,
                        subject_id=subject,
                        embedding=similarity_pb2.Embedding(values=vec.tolist()),
                    )
                )
                ids[subject] += r.face_ids
        one_g, one_r = ids["via-grpc"][0], ids["via-rest"][0]
        url = f"/api/faces/galleries/{ERASE}"

        def grpc_delete_face(face_id: str) -> bool:
            return faces.DeleteFace(fs.DeleteFaceRequest(gallery=ERASE, face_id=face_id)).deleted

        def rest_delete_face(face_id: str) -> bool:
            return _ok(http.delete(f"{url}/faces/{face_id}"))["deleted"]

        def grpc_delete_subject(subject: str) -> int:
            request = fs.DeleteSubjectRequest(gallery=ERASE, subject_id=subject)
            return faces.DeleteSubject(request).deleted_faces

        def rest_delete_subject(subject: str) -> int:
            return _ok(http.delete(f"{url}/subjects/{subject}"))["deleted_faces"]

        def subjects() -> list[tuple[str, int]]:
            g = faces.ListSubjects(fs.ListSubjectsRequest(gallery=ERASE)).subjects
            r = _ok(http.get(f"{url}/subjects"))["subjects"]
            assert [(s["subject_id"], s["face_count"]) for s in r] == [
                (s.subject_id, s.face_count) for s in g
            ]
            return [(s.subject_id, s.face_count) for s in g]

        # Each door erases one face of its own subject, then the one the other erased.
        assert [grpc_delete_face(one_g), rest_delete_face(one_r)] == [True, True]
        assert [grpc_delete_face(one_r), rest_delete_face(one_g)] == [False, False]
        assert subjects() == [("via-grpc", 1), ("via-rest", 1)]
        assert [grpc_delete_subject("via-grpc"), rest_delete_subject("via-rest")] == [1, 1]
        assert [grpc_delete_subject("via-rest"), rest_delete_subject("via-grpc")] == [0, 0]
        assert subjects() == []
        _same_refusal(
            lambda: faces.GetSubject(fs.GetSubjectRequest(gallery=ERASE, subject_id="via-grpc")),
            http.get(f"{url}/subjects/via-grpc"),
            grpc.StatusCode.NOT_FOUND,
            404,
        )
        _same_refusal(
            lambda: faces.DeleteFace(fs.DeleteFaceRequest(gallery="bad name!", face_id=one_g)),
            http.delete(f"/api/faces/galleries/bad name!/faces/{one_g}"),
            grpc.StatusCode.INVALID_ARGUMENT,
            400,
        )
    finally:
        faces.DeleteGallery(fs.DeleteGalleryRequest(name=ERASE))
