"""A bound on the bytes of decoded pixels held at once, across all calls and
batch items.

The per-image limits (25 Mpx) keep one image in check, not many: sixteen
25 Mpx PNGs in one batch call are 1.2 GB once decoded, though the request
is 380 KiB. Each decode takes its share of the budget before OpenCV
allocates the pixels and gives it back when the call is done with them; a
call that cannot get its share before its deadline is refused as overloaded
(RESOURCE_EXHAUSTED / 429) instead of pushing the process out of memory.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from aurum_ml.core.workers import Deadline
from aurum_ml.errors import ImageTooLarge, Overloaded

_MB = 1024 * 1024


class PixelBudget:
    def __init__(self, max_bytes: int) -> None:
        if max_bytes < 1:
            raise ValueError("the decoded-pixel budget must be at least 1 byte")
        self.max_bytes = max_bytes
        self._held = 0
        self._freed = threading.Condition()

    @property
    def held(self) -> int:
        return self._held

    @contextmanager
    def hold(self, nbytes: int, deadline: Deadline) -> Iterator[None]:
        """Hold ``nbytes`` of the budget for the block, waiting for other
        calls to give theirs back until ``deadline``."""
        if nbytes > self.max_bytes:
            raise ImageTooLarge(
                f"decoding this image takes {nbytes / _MB:.0f} MB, more than the server's "
                f"whole decoded-image budget ({self.max_bytes / _MB:.0f} MB)"
            )
        with self._freed:
            while self._held + nbytes > self.max_bytes:
                left = deadline.remaining()
                if left <= 0 or not self._freed.wait(left):
                    raise Overloaded(
                        f"the server is decoding {self._held / _MB:.0f} MB of images, its "
                        "budget; retry with backoff"
                    )
            self._held += nbytes
        try:
            yield
        finally:
            with self._freed:
                self._held -= nbytes
                self._freed.notify_all()
