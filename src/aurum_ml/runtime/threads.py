"""How many ONNX Runtime threads a session gets on this machine.

ORT fixes a session's intra-op thread count when the session is built. One
count does not fit both a lone caller and many: alone, a run is fastest on
every core; under load, splitting each operator across cores costs CPU. The
pools therefore get a share of the CPUs each and, where that is less than all
of them, a "solo" session with a thread per CPU (README, "Performance and
tuning", has the measurements).
"""

from __future__ import annotations

import os


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def pool_threads(intra_op_threads: int, pool_size: int) -> int:
    """Intra-op threads of each pool session: ``intra_op_threads`` when set
    (non-zero), else the usable CPUs shared out among the pool's sessions."""
    if intra_op_threads:
        return intra_op_threads
    return max(1, usable_cpus() // pool_size)


def solo_threads(solo_session: bool, intra_op_threads: int, pool_size: int) -> int | None:
    """Intra-op threads of the solo session, one per usable CPU, or None where
    it is turned off or would have no more threads than a pool session."""
    cpus = usable_cpus()
    if not solo_session or cpus <= pool_threads(intra_op_threads, pool_size):
        return None
    return cpus


def single_stream_threads(solo_session: bool, intra_op_threads: int, pool_size: int) -> int:
    """Threads a call gets when it has the server to itself."""
    solo = solo_threads(solo_session, intra_op_threads, pool_size)
    return pool_threads(intra_op_threads, pool_size) if solo is None else solo
