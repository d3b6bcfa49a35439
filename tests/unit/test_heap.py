"""Heap trimming after bursts: the real glibc call, and when the trimmer fires."""

from __future__ import annotations

import asyncio
import threading

import numpy as np
import pytest

from aurum_ml.runtime.heap import IdleHeapTrimmer, trim_heap

glibc_only = pytest.mark.skipif(
    not IdleHeapTrimmer(lambda: 0, lambda: 0, 1.0).available,
    reason="malloc_trim is glibc's; this C library has none",
)


def _rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


@glibc_only
def test_trim_gives_freed_arena_memory_back() -> None:
    kept: list[list[np.ndarray]] = []

    def burst() -> None:
        # 100 MB in 100 kB blocks, under glibc's smallest mmap threshold
        # (128 KiB), so they live in this thread's arena. Every other block is
        # freed and the rest stay alive: the holes sit between live blocks,
        # where glibc never trims by itself.
        blocks = [np.ones(100_000, np.uint8) for _ in range(1000)]
        del blocks[::2]
        kept.append(blocks)

    threads = [threading.Thread(target=burst) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    before = _rss_mib()
    assert trim_heap()
    assert _rss_mib() < before - 40
    assert sum(len(b) for b in kept) == 1000  # the surviving half is still alive


def test_trimmer_waits_for_idle_after_work() -> None:
    state = {"in_flight": 0, "admitted": 0}
    collections: list[int] = []
    trimmer = IdleHeapTrimmer(
        lambda: state["in_flight"],
        lambda: state["admitted"],
        0.02,
        collect=lambda: collections.append(trimmer.trims),
    )
    if not trimmer.available:
        pytest.skip("malloc_trim is glibc's; this C library has none")

    async def scenario() -> list[int]:
        task = asyncio.create_task(trimmer.run())
        seen = []
        await asyncio.sleep(0.1)
        seen.append(trimmer.trims)  # no work yet: nothing to give back
        state.update(in_flight=1, admitted=1)
        await asyncio.sleep(0.1)
        seen.append(trimmer.trims)  # busy: never trims under load
        # Steady traffic: nothing in flight at most looks, but new requests
        # keep coming, so no interval is ever quiet.
        for n in range(2, 42):
            state.update(in_flight=0, admitted=n)
            await asyncio.sleep(0.002)
        seen.append(trimmer.trims)
        await asyncio.sleep(0.1)
        seen.append(trimmer.trims)  # a quiet interval after work: one trim
        await asyncio.sleep(0.1)
        seen.append(trimmer.trims)  # still idle, no new work: no more
        task.cancel()
        return seen

    assert asyncio.run(scenario()) == [0, 0, 0, 1, 1]
    assert collections == [0]  # garbage collected once, just before the trim


def test_interval_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        IdleHeapTrimmer(lambda: 0, lambda: 0, 0.0)
