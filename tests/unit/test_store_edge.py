"""What only the embedded engine (Qdrant Edge in its store process) promises:
acknowledged writes survive SIGKILL, index builds swap in without losing a
write, crash leftovers go, and a folder of the engine before is migrated."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from pathlib import Path

import numpy as np
import pytest
from qdrant_client import QdrantClient, models

from aurum_ml.store import (
    FaceEmbedding,
    FaceStore,
    StoreConfig,
    copy_galleries,
    face_point_id,
    open_store,
)
from aurum_ml.store.edge import EdgeEngine, roster
from aurum_ml.store.edge.process import STORE_NICENESS
from aurum_ml.store.edge.shards import INDEX_LAYOUT, MAX_EF, EdgeShards, SearchTuning
from aurum_ml.store.edge.supervision import spawn
from aurum_ml.store.edge.upgrade import MARKER
from aurum_ml.store.qdrant_engine import QdrantClientEngine
from aurum_ml.store.schema import vector_name_for

DIM = 32
MODEL = ("arcface", "1.0")


def vec(i: int, dim: int = DIM) -> np.ndarray:
    v = np.random.default_rng(i).standard_normal(dim).astype(np.float32)
    return v / np.linalg.norm(v)


def sha(i: int) -> str:
    return hashlib.sha256(str(i).encode()).hexdigest()


def enroll(store: FaceStore, i: int) -> str:
    return store.enroll("g", f"s{i:06d}", [FaceEmbedding(vec(i), sha(i), 0, 0.9, {})], *MODEL)[0]


def edge(store: FaceStore) -> EdgeEngine:
    assert isinstance(store.engine, EdgeEngine)
    return store.engine


def wait_indexed(store: FaceStore, at_least: int, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = store.index_state("g")
        if not state.building and state.indexed >= at_least:
            return
        time.sleep(0.1)
    pytest.fail(f"no index of {at_least} points within {timeout} s: {store.index_state('g')}")


# -- durability ------------------------------------------------------------------------

# Enrolls one face after another and prints each face id once acknowledged;
# a small index threshold makes index builds (export, build, swap) happen
# during the stream, so the kill lands in them too.
_STREAM = textwrap.dedent(
    """
    import hashlib, sys
    import numpy as np
    from aurum_ml.store import FaceEmbedding, StoreConfig, open_store
    store = open_store(StoreConfig(location=sys.argv[1], index_threshold=150))
    start = int(sys.argv[2])
    print("ready", flush=True)
    i = start
    while True:
        v = np.random.default_rng(i).standard_normal(32).astype(np.float32)
        sha = hashlib.sha256(str(i).encode()).hexdigest()
        ids = store.enroll("g", f"s{i:06d}", [FaceEmbedding(v, sha, 0, 0.9, {})], "arcface", "1.0")
        print(i, ids[0], flush=True)
        i += 1
    """
)


def _kill_during_stream(folder: Path, start: int, seconds: float) -> dict[int, str]:
    """Run the stream, SIGKILL it and its store process after ``seconds``;
    the acknowledged faces by number."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _STREAM, str(folder), str(start)],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout or []))
    reader.start()
    time.sleep(seconds)
    # The whole group: the stream and its store process (and any builder).
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    reader.join()
    proc.stdout.close()
    acked: dict[int, str] = {}
    for line in lines:
        parts = line.split()
        if len(parts) == 2:
            acked[int(parts[0])] = parts[1]
    return acked


def _check_survivors(folder: Path, acked: dict[int, str], attempted_up_to: int) -> None:
    with open_store(StoreConfig(location=str(folder), index_threshold=0)) as store:
        count = store.count("g")
        # Every acknowledged face is there, under its id ...
        for i, face_id in acked.items():
            subject = store.get_subject("g", f"s{i:06d}")
            assert [f.face_id for f in subject.faces] == [face_id], i
        # ... none twice (one face per subject), and at most the one in flight
        # at the kill besides them.
        page = store.list_subjects("g", page_size=1000)
        assert all(s.face_count == 1 for s in page.subjects)
        assert len(acked) <= count <= attempted_up_to


def _sigkill_rounds(tmp_path: Path, rounds: int) -> None:
    folder = tmp_path / "store"
    rnd = random.Random(20)
    acked: dict[int, str] = {}
    start = 0
    for _ in range(rounds):
        got = _kill_during_stream(folder, start, rnd.uniform(0.2, 1.5))
        acked.update(got)
        start = max(acked, default=start) + 2  # the next round starts past any in flight
        _check_survivors(folder, acked, start)


def test_acknowledged_enrolls_survive_sigkill(tmp_path: Path) -> None:
    _sigkill_rounds(tmp_path, 3)


