"""The faceScoring job queue: a real Redis, real servers consuming it, the app's
Node producer (npm bullmq) and the Python bullmq client for counting."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import shutil
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import httpx
import numpy as np
import pytest
from bullmq import Queue

from aurum_ml.testing import ROOT, RedisProcess, ServerProcess, running_redis, start_server

NODE_DIR = ROOT / "clients" / "node"
QUEUE = "faceScoring"
#: Short locks so a killed replica's jobs move on within seconds, not 30 s.
FAST_STALL = {
    "AURUM_QUEUE_LOCK_DURATION_MS": "2000",
    "AURUM_QUEUE_STALLED_INTERVAL_MS": "1000",
}


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisProcess]:
    with running_redis() as r:
        yield r


def _server(redis: RedisProcess, **env: str) -> ServerProcess:
    return start_server({"AURUM_QUEUE_REDIS_URL": redis.url, **env})


@pytest.fixture(scope="module")
def srv(redis: RedisProcess) -> Iterator[ServerProcess]:
    server = _server(redis)
    yield server
    assert server.stop() == 0, server.log()


def _produce(redis: RedisProcess, files: list[Path], *args: str) -> list[dict[str, Any]]:
    """The app's producer: one job per file, waits for all, one JSON line each."""
    node = shutil.which("node")
    assert node is not None, "Node.js is needed for the queue tests"
    out = subprocess.run(
        [node, str(NODE_DIR / "score-jobs.js"), "--redis", redis.url, *args, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode in (0, 1), out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


def _counts(redis: RedisProcess, name: str = QUEUE) -> dict[str, int]:
    async def read() -> dict[str, int]:
        queue = Queue(name, {"connection": redis.url})
        try:
            counts: dict[str, int] = await queue.getJobCounts(
                "waiting", "active", "completed", "failed", "delayed"
            )
            return counts
        finally:
            await queue.close()

    return asyncio.run(read())


def _add(redis: RedisProcess, name: str, images: list[bytes], **opts: Any) -> None:
    async def add() -> None:
        queue = Queue(name, {"connection": redis.url})
        try:
            for i, data in enumerate(images):
                job = {"image": base64.b64encode(data).decode(), "userId": f"u{i}"}
                await queue.add("score", job, {"attempts": 3, **opts})
        finally:
            await queue.close()

    asyncio.run(add())


def _wait_for(
    redis: RedisProcess, done: int, name: str = QUEUE, timeout: float = 120.0
) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    counts = _counts(redis, name)
    while counts["completed"] + counts["failed"] < done and time.monotonic() < deadline:
        time.sleep(0.2)
        counts = _counts(redis, name)
    return counts


def _completed_ids(*servers: ServerProcess) -> Counter[str]:
    """Job ids each server logged as completed, over all of them."""
    pattern = re.compile(r'"job_id": "([^"]+)", "outcome": "completed"')
    return Counter(m.group(1) for s in servers for m in pattern.finditer(s.log()))


def _variants(photos: Path, tmp: Path) -> dict[str, Path]:
    """The bundled photos, and yaoming.jpg rotated and shrunk, as JPEG files."""
    out = {name: photos / name for name in ("yaoming.jpg", "players.jpg", "gdp.jpg")}
    yao = cv2.imread(str(photos / "yaoming.jpg"))
    h, w = yao.shape[:2]
    for angle in (10, 30):
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        rotated = cv2.warpAffine(yao, m, (w, h), borderMode=cv2.BORDER_REPLICATE)
        out[f"rot{angle}"] = tmp / f"yao-rot{angle}.jpg"
        cv2.imwrite(str(out[f"rot{angle}"]), rotated, [cv2.IMWRITE_JPEG_QUALITY, 95])
    small = cv2.resize(yao, (w * 2 // 5, h * 2 // 5), interpolation=cv2.INTER_AREA)
    out["small"] = tmp / "yao-small.jpg"
    cv2.imwrite(str(out["small"]), small, [cv2.IMWRITE_JPEG_QUALITY, 95])
    return out


def test_node_producer_jobs_score_like_rest(srv, redis, photos, tmp_path):
    files = _variants(photos, tmp_path)
    order = list(files.values())
    batch = [order[i % len(order)] for i in range(100)]
    lines = _produce(redis, batch, "--data-url")
    assert len(lines) == 100
    assert all(line["state"] == "completed" for line in lines), lines[:3]
    by_file: dict[str, dict[str, Any]] = {}
    for line in lines:
        first = by_file.setdefault(line["file"], line["result"])
        # The same image gives the same answer, faceId included.
        assert line["result"]["faceId"] == first["faceId"]
        assert line["result"]["embedding"] == first["embedding"]
    with httpx.Client(base_url=srv.rest_url, timeout=60) as http:
        for name, path in files.items():
            result = by_file[str(path)]
            rest = http.post(
                "/api/extract-embedding",
                json={"image": base64.b64encode(path.read_bytes()).decode()},
            ).json()
            a = np.asarray(result["embedding"], np.float64)
            b = np.asarray(rest["embedding"]["embedding"], np.float64)
            cosine = float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
            assert cosine == pytest.approx(1.0, abs=1e-6), name
            assert result["quality"] == pytest.approx(rest["embedding"]["quality"], rel=1e-6)
            assert result["confidence"] == pytest.approx(rest["embedding"]["confidence"], rel=1e-6)
            assert result["detectionData"]["bbox"] == pytest.approx(rest["face"]["bbox"])
            for key in ("frontality", "symmetry", "resolution", "quality"):
                assert 0.0 <= result[key] <= 1.0, (name, key)
    yao = by_file[str(files["yaoming.jpg"])]
    assert yao["frontality"] > by_file[str(files["rot10"])]["frontality"]
    assert by_file[str(files["rot10"])]["frontality"] > by_file[str(files["rot30"])]["frontality"]
    assert yao["resolution"] > by_file[str(files["small"])]["resolution"]
    assert yao["symmetry"] > 0.5 and len(yao["embedding"]) == 512


def test_bad_jobs_fail_once_with_a_reason(srv, redis, tmp_path):
    text = tmp_path / "notes.jpg"
    text.write_text("not an image")
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((200, 300, 3), 127, np.uint8))
    lines = {Path(line["file"]).name: line for line in _produce(redis, [text, blank])}
    for name, words in (("notes.jpg", "unsupported image format"), ("blank.png", "no face")):
        line = lines[name]
        assert line["state"] == "failed", line
        assert words in line["failedReason"], line
        # attempts: 3 in the producer, but bad input is never retried.
        assert line["attemptsMade"] == 1, line


def test_enrolled_jobs_store_each_face_once(srv, redis, photos):
    yao = (photos / "yaoming.jpg").read_bytes()

    async def add_twice() -> None:
        queue = Queue(QUEUE, {"connection": redis.url})
        try:
            for _ in range(2):
                data = {
                    "image": base64.b64encode(yao).decode(),
                    "userId": "yao",
                    "metadata": {"enrollGallery": "jobs-enrolled", "source": "test"},
                }
                await queue.add("score", data, {"attempts": 1})
        finally:
            await queue.close()

    before = _counts(redis)
    asyncio.run(add_twice())
    counts = _wait_for(redis, before["completed"] + before["failed"] + 2)
    assert counts["completed"] == before["completed"] + 2
    with httpx.Client(base_url=srv.rest_url, timeout=30) as http:
        subject = http.get("/api/faces/galleries/jobs-enrolled/subjects/yao").json()
        assert subject["face_count"] == 1, subject
        assert subject["faces"][0]["metadata"] == {"source": "test"}
        health = http.get("/api/health").json()
        assert health["services"]["queue"] == {"status": "SERVING", "reason": ""}
        assert http.get("/api/status").json()["queue"]["connected"] is True
        http.delete("/api/faces/galleries/jobs-enrolled")


def test_sigterm_finishes_active_jobs_and_loses_none(redis, photos):
    # A queue of its own: the module's server consumes the default one.
    name = "faceScoring-sigterm"
    players = (photos / "players.jpg").read_bytes()
    server = _server(redis, AURUM_QUEUE_NAME=name, AURUM_QUEUE_CONCURRENCY="2")
    try:
        _add(redis, name, [players] * 30)
        _wait_for(redis, 4, name)
        code = server.stop(signal.SIGTERM)
    finally:
        server.stop()
    assert code == 0, server.log()
    counts = _counts(redis, name)
    assert counts["active"] == 0 and counts["failed"] == 0, counts
    assert counts["completed"] + counts["waiting"] == 30, counts
    assert counts["completed"] >= 4
    # Another consumer takes up what was left.
    server = _server(redis, AURUM_QUEUE_NAME=name)
    try:
        counts = _wait_for(redis, 30, name)
    finally:
        assert server.stop() == 0
    assert counts["completed"] == 30, counts


def test_two_replicas_share_the_queue_and_survive_a_sigkill(redis, photos):
    name = "faceScoring-replicas"
    yao = (photos / "yaoming.jpg").read_bytes()
    a = _server(redis, AURUM_QUEUE_NAME=name, **FAST_STALL)
    b = _server(redis, AURUM_QUEUE_NAME=name, **FAST_STALL)
    try:
        _add(redis, name, [yao] * 200)
        _wait_for(redis, 100, name)
        a.stop(signal.SIGKILL)
        counts = _wait_for(redis, 200, name, timeout=120)
    finally:
        a.stop()
        assert b.stop() == 0
    assert counts["completed"] == 200 and counts["failed"] == 0, counts
    # A consumer logs a job's result before BullMQ records it, so every job
    # is in the logs, and only the jobs the killed replica had in hand (at
    # most its concurrency, 2) may have been worked on twice; Redis holds
    # each result once either way.
    done = _completed_ids(a, b)
    assert len(done) == 200
    assert sum(done.values()) - 200 <= 2, [j for j, n in done.items() if n > 1]
    # Both replicas took jobs.
    assert _completed_ids(a) and _completed_ids(b)


def test_a_redis_restart_loses_and_doubles_no_job(photos):
    yao = (photos / "yaoming.jpg").read_bytes()
    with running_redis(persistent=True) as own:
        server = _server(own, **FAST_STALL)
        try:
            _add(own, QUEUE, [yao] * 40)
            _wait_for(own, 10)
            own.restart()
            counts = _wait_for(own, 40, timeout=90)
            health_after = _counts(own)
        finally:
            assert server.stop() == 0, server.log()
    assert counts["completed"] == 40 and counts["failed"] == 0, counts
    assert health_after["active"] == 0
    done = _completed_ids(server)
    assert len(done) == 40
    # A job the consumer finished while Redis was down is worked on again once
    # Redis is back (its result could not be recorded): at most its concurrency.
    assert sum(done.values()) - 40 <= 2, [j for j, n in done.items() if n > 1]


def test_jobs_still_running_after_the_grace_are_left_to_another_consumer(redis, photos):
    name = "faceScoring-grace"
    players = (photos / "players.jpg").read_bytes()
    server = _server(
        redis, AURUM_QUEUE_NAME=name, AURUM_SHUTDOWN_GRACE_S="0", AURUM_WORKERS="1", **FAST_STALL
    )
    try:
        _add(redis, name, [players] * 30)
        _wait_for(redis, 2, name)
        began = time.monotonic()
        code = server.stop(signal.SIGTERM)
        stopped_in = time.monotonic() - began
    finally:
        server.stop()
    assert code == 0, server.log()
    # No grace: the server does not wait for its active jobs...
    assert stopped_in < 5, stopped_in
    # ...which keep their lock until it expires; the next consumer's stalled
    # check then takes them, and every job completes.
    server = _server(redis, AURUM_QUEUE_NAME=name, **FAST_STALL)
    try:
        counts = _wait_for(redis, 30, name, timeout=60)
    finally:
        assert server.stop() == 0
    assert counts["completed"] == 30 and counts["failed"] == 0, counts
