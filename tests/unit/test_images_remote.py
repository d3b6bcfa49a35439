"""fetch_image_url: refusal paths, address vetting and the HTTP handling.

Nothing here touches the internet. A local http.server stands in for a remote
host; since the vetting (rightly) refuses loopback, the tests that need an
answer either call the post-vetting helper directly or replace the resolver.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from aurum_ml.errors import ImageTooLarge, InvalidInput
from aurum_ml.images import fetch_image_url, is_public_address, remote, resolve_public_addresses

BODY = b"\xff\xd8\xff" + bytes(range(256)) * 40  # the bytes are not decoded here


class Handler(BaseHTTPRequestHandler):
    requests: ClassVar[list[tuple[str, str | None]]] = []

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self.requests.append((self.path, self.headers.get("Host")))
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._answer()

    def _answer(self) -> None:
        if self.path == "/ok":
            self._send(200, BODY)
        elif self.path == "/missing":
            self._send(404, b"not here")
        elif self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/ok")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/unsized":
            # HTTP/1.0 style: no Content-Length, the body ends when the
            # connection closes, so only the running count can stop it.
            self.send_response(200)
            self.end_headers()
            self.wfile.write(BODY)
            self.close_connection = True
        elif self.path == "/short":
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY) + 100))
            self.end_headers()
            self.wfile.write(BODY)
            self.close_connection = True
        elif self.path == "/slow":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            for _ in range(1000):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.1)
        else:
            self._send(500, b"?")

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[int]:
    Handler.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.block_on_close = False
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def target(port: int, path: str, host: str = "images.test", scheme: str = "http") -> Any:
    return remote._Target(scheme=scheme, host=host, port=port, path=path)


def fetch_direct(port: int, path: str, max_bytes: int = 1 << 20, timeout_s: float = 5.0) -> bytes:
    deadline = time.monotonic() + timeout_s
    return remote._fetch_from_addresses(target(port, path), ["127.0.0.1"], max_bytes, deadline)


# --- off by default and URL checks ---------------------------------------------------


def test_disabled_when_no_hosts_are_allowed() -> None:
    with pytest.raises(InvalidInput) as info:
        fetch_image_url("https://example.com/a.jpg", frozenset(), 1000)
    assert info.value.message == (
        "image URLs are disabled on this server; send the image bytes instead"
    )


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/a.jpg",
        "file:///etc/passwd",
        "gopher://example.com/",
        "example.com/a.jpg",
        "//example.com/a.jpg",
    ],
)
def test_only_http_and_https(url: str) -> None:
    with pytest.raises(InvalidInput, match="http or https"):
        fetch_image_url(url, frozenset({"example.com"}), 1000)


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("https://evil.example/a.jpg", "not allowed"),
        ("https://example.com.evil.example/a.jpg", "not allowed"),
        ("https://sub.example.com/a.jpg", "not allowed"),
        ("https://user:pw@example.com/a.jpg", "credentials"),
        ("https://example.com@evil.example/a.jpg", "credentials"),
        ("https://example.com/a b.jpg", "control characters"),
        ("https://example.com/a\r\nX-Injected: 1", "control characters"),
        ("https://exämple.com/a.jpg", "ASCII"),
        ("https://example.com:99999/a.jpg", "malformed"),
        ("https://[::1/a.jpg", "malformed"),
        ("https:///a.jpg", "no host"),
        ("https://example.com/" + "a" * 3000, "longer than"),
    ],
)
def test_bad_urls(url: str, match: str) -> None:
    with pytest.raises(InvalidInput, match=match):
        fetch_image_url(url, frozenset({"example.com"}), 1000)


def test_host_match_is_case_insensitive(monkeypatch: pytest.MonkeyPatch) -> None:
    # The resolver answers with a private address, so getting as far as the
    # vetting proves the host passed the allow-list (without any network).
    def fake_getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    for url in ("https://EXAMPLE.com/a.jpg", "https://example.com./a.jpg"):
        with pytest.raises(InvalidInput, match="non-public"):
            fetch_image_url(url, frozenset({"Example.COM"}), 1000)


# --- loopback is refused even when allowed --------------------------------------------


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "localhost", "[::1]", "0.0.0.0", "127.1", "2130706433", "0x7f000001"],
)
def test_loopback_refused_even_if_allowed(server: int, host: str) -> None:
    bare = host.strip("[]")
    with pytest.raises(InvalidInput, match="non-public"):
        fetch_image_url(f"http://{host}:{server}/ok", frozenset({bare}), 1 << 20)
    assert Handler.requests == []


# --- address vetting ---------------------------------------------------------------------

REFUSED = [
    "127.0.0.1",
    "127.255.255.254",
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "100.64.0.1",  # carrier-grade NAT
    "0.0.0.0",
    "224.0.0.251",  # multicast, which Python 3.11 calls global
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.2.1",  # documentation
    "198.18.0.1",  # benchmarking
    "::",
    "::1",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "fec0::1",  # deprecated site-local
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "2002:7f00:1::",  # 6to4 of 127.0.0.1, which Python calls global
    "2002:a00:1::",
    "2001:db8::1",
    "2001::1",  # Teredo
]
ALLOWED = ["8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700:4700::1111"]


@pytest.mark.parametrize("address", REFUSED)
def test_non_public_addresses(address: str) -> None:
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ALLOWED)
def test_public_addresses(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address))


def fake_resolver(*addresses: str) -> Any:
    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        out: list[Any] = []
        for a in addresses:
            if ":" in a:
                out.append((socket.AF_INET6, socket.SOCK_STREAM, 6, "", (a, port, 0, 0)))
            else:
                out.append((socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)))
        return out

    return getaddrinfo


def test_any_private_answer_refuses_the_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", fake_resolver("93.184.216.34", "10.0.0.7"))
    with pytest.raises(InvalidInput, match="non-public"):
        resolve_public_addresses("images.test", 443)


def test_public_answers_are_returned_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        fake_resolver("2606:4700:4700::1111", "93.184.216.34", "93.184.216.34"),
    )
    assert resolve_public_addresses("images.test", 443) == ["2606:4700:4700::1111", "93.184.216.34"]


def test_literal_addresses_skip_the_resolver(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_dns(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a literal address must not be resolved")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    assert resolve_public_addresses("8.8.8.8", 80) == ["8.8.8.8"]
    with pytest.raises(InvalidInput, match="non-public"):
        resolve_public_addresses("169.254.169.254", 80)


def test_unresolvable_host(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", failing)
    with pytest.raises(InvalidInput, match="cannot resolve host"):
        resolve_public_addresses("nowhere.test", 80)


# --- HTTP handling after vetting -------------------------------------------------------


def test_body_is_returned_and_host_header_names_the_host(server: int) -> None:
    assert fetch_direct(server, "/ok") == BODY
    # Connected to the vetted address, but the Host header names the host.
    assert Handler.requests == [("/ok", f"images.test:{server}")]


def test_exactly_max_bytes_is_accepted(server: int) -> None:
    assert fetch_direct(server, "/ok", max_bytes=len(BODY)) == BODY
    assert fetch_direct(server, "/unsized", max_bytes=len(BODY)) == BODY


def test_non_200(server: int) -> None:
    with pytest.raises(InvalidInput, match="HTTP 404"):
        fetch_direct(server, "/missing")


def test_redirects_are_not_followed(server: int) -> None:
    with pytest.raises(InvalidInput, match=r"HTTP 302 \(redirects are not followed\)"):
        fetch_direct(server, "/redirect")
    assert [path for path, _ in Handler.requests] == ["/redirect"]


def test_declared_length_over_limit(server: int) -> None:
    with pytest.raises(ImageTooLarge, match=f"{len(BODY)} bytes"):
        fetch_direct(server, "/ok", max_bytes=len(BODY) - 1)


def test_undeclared_length_over_limit(server: int) -> None:
    with pytest.raises(ImageTooLarge, match="larger than the limit of 1000 bytes"):
        fetch_direct(server, "/unsized", max_bytes=1000)


def test_body_shorter_than_declared(server: int) -> None:
    with pytest.raises(InvalidInput, match="could not fetch image URL"):
        fetch_direct(server, "/short")


def test_deadline_bounds_a_dripping_server(server: int) -> None:
    started = time.monotonic()
    with pytest.raises(InvalidInput, match="timed out"):
        fetch_direct(server, "/slow", timeout_s=0.5)
    assert time.monotonic() - started < 1.5


def test_connection_refused() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(InvalidInput, match="could not fetch image URL"):
        fetch_direct(port, "/ok")


def test_https_to_a_plain_http_server_fails_cleanly(server: int) -> None:
    deadline = time.monotonic() + 5
    with pytest.raises(InvalidInput, match="could not fetch image URL"):
        remote._fetch_from_addresses(
            target(server, "/ok", scheme="https"), ["127.0.0.1"], 1 << 20, deadline
        )


def test_whole_flow_with_vetting_replaced(server: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # Only the address policy is replaced: resolution, pinning, request and
    # limits are the real code path.
    monkeypatch.setattr(socket, "getaddrinfo", fake_resolver("127.0.0.1"))
    monkeypatch.setattr(remote, "is_public_address", lambda addr: True)
    url = f"http://images.test:{server}/ok"
    assert fetch_image_url(url, frozenset({"images.test"}), 1 << 20) == BODY
    assert Handler.requests == [("/ok", f"images.test:{server}")]