@pytest.mark.slow
def test_acknowledged_enrolls_survive_sigkill_20_times(tmp_path: Path) -> None:
    _sigkill_rounds(tmp_path, 20)


# -- index builds ------------------------------------------------------------------------


def test_index_build_keeps_the_writes_made_while_it_ran(tmp_path: Path) -> None:
    cfg = StoreConfig(location=str(tmp_path / "store"), index_threshold=0)
    with open_store(cfg) as store:
        ids = [enroll(store, i) for i in range(400)]
        assert store.index_state("g").indexed == 0  # exact search until an index exists
        assert edge(store).build_index("aurum_g") is True
        # While it exports and builds: writes, deletes, searches all answer.
        more = [enroll(store, i) for i in range(400, 450)]
        assert store.delete_subject("g", "s000001") == 1
        assert store.delete_face("g", ids[2]) is True
        assert store.identify("g", vec(3), *MODEL, top_k=1)[0].face_id == ids[3]
        wait_indexed(store, 300)
        assert store.count("g") == 450 - 2
        for i, face_id in [(0, ids[0]), (399, ids[399]), (449, more[-1])]:
            assert store.identify("g", vec(i), *MODEL, top_k=1)[0].face_id == face_id
        assert store.identify("g", vec(1), *MODEL, top_k=1)[0].subject_id != "s000001"
    # The new generation is what opens next time, and only it is left.
    collection = tmp_path / "store" / "edge" / "aurum_g"
    assert sorted(p.name for p in collection.glob("gen-*")) == ["gen-000002"]
    with open_store(cfg) as store:
        assert store.count("g") == 448
        assert store.index_state("g").indexed >= 300


def test_an_index_of_an_older_layout_is_rebuilt_in_the_background(tmp_path: Path) -> None:
    cfg = StoreConfig(location=str(tmp_path / "store"), index_threshold=0)
    with open_store(cfg) as store:
        ids = [enroll(store, i) for i in range(400)]
        edge(store).build_index("aurum_g")
        wait_indexed(store, 400)
    collection = tmp_path / "store" / "edge" / "aurum_g"
    meta = json.loads((collection / "collection.json").read_text())
    assert meta["index_layout"] == INDEX_LAYOUT
    # What the release before wrote: no layout, float vectors in RAM.
    del meta["index_layout"]
    (collection / "collection.json").write_text(json.dumps(meta))
    # A threshold no write reaches: only the layout can start this build.
    with open_store(dataclasses.replace(cfg, index_threshold=100_000)) as store:
        deadline = time.monotonic() + 120
        while not (collection / "gen-000003").exists() or store.index_state("g").building:
            assert time.monotonic() < deadline, store.index_state("g")
            assert store.identify("g", vec(7), *MODEL, top_k=1)[0].face_id == ids[7]
            time.sleep(0.05)
        assert store.index_state("g").indexed == store.count("g") == 400
        for i in (0, 199, 399):
            assert store.identify("g", vec(i), *MODEL, top_k=1)[0].face_id == ids[i]
    assert json.loads((collection / "collection.json").read_text())["index_layout"] == INDEX_LAYOUT
    shard = json.loads((collection / "gen-000003" / "edge_config.json").read_text())
    params = shard["vectors"][meta["vector_name"]]
    assert params["memory"] == "cold" and params["quantization_config"]["scalar"]["type"] == "int8"
    # Recorded: the next open builds nothing.
    with open_store(dataclasses.replace(cfg, index_threshold=100_000)) as store:
        time.sleep(0.5)
        assert not store.index_state("g").building
    assert not (collection / "gen-000004").exists()


def test_crash_leftovers_are_removed_at_open(tmp_path: Path) -> None:
    cfg = StoreConfig(location=str(tmp_path / "store"), index_threshold=0)
    with open_store(cfg) as store:
        enroll(store, 0)
    edge_dir = tmp_path / "store" / "edge"
    (edge_dir / "tmp" / "export-dead.pkl").write_bytes(b"half")
    (edge_dir / "aurum_g" / "gen-000002" / "temp_segments").mkdir(parents=True)
    with open_store(cfg) as store:
        assert store.count("g") == 1
    assert list((edge_dir / "tmp").iterdir()) == []
    assert not (edge_dir / "aurum_g" / "gen-000002").exists()


def test_store_process_exits_with_its_server(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys
        from aurum_ml.store import StoreConfig, open_store
        store = open_store(StoreConfig(location=sys.argv[1]))
        print(store.engine.pid, flush=True)
        sys.stdin.read()
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path / "store")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    child = int(proc.stdout.readline())
    proc.kill()
    proc.communicate()
    # Its connection closed: the store process lets go of the folder.
    with open_store(StoreConfig(location=str(tmp_path / "store"))) as store:
        assert store.list_galleries() == []
    with pytest.raises(ProcessLookupError):
        for _ in range(100):
            os.kill(child, 0)
            time.sleep(0.05)


