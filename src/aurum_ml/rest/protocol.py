"""The REST gateway's HTTP/1.1 protocol: uvicorn's h11 protocol with a deadline
for reading each request.

uvicorn times out idle keep-alive connections, but not a client that sends a
request's headers or body a byte at a time: 400 such connections (slowloris)
were all still open after 8 s. Here every request must arrive whole, headers
and body, within ``read_timeout_s`` of the connection opening or of the
previous response; otherwise the connection is closed.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol


class ReadDeadlineProtocol(H11Protocol):
    #: Set by ``with_read_timeout``; a class attribute because uvicorn builds
    #: one protocol object per connection from the class alone.
    read_timeout_s: float = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read_deadline: asyncio.TimerHandle | None = None
        self._cycle_before: object = None

    def _start_read_deadline(self) -> None:
        self._stop_read_deadline()
        # The request being read is the first one started after this moment.
        self._cycle_before = self.cycle
        self._read_deadline = self.loop.call_later(self.read_timeout_s, self._on_read_deadline)

    def _stop_read_deadline(self) -> None:
        if self._read_deadline is not None:
            self._read_deadline.cancel()
            self._read_deadline = None

    def _on_read_deadline(self) -> None:
        self._read_deadline = None
        cycle = self.cycle
        received = cycle is not None and cycle is not self._cycle_before and not cycle.more_body
        if not received and not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_read_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_read_deadline()
        super().connection_lost(exc)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._start_read_deadline()


def with_read_timeout(seconds: float) -> type[ReadDeadlineProtocol]:
    """The protocol class for uvicorn's ``http`` option, with this deadline."""
    return type("ReadDeadlineProtocol", (ReadDeadlineProtocol,), {"read_timeout_s": seconds})
