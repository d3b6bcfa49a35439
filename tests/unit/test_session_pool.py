"""The session pool's solo session: taken by a run that has the process to
itself, never while another run is in flight, and giving the same answers."""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from aurum_ml.bootstrap import PRIMARY_ROLES, build_core
from aurum_ml.manifest import Manifest
from aurum_ml.runtime.session_pool import (
    RunCount,
    SessionOptions,
    SessionPool,
    mark_background_thread,
)
from aurum_ml.runtime.threads import pool_threads, solo_threads, usable_cpus
from aurum_ml.settings import Settings
from aurum_ml.testing import ROOT

EMBEDDER = ROOT / "models" / "w600k_mbf.onnx"


@pytest.fixture(scope="module")
def runs() -> RunCount:
    return RunCount()


@pytest.fixture(scope="module")
def pool(runs: RunCount) -> SessionPool:
    options = SessionOptions(pool_size=2, intra_op_threads=1, solo_intra_op_threads=2)
    return SessionPool(EMBEDDER, options, runs)


@pytest.fixture(scope="module")
def reference() -> SessionPool:
    return SessionPool(EMBEDDER, SessionOptions(intra_op_threads=1), RunCount())


def _faces(n: int) -> list[np.ndarray]:
    rng = np.random.default_rng(3)
    return [rng.uniform(-1, 1, (1, 3, 112, 112)).astype(np.float32) for _ in range(n)]


def test_a_lone_run_takes_the_solo_session(pool: SessionPool, reference: SessionPool) -> None:
    assert pool.has_solo
    (x,) = _faces(1)
    before = pool.solo_runs
    got = pool.run({"input.1": x})[0]
    assert pool.solo_runs == before + 1
    # Two threads sum in another order than one: equal up to float rounding.
    np.testing.assert_allclose(got, reference.run({"input.1": x})[0], rtol=1e-4, atol=1e-4)


def test_a_run_beside_another_takes_a_pool_session(
    pool: SessionPool, runs: RunCount, reference: SessionPool
) -> None:
    (x,) = _faces(1)
    before = pool.solo_runs
    with runs.running():  # another model's run, in flight meanwhile
        got = pool.run({"input.1": x})[0]
        assert runs.value == 1
    assert pool.solo_runs == before
    assert runs.value == 0
    np.testing.assert_allclose(got, reference.run({"input.1": x})[0], rtol=1e-4, atol=1e-4)


def test_concurrent_callers_each_get_their_own_answer(
    pool: SessionPool, runs: RunCount, reference: SessionPool
) -> None:
    faces = _faces(24)
    want = [reference.run({"input.1": x})[0] for x in faces]
    start = threading.Barrier(6)

    def call(i: int) -> np.ndarray:
        if i < 6:
            start.wait()
        return pool.run({"input.1": faces[i]})[0]

    with ThreadPoolExecutor(6) as ex:
        got = list(ex.map(call, range(len(faces))))
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-4)
    assert runs.value == 0


class SlowToRead(RunCount):
    """A count whose plain read takes a while, as if the GIL switched threads
    right after it: a check-then-count race would show at once."""

    @property
    def value(self) -> int:
        seen = super().value
        time.sleep(0.002)
        return seen


def test_two_pools_never_run_their_solo_sessions_at_once() -> None:
    shared = SlowToRead()
    options = SessionOptions(pool_size=2, intra_op_threads=1, solo_intra_op_threads=2)
    pools = [SessionPool(EMBEDDER, options, shared) for _ in range(2)]
    solo_busy = [0]
    overlaps = [0]
    guard = threading.Lock()
    real = [p._solo for p in pools]

    class Watched:
        """A solo session that notes whether another solo run is in flight."""

        def __init__(self, inner: object) -> None:
            self.inner = inner

        def run(self, *args: object) -> object:
            with guard:
                solo_busy[0] += 1
                overlaps[0] += solo_busy[0] > 1
            try:
                return self.inner.run(*args)  # type: ignore[attr-defined]
            finally:
                with guard:
                    solo_busy[0] -= 1

    for p, inner in zip(pools, real, strict=True):
        p._solo = Watched(inner)  # type: ignore[assignment]
    (x,) = _faces(1)
    # Two callers, one per pool, start together from an idle process each round:
    # exactly the moment both could see "nothing in flight".
    start = threading.Barrier(2)

    def call(i: int) -> None:
        for _ in range(10):
            start.wait()
            pools[i].run({"input.1": x})

    with ThreadPoolExecutor(2) as ex:
        list(ex.map(call, range(2)))
    assert overlaps[0] == 0
    assert sum(p.solo_runs for p in pools) >= 10  # one of each pair ran solo
    assert shared.value == 0