def _thread_niceness(pid: int) -> set[int]:
    return {
        os.getpriority(os.PRIO_PROCESS, int(tid.name))
        for tid in Path(f"/proc/{pid}/task").iterdir()
    }


@pytest.mark.skipif(sys.platform != "linux", reason="per-thread niceness is Linux's")
def test_store_process_and_index_builder_yield_the_cores_to_serving(tmp_path: Path) -> None:
    own = os.getpriority(os.PRIO_PROCESS, 0)
    engine = EdgeEngine(":memory:")
    try:
        # Every thread, the engine's included: a thread started before the
        # nice would keep serving's priority.
        assert _thread_niceness(engine.pid) == {min(19, own + STORE_NICENESS)}
    finally:
        engine.close()
    proc, conn = spawn("aurum_ml.store.edge.builder")
    try:
        # The builder lowers itself before it reads its job.
        deadline = time.monotonic() + 60
        while _thread_niceness(proc.pid) != {19} and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _thread_niceness(proc.pid) == {19}
        # A job that fails at once (no export), so that it exits cleanly.
        conn.send(
            {
                "export": str(tmp_path / "missing.pkl"),
                "target": str(tmp_path / "gen-000001"),
                "vector_name": "v",
                "dim": DIM,
                "keyword_fields": [],
                "tuning": {},
            }
        )
        assert conn.poll(60)
        assert conn.recv()[0] == "failed"
    finally:
        conn.close()
        proc.wait(30)


# -- upgrade -----------------------------------------------------------------------------


def _write_local_mode_folder(folder: Path, n: int) -> list[str]:
    """A folder as the store wrote it before Qdrant Edge: qdrant-client's
    local mode, one collection per gallery, the model in the vector name."""
    vector_name = vector_name_for(*MODEL)
    client = QdrantClient(path=str(folder))
    client.create_collection(
        "aurum_g",
        vectors_config={
            vector_name: models.VectorParams(size=DIM, distance=models.Distance.COSINE)
        },
    )
    ids = [face_point_id("g", f"s{i:06d}", sha(i), 0, *MODEL) for i in range(n)]
    client.upsert(
        "aurum_g",
        points=[
            models.PointStruct(
                id=ids[i],
                vector={vector_name: vec(i).tolist()},
                payload={
                    "gallery": "g",
                    "subject_id": f"s{i:06d}",
                    "model_name": MODEL[0],
                    "model_version": MODEL[1],
                    "image_sha256": sha(i),
                    "face_index": 0,
                    "quality": 0.9,
                    "metadata": {"n": str(i)},
                    "enrolled_at": 1000.0 + i,
                },
            )
            for i in range(n)
        ],
    )
    client.close()
    return ids


def test_a_local_mode_folder_is_migrated_on_first_open(tmp_path: Path) -> None:
    folder = tmp_path / "qdrant"
    ids = _write_local_mode_folder(folder, 1500)
    with open_store(StoreConfig(location=str(folder))) as store:
        assert store.count("g") == 1500
        assert store.get_gallery("g").model_version == MODEL[1]
        for i in (0, 777, 1499):
            assert store.identify("g", vec(i), *MODEL, top_k=1)[0].face_id == ids[i]
            face = store.get_subject("g", f"s{i:06d}").faces[0]
            assert (face.metadata, face.enrolled_at) == ({"n": str(i)}, 1000.0 + i)
        enroll(store, 5000)
    assert (folder / MARKER).exists()
    # Migrated once: the new face stays, nothing is copied again.
    with open_store(StoreConfig(location=str(folder))) as store:
        assert store.count("g") == 1501


