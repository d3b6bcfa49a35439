"""Gallery generations and migration in the store, against both engines: a
gallery that keeps face crops moves to another model's generation page by
page, the writes and erasures made meanwhile are carried over, and the
switch is one step; a gallery without crops says migration needs
re-enrolment.

The store is generic over how crops become vectors (``Migrations.finish``
takes a function): here a fixed random projection of the crop's pixels
stands in for the second model, so the test knows which vector each crop
must get. The real models migrate real photos in
tests/integration/test_gallery_migration.py.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from aurum_ml.errors import FailedPrecondition, NotFound
from aurum_ml.store import FaceEmbedding, FaceStore, StoreConfig, open_store
from aurum_ml.store.migration import Pending

OLD = ("w600k_mbf", "1")
NEW = ("sface", "2021dec")
OLD_DIM, NEW_DIM = 64, 16
_PROJECTION = np.random.default_rng(7).standard_normal((NEW_DIM, 12 * 12 * 3)).astype(np.float32)


def crop_png(seed: int) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 256, (112, 112, 3), dtype=np.uint8)
    ok, png = cv2.imencode(".png", pixels)
    assert ok
    return png.tobytes()


def new_model(crops: list[bytes] | tuple[bytes, ...]) -> npt.NDArray[np.float32]:
    """The second model's stand-in: a fixed function of each crop's pixels."""
    out = []
    for png in crops:
        image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
        small = cv2.resize(image, (12, 12), interpolation=cv2.INTER_AREA).astype(np.float32)
        v = _PROJECTION @ (small.ravel() - 127.5)
        out.append(v / np.linalg.norm(v))
    return np.asarray(out, dtype=np.float32)


def unit(seed: int, dim: int = OLD_DIM) -> npt.NDArray[np.float32]:
    v = np.random.default_rng(seed).standard_normal(dim).astype(np.float32)
    return v / np.linalg.norm(v)


def enroll(store: FaceStore, gallery: str, subject: str, seed: int) -> list[str]:
    image = hashlib.sha256(f"{subject}/{seed}".encode()).hexdigest()
    face = FaceEmbedding(unit(seed), image, 0, 0.9, {"n": str(seed)}, crop_png(seed))
    return store.enroll(gallery, subject, [face], *OLD, create_gallery=False)


def migrate_pages(store: FaceStore, gallery: str, limit: int, pages: int = 10**6) -> int:
    """Re-embed up to ``pages`` pages; how many faces were written."""
    offset: str | None = None
    written = 0
    for _ in range(pages):
        pending, offset = store.migrations.page(gallery, offset, limit)
        if pending.crops:
            store.migrations.write(gallery, pending, new_model(pending.crops))
            written += len(pending.crops)
        if offset is None:
            break
    return written


def test_a_gallery_without_crops_needs_re_enrolment(store: FaceStore) -> None:
    store.create_gallery("plain", *OLD, OLD_DIM)
    assert store.get_gallery("plain").keeps_face_crops is False
    with pytest.raises(FailedPrecondition, match="re-enrolment"):
        store.migrations.start("plain", *NEW, NEW_DIM)
    with pytest.raises(NotFound):
        store.migrations.start("nowhere", *NEW, NEW_DIM)
    # Crops handed to a gallery that does not keep them are not stored.
    enroll(store, "plain", "a", 1)
    faces = store.engine.scroll(store.collection("plain"), None, True)
    assert faces and all("face_crop" not in f.payload for f in faces)


def test_a_gallery_that_keeps_crops_enrolls_images_only(store: FaceStore) -> None:
    info = store.create_gallery("kept", *OLD, OLD_DIM, keep_face_crops=True)
    assert info.keeps_face_crops is True
    with pytest.raises(FailedPrecondition, match="enroll images"):
        store.enroll("kept", "a", [FaceEmbedding(unit(1), "0" * 64, 0, 0.5, {})], *OLD)
    with pytest.raises(FailedPrecondition, match="already bound"):
        store.migrations.start("kept", *OLD, OLD_DIM)
    # Listings never hand the crop out.
    enroll(store, "kept", "a", 1)
    (record,) = store.get_subject("kept", "a").faces
    assert record.metadata == {"n": "1"}
    (raw,) = store.engine.scroll(store.collection("kept"), None, True)
    assert raw.payload["face_crop"]


def test_migration_moves_every_face_and_switches_in_one_step(store: FaceStore) -> None:
    store.create_gallery("team", *OLD, OLD_DIM, keep_face_crops=True)
    for n in range(30):
        enroll(store, "team", f"s{n:02d}", n)
    store.migrations.start("team", *NEW, NEW_DIM)
    store.migrations.start("team", *NEW, NEW_DIM)  # idempotent
    with pytest.raises(FailedPrecondition, match="already migrating"):
        store.migrations.start("team", "other", "1", NEW_DIM)
    assert store.migrations.galleries() == ["team"]

    assert migrate_pages(store, "team", limit=8, pages=2) == 16
    progress = store.migrations.progress("team")
    assert progress is not None
    assert (progress.total, progress.migrated) == (30, 16)
    assert (progress.from_model, progress.to_model) == (OLD, NEW)

    # Meanwhile the gallery serves with its model, takes enrolls and erasures.
    assert store.identify("team", unit(3), *OLD, top_k=1)[0].subject_id == "s03"
    enroll(store, "team", "late", 100)
    assert store.delete_subject("team", "s00") == 1
    assert store.delete_subject("team", "s29") == 1
    (s05,) = store.get_subject("team", "s05").faces
    assert store.delete_face("team", s05.face_id) is True
    with pytest.raises(FailedPrecondition, match="built with model"):
        store.identify("team", unit(3, NEW_DIM), *NEW)

    # Erasures reach the new generation at once (whichever faces it held).
    left = store.migrations.progress("team")
    assert left is not None and left.total == 28
    assert migrate_pages(store, "team", limit=8) == left.total - left.migrated
    done = store.migrations.finish("team", new_model)
    assert (done.total, done.migrated) == (28, 28)
    assert store.migrations.progress("team") is None
    assert store.migrations.galleries() == []

    info = store.get_gallery("team")
    assert (info.model_name, info.model_version, info.dim) == (*NEW, NEW_DIM)
    assert info.face_count == 28 and info.keeps_face_crops
    subjects = {s.subject_id for s in store.list_subjects("team", page_size=100).subjects}
    assert "late" in subjects and not {"s00", "s05", "s29"} & subjects
    # Each face answers to its crop's new vector, and keeps its enrolment time.
    probe = new_model([crop_png(7)])[0]
    best = store.identify("team", probe, *NEW, top_k=1)[0]
    assert best.subject_id == "s07" and best.score > 0.999
    with pytest.raises(FailedPrecondition, match="built with model"):
        store.identify("team", unit(3), *OLD)
    # The next enroll goes to the new generation.
    store.enroll(
        "team",
        "after",
        [FaceEmbedding(probe, "1" * 64, 0, 0.5, {}, crop_png(7))],
        *NEW,
    )
    assert store.count("team") == 29


def test_finish_carries_over_what_changed_after_the_last_page(store: FaceStore) -> None:
    store.create_gallery("team", *OLD, OLD_DIM, keep_face_crops=True)
    for n in range(5):
        enroll(store, "team", f"s{n}", n)
    store.migrations.start("team", *NEW, NEW_DIM)
    migrate_pages(store, "team", limit=64)
    enroll(store, "team", "late", 50)
    store.delete_subject("team", "s1")
    done = store.migrations.finish("team", new_model)
    assert (done.total, done.migrated) == (5, 5)
    ids = {s.subject_id for s in store.list_subjects("team").subjects}
    assert ids == {"s0", "s2", "s3", "s4", "late"}


def test_cancel_drops_the_new_generation(store: FaceStore) -> None:
    store.create_gallery("team", *OLD, OLD_DIM, keep_face_crops=True)
    enroll(store, "team", "a", 1)
    assert store.migrations.cancel("team") is False
    store.migrations.start("team", *NEW, NEW_DIM)
    migrate_pages(store, "team", limit=8)
    assert store.migrations.cancel("team") is True
    assert store.migrations.progress("team") is None
    assert store.gallery_model("team") == OLD
    with pytest.raises(NotFound):
        store.migrations.page("team", None, 8)
    # A deleted gallery takes its migration with it.
    store.migrations.start("team", *NEW, NEW_DIM)
    assert store.delete_gallery("team") is True
    assert store.list_galleries() == [] and store.migrations.galleries() == []


def test_a_migration_resumes_where_a_restart_left_it(tmp_path: Path) -> None:
    config = StoreConfig(location=str(tmp_path / "store"))
    with open_store(config) as first:
        first.create_gallery("team", *OLD, OLD_DIM, keep_face_crops=True)
        for n in range(20):
            enroll(first, "team", f"s{n:02d}", n)
        first.migrations.start("team", *NEW, NEW_DIM)
        assert migrate_pages(first, "team", limit=8, pages=1) == 8
    with open_store(config) as second:
        assert second.migrations.galleries() == ["team"]
        progress = second.migrations.progress("team")
        assert progress is not None and (progress.total, progress.migrated) == (20, 8)
        # The faces already there are skipped.
        assert migrate_pages(second, "team", limit=8) == 12
        second.migrations.finish("team", new_model)
        assert second.gallery_model("team") == NEW
        assert second.count("team") == 20
    with open_store(config) as third:
        assert third.gallery_model("team") == NEW and third.count("team") == 20


def test_finish_refuses_until_every_face_is_there(store: FaceStore) -> None:
    store.create_gallery("team", *OLD, OLD_DIM, keep_face_crops=True)
    for n in range(3):
        enroll(store, "team", f"s{n}", n)
    store.migrations.start("team", *NEW, NEW_DIM)
    pending, _ = store.migrations.page("team", None, 64)
    assert isinstance(pending, Pending) and len(pending.crops) == 3
    # finish re-embeds what the pages did not write: everything, here.
    done = store.migrations.finish("team", new_model)
    assert done.migrated == 3 and store.gallery_model("team") == NEW
