"""The worker pool: admission, waiting for a slot, and deadlines."""

from __future__ import annotations

import asyncio
import os
import threading
import time

import pytest

from aurum_ml.core.workers import BACKGROUND_NICENESS, Deadline, WorkerPool
from aurum_ml.errors import DeadlineExceeded, Overloaded


def _hold(release: threading.Event, started: threading.Event):
    def work(_: Deadline) -> str:
        started.set()
        release.wait(5)
        return "first"

    return work


def test_a_full_pool_refuses_calls_but_a_waiting_call_gets_the_next_slot():
    async def scenario() -> None:
        pool = WorkerPool(workers=1, max_pending=1, max_request_s=5.0)
        release, started = threading.Event(), threading.Event()
        first = asyncio.ensure_future(pool.run(_hold(release, started), None))
        await asyncio.to_thread(started.wait, 5)
        with pytest.raises(Overloaded):
            await pool.run(lambda _: "refused", None)
        waiting = asyncio.ensure_future(pool.run(lambda _: "second", None, wait=True))
        await asyncio.sleep(0.1)
        assert not waiting.done()
        release.set()
        assert await first == "first" and await waiting == "second"
        assert pool.admission.in_flight == 0
        pool.close()

    asyncio.run(scenario())


def test_time_spent_waiting_for_a_slot_counts_against_the_deadline():
    async def scenario() -> None:
        pool = WorkerPool(workers=1, max_pending=1, max_request_s=5.0)
        release, started = threading.Event(), threading.Event()
        first = asyncio.ensure_future(pool.run(_hold(release, started), None))
        await asyncio.to_thread(started.wait, 5)
        threading.Timer(0.6, release.set).start()

        def slow(_: Deadline) -> str:
            time.sleep(0.6)
            return "too late"

        began = time.monotonic()
        with pytest.raises(DeadlineExceeded):
            await pool.run(slow, 1.0, wait=True)
        # 0.6 s waiting + 0.6 s running > 1 s: refused at the 1 s mark, not at 1.6.
        assert time.monotonic() - began < 1.3
        await first
        pool.close()

    asyncio.run(scenario())


def test_a_waiting_call_gives_up_when_its_deadline_passes():
    async def scenario() -> None:
        pool = WorkerPool(workers=1, max_pending=1, max_request_s=5.0)
        release, started = threading.Event(), threading.Event()
        first = asyncio.ensure_future(pool.run(_hold(release, started), None))
        await asyncio.to_thread(started.wait, 5)
        with pytest.raises(Overloaded):
            await pool.run(lambda _: "never", 0.3, wait=True)
        release.set()
        await first
        assert pool.admission.in_flight == 0
        pool.close()

    asyncio.run(scenario())


@pytest.mark.skipif(not hasattr(os, "setpriority"), reason="thread niceness is Linux's")
def test_background_work_runs_on_low_priority_threads():
    async def scenario() -> tuple[int, int]:
        pool = WorkerPool(workers=1, max_pending=4, max_request_s=5.0, background_workers=1)

        def niceness(_: Deadline) -> int:
            return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

        try:
            return await pool.run(niceness, None), await pool.run(niceness, None, background=True)
        finally:
            pool.close()

    normal, background = asyncio.run(scenario())
    assert background - normal == BACKGROUND_NICENESS