def test_store_migrate_command_upgrades_a_local_mode_folder(tmp_path: Path) -> None:
    folder = tmp_path / "qdrant"
    _write_local_mode_folder(folder, 300)
    done = subprocess.run(
        [sys.executable, "-m", "aurum_ml.cli", "store", "migrate"],
        env={**os.environ, "AURUM_QDRANT_LOCATION": str(folder)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert '"faces": {"g": 300}' in done.stdout
    assert (folder / MARKER).exists()


# -- moving to a server ------------------------------------------------------------------


def test_copy_galleries_to_a_qdrant_server(tmp_path: Path) -> None:
    cfg = StoreConfig(location=str(tmp_path / "store"), index_threshold=0)
    # qdrant-client in memory answers the server's API: the server's stand-in.
    target = FaceStore(
        QdrantClientEngine(QdrantClient(location=":memory:"), local=True), StoreConfig()
    )
    with open_store(cfg) as source:
        ids = [enroll(source, i) for i in range(700)]
        source.create_gallery("empty", "sface", "2", 128)
        assert copy_galleries(source, target) == {"empty": 0, "g": 700}
        # Run again: the same points are rewritten, nothing doubles.
        copy_galleries(source, target)
    assert target.count("g") == 700
    assert target.get_gallery("empty").dim == 128
    for i in (0, 350, 699):
        assert target.identify("g", vec(i), *MODEL, top_k=1)[0].face_id == ids[i]
    target.close()


def test_search_ef_grows_with_the_gallery() -> None:
    # At 1M faces ef 256 found recall@5 0.853 and 2048 0.992 (store_bench --ef).
    tuning = SearchTuning()
    assert tuning.ef_for(0) == tuning.ef_for(100_000) == 256
    assert tuning.ef_for(500_000) == 1024 and tuning.ef_for(1_000_000) == 2048
    assert tuning.ef_for(10**8) == MAX_EF
    assert SearchTuning(hnsw_ef=3000).ef_for(1_000_000) == 3000


# -- subject rosters ------------------------------------------------------------------------


def _truth(shards: EdgeShards, name: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for _, payload in shards.scroll(name, None, ["subject_id"]):
        counts[payload["subject_id"]] = counts.get(payload["subject_id"], 0) + 1
    return counts


def test_a_roster_read_in_steps_counts_the_writes_made_meanwhile(tmp_path: Path) -> None:
    rng = random.Random(5)

    def points(n: int) -> tuple[list[str], np.ndarray, list[dict[str, str]]]:
        ids = [str(uuid.uuid4()) for _ in range(n)]
        subjects = [{"subject_id": f"s{rng.randrange(400):04d}"} for _ in range(n)]
        return ids, np.stack([vec(i, 8) for i in range(n)]), subjects

    shards = EdgeShards(tmp_path, SearchTuning())
    shards.open()
    shards.create_collection("c", "v", 8, ["subject_id"])
    ids, vectors, payloads = points(5000)
    shards.upsert("c", "v", ids, vectors, payloads)
    shards.close()

    shards = EdgeShards(tmp_path, SearchTuning())
    shards.open()  # its roster starts unread
    assert shards.roster_pending()
    steps = 0
    while shards.roster_pending():
        shards.roster_step()
        steps += 1
        # Writes on both sides of where the reading is: new points, points
        # rewritten under another subject, deleted points, a deleted subject.
        new_ids, new_vectors, new_payloads = points(20)
        shards.upsert("c", "v", new_ids, new_vectors, new_payloads)
        moved = rng.sample(ids, 10)
        shards.upsert("c", "v", moved, vectors[:10], [{"subject_id": "moved"}] * 10)
        shards.delete_points("c", rng.sample(ids, 10))
        shards.delete_where("c", {"subject_id": f"s{rng.randrange(400):04d}"})
        ids += new_ids
    assert steps == -(-5000 // roster.STEP)
    truth = _truth(shards, "c")
    assert shards.values("c", "subject_id", None, 10_000) == (sorted(truth.items()), False)
    assert shards.distinct("c", "subject_id") == len(truth)
    shards.close()


def test_the_engine_scrolls_in_uuid_order(tmp_path: Path) -> None:
    # What a roster read in steps relies on (roster.py).
    shards = EdgeShards(tmp_path, SearchTuning())
    shards.open()
    shards.create_collection("c", "v", 8, ["subject_id"])
    ids = [str(uuid.uuid4()) for _ in range(3000)]
    payloads = [{"subject_id": "s"}] * len(ids)
    shards.upsert("c", "v", ids, np.stack([vec(i, 8) for i in range(len(ids))]), payloads)
    order = [point_id for point_id, _ in shards.scroll("c", None, False)]
    assert order == sorted(ids, key=uuid.UUID)
    shards.close()


def test_a_listing_asked_for_early_reads_the_rest_of_the_roster_first(tmp_path: Path) -> None:
    cfg = StoreConfig(location=str(tmp_path / "store"), index_threshold=0)
    with open_store(cfg) as store:
        store.enroll_batch(
            "g",
            [(f"s{i:06d}", [FaceEmbedding(vec(i), sha(i), 0, 0.9, {})]) for i in range(3000)],
            *MODEL,
        )
    with open_store(cfg) as store:
        page = store.list_subjects("g", page_size=1000)
        assert [s.subject_id for s in page.subjects] == [f"s{i:06d}" for i in range(1000)]
        assert store.get_gallery("g").subject_count == 3000
