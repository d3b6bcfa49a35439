"""The micro-batcher: same answers as single runs, each to its own caller,
and a failing request fails alone."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from aurum_ml.runtime import SessionPool
from aurum_ml.runtime.batcher import BatchingRunner
from aurum_ml.testing import ROOT


@pytest.fixture(scope="module")
def pool() -> SessionPool:
    return SessionPool(ROOT / "models" / "w600k_mbf.onnx")


def _inputs(n: int) -> list[np.ndarray]:
    rng = np.random.default_rng(11)
    return [rng.uniform(-1, 1, (1, 3, 112, 112)).astype(np.float32) for _ in range(n)]


def _concurrently(runner: BatchingRunner, inputs: list[np.ndarray]) -> list[object]:
    start = threading.Barrier(len(inputs))

    def call(x: np.ndarray) -> object:
        start.wait()
        try:
            return runner.run({"input.1": x})[0]
        except Exception as e:
            return e

    with ThreadPoolExecutor(len(inputs)) as ex:
        return list(ex.map(call, inputs))


def test_batched_equals_single_and_each_caller_gets_its_own(pool):
    inputs = _inputs(8)
    single = [pool.run({"input.1": x})[0] for x in inputs]
    runner = BatchingRunner(pool, max_batch=16, max_wait_ms=50)
    results = _concurrently(runner, inputs)
    for got, want in zip(results, single, strict=True):
        assert isinstance(got, np.ndarray)
        np.testing.assert_allclose(got, want, atol=1e-4)
    assert runner.stats.items == 8
    assert runner.stats.runs < 8, "concurrent calls were never batched"
    assert runner.stats.max_rows > 1


def test_multi_row_items_split_back(pool):
    runner = BatchingRunner(pool, max_batch=16, max_wait_ms=50)
    rng = np.random.default_rng(5)
    inputs = [rng.uniform(-1, 1, (k, 3, 112, 112)).astype(np.float32) for k in (3, 1, 2)]
    results = _concurrently(runner, inputs)
    for got, x in zip(results, inputs, strict=True):
        assert isinstance(got, np.ndarray)
        assert got.shape == (x.shape[0], 512)
        np.testing.assert_allclose(got, pool.run({"input.1": x})[0], atol=1e-4)


def test_failing_request_fails_alone(pool):
    inputs = _inputs(4)
    # float64 has the same shape, so it joins the batch, but ORT refuses the
    # merged run; the batcher must then fail only this caller.
    inputs[2] = inputs[2].astype(np.float64)
    runner = BatchingRunner(pool, max_batch=16, max_wait_ms=50)
    results = _concurrently(runner, inputs)
    assert isinstance(results[2], Exception)
    for i in (0, 1, 3):
        assert isinstance(results[i], np.ndarray)
        np.testing.assert_allclose(results[i], pool.run({"input.1": inputs[i]})[0], atol=1e-4)


def test_different_shapes_never_share_a_run(pool):
    det = SessionPool(ROOT / "models" / "scrfd_500m_bnkps.onnx")
    runner = BatchingRunner(det, max_batch=16, max_wait_ms=30)
    rng = np.random.default_rng(2)
    inputs = [rng.uniform(-1, 1, (1, 3, s, s)).astype(np.float32) for s in (320, 640, 320, 640)]
    results = _concurrently(runner, inputs)
    for got, x in zip(results, inputs, strict=True):
        assert isinstance(got, np.ndarray)
        np.testing.assert_allclose(got, det.run({"input.1": x})[0], atol=1e-4)


def test_lone_call_runs_without_waiting(pool):
    runner = BatchingRunner(pool, max_batch=16, max_wait_ms=0)
    x = _inputs(1)[0]
    np.testing.assert_allclose(
        runner.run({"input.1": x})[0], pool.run({"input.1": x})[0], atol=1e-5
    )
    assert runner.stats.runs == 1 and runner.queue_depth() == 0
