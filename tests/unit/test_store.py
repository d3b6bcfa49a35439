"""The store test-suite, run against both engines, no mocks: Qdrant Edge
embedded (its store process, on a folder) and qdrant-client's in-memory mode,
which answers the same API as a Qdrant server (none can run here) and so
stands in for the remote engine."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from aurum_ml.errors import FailedPrecondition, InvalidInput, NotFound, ServiceUnavailable
from aurum_ml.store import (
    FaceEmbedding,
    FaceStore,
    StoreConfig,
    embedding_sha256,
    encode_token,
    face_point_id,
    open_store,
)
from aurum_ml.store.engine import Point

DIM = 64
MODEL = ("arcface", "1.0")


def unit(rng: np.random.Generator, dim: int = DIM) -> np.ndarray:
    v = rng.standard_normal(dim).astype(np.float32)
    return v / np.linalg.norm(v)


def near(rng: np.random.Generator, v: np.ndarray, noise: float = 0.1) -> np.ndarray:
    w = v + noise * rng.standard_normal(v.shape[0]).astype(np.float32) / np.sqrt(v.shape[0])
    return (w / np.linalg.norm(w)).astype(np.float32)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def face(vec: np.ndarray, image: str = "img", index: int = 0, quality: float = 0.9):
    return FaceEmbedding(vec, sha(image), index, quality, {"source": image})


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


# ----------------------------------------------------------------- galleries


def test_create_list_get_delete_gallery(store: FaceStore) -> None:
    assert store.list_galleries() == []
    info = store.create_gallery("staff", *MODEL, DIM)
    assert (info.name, info.model_name, info.model_version, info.dim) == ("staff", *MODEL, DIM)
    assert info.face_count == 0
    # Same model again: idempotent.
    assert store.create_gallery("staff", *MODEL, DIM).name == "staff"
    store.create_gallery("visitors", "other-model", "7", 128)

    listed = store.list_galleries()
    assert [g.name for g in listed] == ["staff", "visitors"]
    assert listed[1].model_name == "other-model" and listed[1].dim == 128

    assert store.get_gallery("staff").subject_count == 0
    assert store.delete_gallery("staff") is True
    assert store.delete_gallery("staff") is False  # idempotent
    with pytest.raises(NotFound):
        store.get_gallery("staff")
    assert [g.name for g in store.list_galleries()] == ["visitors"]


def test_create_gallery_with_other_model_fails(store: FaceStore) -> None:
    store.create_gallery("g", *MODEL, DIM)
    with pytest.raises(FailedPrecondition):
        store.create_gallery("g", MODEL[0], "2.0", DIM)
    with pytest.raises(FailedPrecondition):
        store.create_gallery("g", *MODEL, DIM * 2)


@pytest.mark.parametrize("name", ["", "-lead", "a b", "x" * 65, "ümlaut", "a/b", "../x"])
def test_invalid_gallery_names(store: FaceStore, name: str) -> None:
    with pytest.raises(InvalidInput):
        store.create_gallery(name, *MODEL, DIM)


def test_model_names_with_odd_characters_round_trip(store: FaceStore) -> None:
    info = store.create_gallery("g", "buffalo_l/w600k:r50 @x", "v1.2+cu?", DIM)
    assert (info.model_name, info.model_version) == ("buffalo_l/w600k:r50 @x", "v1.2+cu?")
    assert store.get_gallery("g").model_name == "buffalo_l/w600k:r50 @x"


def test_foreign_collection_under_prefix_is_not_a_gallery(store: FaceStore) -> None:
    store.engine.create_collection("aurum_foreign", "embedding", 4, [])
    assert store.list_galleries() == []
    with pytest.raises(FailedPrecondition):
        store.create_gallery("foreign", *MODEL, DIM)


# ------------------------------------------------------------------ enroll


def test_enroll_identify_ranks_right_subject_first(
    store: FaceStore, rng: np.random.Generator
) -> None:
    people = {f"person-{i}": unit(rng) for i in range(40)}
    for sid, v in people.items():
        ids = store.enroll(
            "g", sid, [face(near(rng, v), sid, 0), face(near(rng, v), sid, 1)], *MODEL
        )
        assert len(ids) == 2 and len(set(ids)) == 2
    assert store.count("g") == 80
    info = store.get_gallery("g")
    assert (info.face_count, info.subject_count) == (80, 40)

    for sid, v in list(people.items())[:10]:
        matches = store.identify("g", near(rng, v), *MODEL, top_k=5)
        assert len(matches) == 5
        assert matches[0].subject_id == sid
        assert matches[0].score > 0.9
        # One entry per subject, best first.
        assert len({m.subject_id for m in matches}) == 5
        assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)

    probe = near(rng, people["person-3"])
    best = store.identify("g", probe, *MODEL, top_k=3, min_score=0.8)
    assert [m.subject_id for m in best] == ["person-3"]


def test_identify_groups_subjects_with_many_faces(
    store: FaceStore, rng: np.random.Generator
) -> None:
    # One subject owns far more near-identical faces than identify's first
    # candidate window; the others must still be found.
    crowd = unit(rng)
    store.enroll("g", "crowd", [face(near(rng, crowd, 0.01), "c", i) for i in range(200)], *MODEL)
    others = {f"o{i}": near(rng, crowd, 2.0) for i in range(6)}
    for sid, v in others.items():
        store.enroll("g", sid, [face(v, sid)], *MODEL)
    matches = store.identify("g", crowd, *MODEL, top_k=4)
    assert matches[0].subject_id == "crowd"
    assert len(matches) == 4
    assert len({m.subject_id for m in matches}) == 4


def test_retried_enroll_leaves_one_point(store: FaceStore, rng: np.random.Generator) -> None:
    v = unit(rng)
    first = store.enroll("g", "alice", [face(v, "a.jpg")], *MODEL)
    enrolled_at = store.get_subject("g", "alice").faces[0].enrolled_at
    time.sleep(0.01)
    for _ in range(2):
        assert store.enroll("g", "alice", [face(v, "a.jpg")], *MODEL) == first
    assert store.count("g") == 1
    detail = store.get_subject("g", "alice")
    assert [f.face_id for f in detail.faces] == first
    assert detail.faces[0].enrolled_at == enrolled_at  # a retry keeps the original time
    assert first[0] == face_point_id("g", "alice", sha("a.jpg"), 0, *MODEL)


def test_enroll_by_embedding_hash_is_idempotent(store: FaceStore, rng: np.random.Generator) -> None:
    v = unit(rng)
    h = embedding_sha256(v)
    assert h == embedding_sha256(v.astype(np.float64).tolist())
    for _ in range(3):
        store.enroll("g", "bob", [(v, h, 0, 0.5, {})], *MODEL)
    assert store.count("g") == 1


def test_enroll_without_autocreate(store: FaceStore, rng: np.random.Generator) -> None:
    with pytest.raises(NotFound):
        store.enroll("absent", "s", [face(unit(rng))], *MODEL, create_gallery=False)
    assert store.list_galleries() == []


def test_enroll_with_other_model_version_fails(store: FaceStore, rng: np.random.Generator) -> None:
    store.enroll("g", "s", [face(unit(rng))], *MODEL)
    with pytest.raises(FailedPrecondition, match="Re-enroll"):
        store.enroll("g", "s2", [face(unit(rng))], MODEL[0], "2.0")
    with pytest.raises(FailedPrecondition):
        store.identify("g", unit(rng), MODEL[0], "2.0")
    with pytest.raises(FailedPrecondition):
        store.verify("g", "s", unit(rng), "other", MODEL[1])
    assert store.count("g") == 1


@pytest.mark.parametrize(
    "bad",
    [
        (np.zeros(DIM, np.float32), sha("x"), 0, 0.5, {}),  # zero vector
        (np.full(DIM, np.nan, np.float32), sha("x"), 0, 0.5, {}),
        (np.ones(DIM + 1, np.float32), sha("x"), 0, 0.5, {}),  # wrong dim
        (np.ones(DIM, np.float32), "not-a-sha", 0, 0.5, {}),
        (np.ones(DIM, np.float32), sha("x"), -1, 0.5, {}),
        (np.ones(DIM, np.float32), sha("x"), 0, 1.5, {}),
        (np.ones(DIM, np.float32), sha("x"), 0, 0.5, {"k": 3}),
    ],
)
def test_enroll_rejects_bad_input(store: FaceStore, rng: np.random.Generator, bad) -> None:
    store.enroll("g", "s", [face(unit(rng))], *MODEL)
    with pytest.raises(InvalidInput):
        store.enroll("g", "s", [bad], *MODEL)
    assert store.count("g") == 1


def test_enroll_faces_of_one_call_share_a_dimension(
    store: FaceStore, rng: np.random.Generator
) -> None:
    with pytest.raises(
        InvalidInput, match="has 65 values, expected 64; the first embedding of this call has 64"
    ):
        store.enroll_batch(
            "g", [("a", [face(unit(rng))]), ("b", [face(unit(rng, DIM + 1))])], *MODEL
        )
    assert store.list_galleries() == []  # nothing written


def test_gallery_dim_is_bounded_by_the_vector_rule(store: FaceStore) -> None:
    # The one vector rule (similarity.as_vector) accepts at most 4096 values:
    # a wider gallery could never be enrolled into.
    for dim in [0, 4097, True]:
        with pytest.raises(InvalidInput, match=r"dim must be an integer in \[1, 4096\]"):
            store.create_gallery("g", *MODEL, dim)
    assert store.create_gallery("g", *MODEL, 4096).dim == 4096


@pytest.mark.parametrize("subject_id", ["", "   ", "x" * 129, "a\nb"])
def test_invalid_subject_ids(store: FaceStore, rng: np.random.Generator, subject_id) -> None:
    with pytest.raises(InvalidInput):
        store.enroll("g", subject_id, [face(unit(rng))], *MODEL)


def test_enroll_batch(store: FaceStore, rng: np.random.Generator) -> None:
    batch = [(f"s{i}", [face(unit(rng), f"s{i}")]) for i in range(10)]
    ids = store.enroll_batch("g", batch, *MODEL)
    assert [len(x) for x in ids] == [1] * 10
    assert store.count("g") == 10


# -------------------------------------------------------- model separation


def test_identify_never_returns_points_of_another_model_version(
    store: FaceStore, rng: np.random.Generator
) -> None:
    v = unit(rng)
    store.enroll("g", "genuine", [face(near(rng, v, 0.5))], *MODEL)
    # A point written behind the store's back, in the gallery's vector but
    # labelled with another model version, and a perfect match for the probe.
    vectors = store.engine.vectors("aurum_g")
    assert vectors is not None
    (vector_name,) = vectors
    store.engine.upsert(
        "aurum_g",
        vector_name,
        [
            Point(
                face_point_id("g", "intruder", sha("i"), 0, MODEL[0], "2.0"),
                v,
                {"subject_id": "intruder", "model_name": MODEL[0], "model_version": "2.0"},
            )
        ],
    )
    matches = store.identify("g", v, *MODEL, top_k=5)
    assert [m.subject_id for m in matches] == ["genuine"]
    assert store.verify("g", "intruder", v, *MODEL) is None


def test_gallery_vector_rejects_other_model(store: FaceStore, rng: np.random.Generator) -> None:
    store.enroll("g", "s", [face(unit(rng))], *MODEL)
    # The engine itself refuses a vector under another model's name.
    with pytest.raises((ValueError, FailedPrecondition)):
        store.engine.upsert(
            "aurum_g",
            "face@arcface@2.0",
            [Point(face_point_id("g", "x", sha("x"), 0, MODEL[0], "2.0"), unit(rng), {})],
        )


# ------------------------------------------------------------------ verify


def test_verify(store: FaceStore, rng: np.random.Generator) -> None:
    a, b = unit(rng), unit(rng)
    store.enroll("g", "a", [face(near(rng, a), "a1"), face(near(rng, a), "a2", 1)], *MODEL)
    store.enroll("g", "b", [face(b, "b1")], *MODEL)
    match = store.verify("g", "a", near(rng, a), *MODEL)
    assert match is not None and match.subject_id == "a" and match.score > 0.9
    assert match.face_id in {f.face_id for f in store.get_subject("g", "a").faces}
    other = store.verify("g", "b", near(rng, a), *MODEL)
    assert other is not None and other.score < 0.5
    with pytest.raises(NotFound):
        store.verify("g", "nobody", a, *MODEL)
    with pytest.raises(NotFound):
        store.verify("missing", "a", a, *MODEL)


# ------------------------------------------------------------------ erasure


def test_delete_subject(store: FaceStore, rng: np.random.Generator) -> None:
    a, b = unit(rng), unit(rng)
    store.enroll("g", "a", [face(a, "a1"), face(near(rng, a), "a2")], *MODEL)
    store.enroll("g", "b", [face(b, "b1")], *MODEL)
    assert store.delete_subject("g", "a") == 2
    assert store.delete_subject("g", "a") == 0  # second delete succeeds
    assert store.delete_subject("missing-gallery", "a") == 0
    for _ in range(3):
        assert all(m.subject_id != "a" for m in store.identify("g", a, *MODEL, top_k=10))
    with pytest.raises(NotFound):
        store.get_subject("g", "a")
    with pytest.raises(NotFound):
        store.verify("g", "a", a, *MODEL)
    assert store.count("g") == 1


def test_delete_face(store: FaceStore, rng: np.random.Generator) -> None:
    ids = store.enroll("g", "a", [face(unit(rng), "a1"), face(unit(rng), "a2")], *MODEL)
    assert store.delete_face("g", ids[0]) is True
    assert store.delete_face("g", ids[0]) is False
    assert store.delete_face("missing", ids[1]) is False
    assert [f.face_id for f in store.get_subject("g", "a").faces] == [ids[1]]
    with pytest.raises(InvalidInput):
        store.delete_face("g", "not-a-uuid")


# ----------------------------------------------------------------- listing


def test_list_subjects_pages(store: FaceStore, rng: np.random.Generator) -> None:
    expected = {}
    for i in range(23):
        sid = f"subject-{i:02d}"
        n = 1 + i % 3
        store.enroll("g", sid, [face(unit(rng), sid, k) for k in range(n)], *MODEL)
        expected[sid] = n

    seen: list[tuple[str, int]] = []
    token = ""
    pages = 0
    while True:
        page = store.list_subjects("g", page_size=10, page_token=token)
        token = page.next_page_token
        pages += 1
        seen.extend((s.subject_id, s.face_count) for s in page.subjects)
        if not token:
            break
    assert pages == 3
    assert seen == sorted(expected.items())

    # 0 is the default page size (100): everything on one page.
    everything = store.list_subjects("g", page_size=0)
    assert len(everything.subjects) == 23 and everything.next_page_token == ""
    assert store.list_subjects("g").subjects == everything.subjects

    with pytest.raises(InvalidInput):
        store.list_subjects("g", page_token="%%%")
    with pytest.raises(NotFound):
        store.list_subjects("missing")


def test_list_subjects_pages_stay_stable_while_subjects_change(
    store: FaceStore, rng: np.random.Generator
) -> None:
    for sid in ["a", "c", "e", "g"]:
        store.enroll("g", sid, [face(unit(rng), sid)], *MODEL)
    first = store.list_subjects("g", page_size=2)
    assert [s.subject_id for s in first.subjects] == ["a", "c"]
    # A subject added before the token's position, and the last one returned removed.
    store.enroll("g", "b", [face(unit(rng), "b")], *MODEL)
    store.delete_subject("g", "c")
    rest = store.list_subjects("g", page_size=2, page_token=first.next_page_token)
    assert [s.subject_id for s in rest.subjects] == ["e", "g"]
    assert rest.next_page_token == ""


def _listed(store: FaceStore, gallery: str = "g") -> dict[str, int]:
    seen: dict[str, int] = {}
    token = ""
    while True:
        page = store.list_subjects(gallery, page_size=3, page_token=token)
        seen.update((s.subject_id, s.face_count) for s in page.subjects)
        if not (token := page.next_page_token):
            return seen


def test_the_subject_listing_follows_every_write_after_it_was_read(
    store: FaceStore, rng: np.random.Generator
) -> None:
    # The embedded engine keeps the listing in its store process once read
    # (store/edge/roster.py) instead of reading every point again.
    for sid in ["b", "d", "f", "h"]:
        store.enroll("g", sid, [face(unit(rng), sid)], *MODEL)
    expected = {"b": 1, "d": 1, "f": 1, "h": 1}
    assert _listed(store) == expected
    steps = [
        lambda: store.enroll("g", "a", [face(unit(rng), "a")], *MODEL),
        lambda: store.enroll("g", "d", [face(unit(rng), "d2"), face(unit(rng), "d3")], *MODEL),
        # The same face again: rewritten in place, not counted twice.
        lambda: store.enroll("g", "b", [face(unit(rng), "b")], *MODEL),
        lambda: store.enroll_batch(
            "g", [("c", [face(unit(rng), "c")]), ("h", [face(unit(rng), "h2")])], *MODEL
        ),
        lambda: store.delete_face("g", store.get_subject("g", "f").faces[0].face_id),
        lambda: store.delete_subject("g", "d"),
        lambda: store.delete_subject("g", "nobody"),
    ]
    after = [
        {"a": 1},
        {"d": 3},
        {},
        {"c": 1, "h": 2},
        {"f": 0},
        {"d": 0},
        {},
    ]
    for step, change in zip(steps, after, strict=True):
        step()
        expected = {k: v for k, v in {**expected, **change}.items() if v}
        assert _listed(store) == expected
        assert store.get_gallery("g").subject_count == len(expected)
    # A gallery made again under the same name starts with no subjects.
    store.delete_gallery("g")
    store.create_gallery("g", *MODEL, DIM)
    assert _listed(store) == {} and store.get_gallery("g").subject_count == 0


def test_get_subject_has_no_embeddings(store: FaceStore, rng: np.random.Generator) -> None:
    store.enroll(
        "g", "a", [FaceEmbedding(unit(rng), sha("p"), 2, 0.75, {"camera": "front"})], *MODEL
    )
    detail = store.get_subject("g", "a")
    assert detail.subject_id == "a"
    assert (detail.face_count, detail.next_page_token) == (1, "")
    (rec,) = detail.faces
    assert (rec.image_sha256, rec.face_index, rec.quality) == (sha("p"), 2, 0.75)
    assert rec.metadata == {"camera": "front"}
    assert abs(rec.enrolled_at - time.time()) < 60
    assert not hasattr(rec, "vector") and not hasattr(rec, "embedding")


def _enroll_five(store: FaceStore, rng: np.random.Generator) -> list[str]:
    # Two calls, so faces differ in enrolled_at as well as in image and index.
    ids = store.enroll("g", "a", [face(unit(rng), "p", i) for i in range(3)], *MODEL)
    time.sleep(0.01)
    return ids + store.enroll("g", "a", [face(unit(rng), "q", i) for i in range(2)], *MODEL)


def test_get_subject_pages_return_every_face_once(
    store: FaceStore, rng: np.random.Generator
) -> None:
    ids = _enroll_five(store, rng)
    everything = store.get_subject("g", "a")
    assert everything.face_count == 5 and everything.next_page_token == ""
    order = [f.face_id for f in everything.faces]
    assert sorted(order) == sorted(ids)
    keys = [(f.enrolled_at, f.image_sha256, f.face_index, f.face_id) for f in everything.faces]
    assert keys == sorted(keys)  # oldest first, then by image, index and id

    seen: list[str] = []
    token = ""
    pages = 0
    while True:
        page = store.get_subject("g", "a", page_size=2, page_token=token)
        pages += 1
        assert page.subject_id == "a" and page.face_count == 5
        assert len(page.faces) <= 2
        seen.extend(f.face_id for f in page.faces)
        token = page.next_page_token
        if not token:
            break
    assert pages == 3
    assert seen == order


def test_get_subject_pages_stay_stable_while_faces_change(
    store: FaceStore, rng: np.random.Generator
) -> None:
    _enroll_five(store, rng)
    order = [f.face_id for f in store.get_subject("g", "a").faces]
    first = store.get_subject("g", "a", page_size=2)
    assert [f.face_id for f in first.faces] == order[:2]
    # The last face returned is erased and a newer one added: the next page
    # starts right after the erased one and ends with the newcomer.
    store.delete_face("g", order[1])
    time.sleep(0.01)
    (new,) = store.enroll("g", "a", [face(unit(rng), "r")], *MODEL)
    rest = store.get_subject("g", "a", page_size=10, page_token=first.next_page_token)
    assert [f.face_id for f in rest.faces] == [*order[2:], new]
    assert rest.face_count == 5 and rest.next_page_token == ""


def test_get_subject_rejects_bad_paging(store: FaceStore, rng: np.random.Generator) -> None:
    _enroll_five(store, rng)
    subjects_token = encode_token(["a"])
    faces_token = store.get_subject("g", "a", page_size=1).next_page_token
    for token in ["%%%", "garbage", encode_token([1.0, "x", "not-an-int", "id"]), subjects_token]:
        with pytest.raises(InvalidInput, match="page_token is not one this server issued"):
            store.get_subject("g", "a", page_size=2, page_token=token)
    # A token of the other listing has the wrong shape there too.
    with pytest.raises(InvalidInput, match="page_token is not one this server issued"):
        store.list_subjects("g", page_token=faces_token)
    for size in [1001, -1, True]:
        with pytest.raises(InvalidInput, match=r"page_size must be 0 \(default 100\) or 1-1000"):
            store.get_subject("g", "a", page_size=size)
        with pytest.raises(InvalidInput, match=r"page_size must be 0 \(default 100\) or 1-1000"):
            store.list_subjects("g", page_size=size)
    assert len(store.get_subject("g", "a", page_size=0).faces) == 5
    # A subject without faces is NotFound whatever the token.
    with pytest.raises(NotFound, match="subject 'b' is not enrolled in gallery 'g'"):
        store.get_subject("g", "b", page_token=faces_token)


# ------------------------------------------------------- lifecycle, errors


def test_local_path_survives_close_and_reopen(tmp_path: Path, rng: np.random.Generator) -> None:
    cfg = StoreConfig(location=str(tmp_path / "db"))
    v = unit(rng)
    with open_store(cfg) as s1:
        ids = store_ids = s1.enroll("g", "a", [face(v)], *MODEL)
    # FaceStore.open is the same as open_store (benchmarks and older callers use it).
    with FaceStore.open(cfg) as s2:
        assert s2.count("g") == 1
        assert s2.get_gallery("g").model_version == MODEL[1]
        assert s2.identify("g", v, *MODEL)[0].face_id == ids[0] == store_ids[0]


def test_second_open_of_locked_path_is_unavailable(tmp_path: Path) -> None:
    cfg = StoreConfig(location=str(tmp_path / "db"))
    first = open_store(cfg)
    try:
        with pytest.raises(ServiceUnavailable, match="in use by another process") as err:
            open_store(cfg)
        assert str(tmp_path) not in err.value.message
        assert first.healthy()
    finally:
        first.close()
    open_store(cfg).close()  # released on close


def test_path_locked_by_another_process(tmp_path: Path) -> None:
    path = tmp_path / "db"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys
                from aurum_ml.store import StoreConfig, open_store
                s = open_store(StoreConfig(location={str(path)!r}))
                print("ready", flush=True)
                sys.stdin.read()
                s.close()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(ServiceUnavailable):
            open_store(StoreConfig(location=str(path)))
    finally:
        holder.communicate("", timeout=30)
    open_store(StoreConfig(location=str(path))).close()


def test_closed_store_is_unavailable(rng: np.random.Generator) -> None:
    s = open_store(StoreConfig())
    s.enroll("g", "a", [face(unit(rng))], *MODEL)
    s.close()
    s.close()  # idempotent
    assert s.healthy() is False
    with pytest.raises(ServiceUnavailable):
        s.identify("g", unit(rng), *MODEL)


def test_unreachable_server_is_unavailable() -> None:
    # Port 9 (discard) on localhost: connection refused at once.
    with pytest.raises(ServiceUnavailable):
        open_store(StoreConfig(url="http://127.0.0.1:9", timeout_s=1.0))


def test_identify_validation(store: FaceStore, rng: np.random.Generator) -> None:
    store.enroll("g", "a", [face(unit(rng))], *MODEL)
    with pytest.raises(InvalidInput):
        store.identify("g", unit(rng), *MODEL, top_k=0)
    with pytest.raises(InvalidInput):
        store.identify("g", unit(rng), *MODEL, min_score=2.0)
    with pytest.raises(InvalidInput, match="has 65 values, expected 64; the gallery stores 64"):
        store.identify("g", unit(rng, DIM + 1), *MODEL)
    with pytest.raises(InvalidInput, match="all zeros"):
        store.verify("g", "a", np.zeros(DIM, np.float32), *MODEL)
    with pytest.raises(NotFound):
        store.identify("missing", unit(rng), *MODEL)


def test_concurrent_enroll_and_identify(store: FaceStore) -> None:
    errors: list[BaseException] = []

    def work(seed: int) -> None:
        r = np.random.default_rng(seed)
        try:
            for i in range(20):
                v = unit(r)
                store.enroll("g", f"t{seed}-{i}", [face(v, f"{seed}-{i}")], *MODEL)
                assert store.identify("g", v, *MODEL, top_k=1)[0].subject_id == f"t{seed}-{i}"
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.count("g") == 80