def test_claim_if_idle_counts_only_when_nothing_runs() -> None:
    count = RunCount()
    assert count.claim_if_idle() and count.value == 1
    assert not count.claim_if_idle() and count.value == 1
    count.done()
    with count.running():
        assert not count.claim_if_idle()
    assert count.value == 0


def test_a_failing_run_leaves_the_count_at_zero(pool: SessionPool, runs: RunCount) -> None:
    with pytest.raises(Exception, match="input"):
        pool.run({"input.1": np.zeros((1, 3, 7, 7), dtype=np.float32)})
    assert runs.value == 0
    (x,) = _faces(1)
    before = pool.solo_runs
    pool.run({"input.1": x})
    assert pool.solo_runs == before + 1  # the solo session was given back


def test_a_background_thread_never_takes_the_solo_session(pool: SessionPool) -> None:
    (x,) = _faces(1)
    before = pool.solo_runs
    results: list[np.ndarray] = []

    def job() -> None:
        mark_background_thread()
        results.append(pool.run({"input.1": x})[0])

    t = threading.Thread(target=job)
    t.start()
    t.join(30)
    # Alone in the process, yet on a one-thread pool session.
    assert len(results) == 1 and pool.solo_runs == before
    pool.run({"input.1": x})
    assert pool.solo_runs == before + 1  # other threads still get it


def test_no_solo_session_unless_asked() -> None:
    plain = SessionPool(EMBEDDER, SessionOptions(intra_op_threads=1), RunCount())
    assert not plain.has_solo
    plain.run({"input.1": _faces(1)[0]})
    assert plain.solo_runs == 0


def test_only_the_detector_and_embedder_get_a_solo_session(manifest: Manifest) -> None:
    settings = Settings(models_dir=manifest.directory)
    core = build_core(settings, store=False)
    try:
        solo = {e.role: e.pool is not None and e.pool.has_solo for e in core.registry.entries()}
    finally:
        core.close()
    wanted = solo_threads(True, 0, settings.pool_size) is not None  # not on a one-CPU machine
    assert solo == {role: wanted and role in PRIMARY_ROLES for role in manifest.models}


def test_pool_threads_share_the_cpus_out() -> None:
    cpus = usable_cpus()
    assert pool_threads(0, 2) == max(1, cpus // 2)
    assert pool_threads(0, cpus * 4) == 1
    assert pool_threads(3, 2) == 3


def _rss_mib() -> float:
    with open(f"/proc/{os.getpid()}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def test_a_large_batch_gives_its_memory_back_to_the_shared_arena() -> None:
    pool = SessionPool(EMBEDDER, SessionOptions(intra_op_threads=1, shared_arena=True), RunCount())
    (x,) = _faces(1)
    pool.run({"input.1": x})
    before = _rss_mib()
    big = pool.run({"input.1": np.repeat(x, 48, axis=0)})[0]
    # 48 faces at once need ~220 MiB of tensors; kept, they would stay in RSS.
    assert _rss_mib() - before < 80
    np.testing.assert_allclose(big[47], pool.run({"input.1": x})[0][0], rtol=1e-4, atol=1e-4)


def test_no_solo_session_where_the_pool_already_has_every_cpu() -> None:
    cpus = usable_cpus()
    assert solo_threads(True, 0, 1) is None
    assert solo_threads(False, 0, 2) is None
    assert solo_threads(True, 0, 2) == (cpus if cpus > 1 else None)
