"""The store folder's exclusive lock, taken before any engine file is opened.

Qdrant Edge's own WAL lock is not enough: a second open of a live shard
fails only after it has rewritten files of the live one, and every later
flush of the live one then fails. So one process holds ``.aurum-store.lock``
(an advisory ``flock``, released by the kernel however the process ends) for
as long as it has the folder open, and nobody opens a shard without it.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

LOCK_NAME = ".aurum-store.lock"


class FolderLocked(Exception):
    """Another process holds the folder."""


class FolderLock:
    def __init__(self, root: Path) -> None:
        self.path = root / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock now or raise FolderLocked; never waits."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise FolderLocked(str(self.path)) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
