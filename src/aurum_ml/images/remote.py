"""Fetch image bytes from a URL, for servers that opt in.

Fetching URLs on a client's behalf is a server-side request forgery risk: the
server can reach networks the client cannot (cloud metadata at
169.254.169.254, admin ports on localhost, the cluster's private range). So:

* it is off unless the operator lists hosts, and only those hosts are fetched;
* every address a host resolves to must be public, and the connection goes to
  an address vetted here (resolved once), so a DNS answer that changes between
  the check and the connection (DNS rebinding) cannot redirect it;
* redirects are not followed (a listed host could otherwise bounce the
  request anywhere), and proxies from the environment are ignored, because a
  proxy would do its own resolution;
* the body is read against a byte limit and an overall deadline.

This uses http.client (what urllib is built on) rather than urllib.request:
urllib offers no way to choose the address it connects to, and it follows
redirects and honours proxy variables by default. For https the TLS
certificate is still checked against the URL's host name, with SNI set, while
the TCP connection goes to the vetted address.

Residual risks: socket.getaddrinfo has no timeout of its own (the system
resolver's applies), and an allowed host that is itself an open proxy or
echoes attacker-chosen content is trusted by configuration.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from aurum_ml.errors import ImageTooLarge, InvalidInput

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_DISABLED_MESSAGE = "image URLs are disabled on this server; send the image bytes instead"
_MAX_URL_LENGTH = 2048
_READ_CHUNK = 64 * 1024
_USER_AGENT = "aurum-ml-image-fetch/1"
# NAT64 (RFC 6052) embeds an IPv4 address in the low 32 bits; a NAT64 gateway
# would forward 64:ff9b::a00:1 to 10.0.0.1.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def is_public_address(addr: IPAddress) -> bool:
    """True when ``addr`` is a globally routable unicast address.

    ``is_global`` alone is not enough on Python 3.11: it is True for IPv4
    multicast (224.0.0.0/4) and for 6to4 addresses that embed a private IPv4
    address, so each category is also refused explicitly.
    """
    if isinstance(addr, ipaddress.IPv6Address):
        embedded: list[ipaddress.IPv4Address] = []
        if addr.ipv4_mapped is not None:
            embedded.append(addr.ipv4_mapped)
        if addr.sixtofour is not None:
            embedded.append(addr.sixtofour)
        if addr.teredo is not None:
            embedded.extend(addr.teredo)
        if addr in _NAT64:
            embedded.append(ipaddress.IPv4Address(int(addr) & 0xFFFF_FFFF))
        if addr.is_site_local or not all(is_public_address(e) for e in embedded):
            return False
    return addr.is_global and not (
        addr.is_private
        or addr.is_loopback
        or addr.is_link_local
        or addr.is_multicast
        or addr.is_reserved
        or addr.is_unspecified
    )


def resolve_public_addresses(host: str, port: int) -> list[str]:
    """Resolve ``host`` once and return its addresses, all of them vetted.

    Refuses (InvalidInput) when ANY address is not public: a name with one
    public and one private address would otherwise reach the private one on
    a retry or for another client.
    """
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        candidates = [str(literal)]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise InvalidInput(f"could not fetch image URL: cannot resolve host {host!r}") from exc
        # Ordered and de-duplicated, so connection attempts follow the
        # resolver's preference (e.g. RFC 6724 address selection).
        candidates = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not candidates:
        raise InvalidInput(f"could not fetch image URL: host {host!r} has no addresses")
    for candidate in candidates:
        if not is_public_address(ipaddress.ip_address(candidate)):
            # The address is not named: the host is the operator's choice,
            # but its internal addresses are none of the client's business.
            raise InvalidInput(
                f"image URL host {host!r} resolves to a non-public address; it is refused"
            )
    return candidates


@dataclass(frozen=True, slots=True)
class _Target:
    scheme: str
    host: str
    port: int
    path: str


def fetch_image_url(
    url: str, allowed_hosts: frozenset[str], max_bytes: int, timeout_s: float = 5.0
) -> bytes:
    """Download the body of ``url`` (HTTP 200 only) and return it undecoded.

    ``allowed_hosts`` are host names or IP literals compared exactly, ignoring
    case and a trailing dot; an empty set disables fetching. ``timeout_s``
    bounds the whole download, not each read.

    Raises InvalidInput for a disabled feature, a refused or malformed URL,
    a non-public address, a network failure or a non-200 answer, and
    ImageTooLarge when the body exceeds ``max_bytes``.
    """
    if not allowed_hosts:
        raise InvalidInput(_DISABLED_MESSAGE)
    deadline = time.monotonic() + timeout_s
    target = _parse_url(url, allowed_hosts)
    addresses = resolve_public_addresses(target.host, target.port)
    return _fetch_from_addresses(target, addresses, max_bytes, deadline)


def _parse_url(url: str, allowed_hosts: frozenset[str]) -> _Target:
    if len(url) > _MAX_URL_LENGTH:
        raise InvalidInput(f"image URL is longer than {_MAX_URL_LENGTH} characters")
    # Non-ASCII and control characters would be re-encoded or rejected
    # differently by each layer; requiring a clean, percent-encoded URL
    # keeps what was vetted identical to what is requested.
    if not url.isascii() or any(c <= " " or c == "\x7f" for c in url):
        raise InvalidInput(
            "image URL must be ASCII without spaces or control characters (percent-encode it)"
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidInput(f"image URL is malformed: {exc}") from exc
    if parts.scheme not in ("http", "https"):
        raise InvalidInput("image URL must use http or https")
    if parts.username is not None or parts.password is not None:
        raise InvalidInput("image URL must not contain credentials")
    host = parts.hostname
    if not host:
        raise InvalidInput("image URL has no host")
    allowed = {h.lower().rstrip(".") for h in allowed_hosts}
    if host.rstrip(".") not in allowed:
        raise InvalidInput(f"image URL host {host!r} is not allowed on this server")
    if port is None:
        port = 443 if parts.scheme == "https" else 80
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return _Target(scheme=parts.scheme, host=host, port=port, path=path)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to a fixed address; the Host header still names ``host``."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a fixed address; SNI and certificate checks use ``host``."""

    def __init__(
        self, host: str, port: int, address: str, timeout: float, context: ssl.SSLContext
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address
        self._tls = context

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        try:
            self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            raise


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise InvalidInput("could not fetch image URL: timed out")
    return left


def _connect(target: _Target, addresses: list[str], deadline: float) -> http.client.HTTPConnection:
    """Connect to the first vetted address that answers."""
    last_error: OSError | None = None
    for address in addresses:
        conn: http.client.HTTPConnection
        if target.scheme == "https":
            conn = _PinnedHTTPSConnection(
                target.host,
                target.port,
                address,
                _remaining(deadline),
                ssl.create_default_context(),
            )
        else:
            conn = _PinnedHTTPConnection(target.host, target.port, address, _remaining(deadline))
        try:
            conn.connect()
        except OSError as exc:
            conn.close()
            last_error = exc
            continue
        return conn
    reason = _describe(last_error) if last_error is not None else "no address to connect to"
    raise InvalidInput(f"could not fetch image URL: {reason}")


def _fetch_from_addresses(
    target: _Target, addresses: list[str], max_bytes: int, deadline: float
) -> bytes:
    """Request ``target`` from the vetted ``addresses`` and read the body.

    Separate from fetch_image_url so tests can exercise the HTTP handling
    against a local server, which the address vetting rightly refuses.
    """
    conn = _connect(target, addresses, deadline)
    try:
        conn.request(
            "GET",
            target.path,
            headers={"User-Agent": _USER_AGENT, "Accept": "image/jpeg, image/png, image/webp"},
        )
        # getresponse() drops conn.sock when the server will close the
        # connection; the response keeps reading from the same socket.
        sock = conn.sock
        sock.settimeout(_remaining(deadline))
        response = conn.getresponse()
        if response.status != 200:
            hint = " (redirects are not followed)" if 300 <= response.status < 400 else ""
            raise InvalidInput(
                f"could not fetch image URL: the server answered HTTP {response.status}{hint}"
            )
        declared = response.getheader("Content-Length")
        if declared is not None and declared.strip().isdigit() and int(declared) > max_bytes:
            raise ImageTooLarge(
                f"image at URL is {int(declared)} bytes; the limit is {max_bytes} bytes"
            )
        chunks: list[bytes] = []
        total = 0
        while True:
            # read1 returns after at most one socket read, so the timeout set
            # here bounds each wait and the deadline bounds the whole body
            # even against a server that drips one byte at a time.
            sock.settimeout(_remaining(deadline))
            chunk = response.read1(min(_READ_CHUNK, max_bytes + 1 - total))
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:
                raise ImageTooLarge(f"image at URL is larger than the limit of {max_bytes} bytes")
            chunks.append(chunk)
        # read1 reports a connection closed before Content-Length bytes as a
        # plain end of data; what is left of the declared length tells.
        if response.length:
            raise InvalidInput(
                "could not fetch image URL: the connection closed before the whole body arrived"
            )
        return b"".join(chunks)
    except (OSError, http.client.HTTPException) as exc:
        raise InvalidInput(f"could not fetch image URL: {_describe(exc)}") from exc
    finally:
        conn.close()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate rejected ({exc.verify_message})"
    if isinstance(exc, http.client.IncompleteRead):
        return "the connection closed before the whole body arrived"
    text = str(exc) or type(exc).__name__
    return text
