"""Child processes that die with their parent, and how they are started."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
from multiprocessing.connection import Connection

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent exits, however it
    exits: a builder left behind would write into a folder nobody reads.
    Elsewhere a no-op. Linux sends it when the *thread* that started the
    child ends, so only children of a single-threaded parent use it (the
    builder); the store process, started from any server thread, exits
    when its connection closes instead."""
    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def lower_priority(steps: int) -> None:
    """Lower this process by ``steps`` nice steps, every thread of it: Linux
    keeps a niceness per thread, and ``os.nice`` alone would leave the
    threads started at import (OpenBLAS's) at the old one. Threads started
    later inherit it."""
    try:
        threads = [int(t) for t in os.listdir("/proc/self/task")]
    except OSError:  # not Linux: one niceness per process
        os.nice(steps)
        return
    for tid in threads:
        with contextlib.suppress(ProcessLookupError):  # a thread that ended meanwhile
            now = os.getpriority(os.PRIO_PROCESS, tid)
            os.setpriority(os.PRIO_PROCESS, tid, min(19, now + steps))


def spawn(module: str, *args: str) -> tuple[subprocess.Popen[bytes], Connection]:
    """Start ``python -m module --fd N args``, connected by a socket pair;
    returns the process and our end of the connection."""
    ours, theirs = socket.socketpair()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", module, "--fd", str(theirs.fileno()), *args],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
        )
    finally:
        theirs.close()
    return proc, Connection(ours.detach())
