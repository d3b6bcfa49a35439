"""API-key authentication and per-key rate limits, shared by both transports.

Keys are never stored or logged in clear: the server keeps their SHA-256
digests and names a caller by a short fingerprint of the digest.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from aurum_ml.errors import Overloaded, PermissionDenied, Unauthenticated

ANONYMOUS = "anonymous"


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def fingerprint(key: str) -> str:
    """A short, non-reversible name for a key, safe to log."""
    return "key-" + _digest(key).hex()[:10]


def load_keys(
    inline: Iterable[str], file: Path | None, setting: str = "AURUM_API_KEYS_FILE"
) -> list[str]:
    keys = [k.strip() for k in inline if k.strip()]
    if file is not None:
        try:
            lines = file.read_text().splitlines()
        except OSError as e:
            raise ValueError(f"cannot read {setting} {file}: {e.strerror}") from None
        keys += [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    short = [fingerprint(k) for k in keys if len(k) < 16]
    if short:
        raise ValueError(f"API keys must be at least 16 characters (too short: {', '.join(short)})")
    return keys


class Authenticator:
    """Checks a presented key; with no keys configured, everyone is let in."""

    def __init__(self, keys: Iterable[str]) -> None:
        self._digests = {_digest(k): fingerprint(k) for k in keys}

    @property
    def enabled(self) -> bool:
        return bool(self._digests)

    def knows(self, presented: str) -> bool:
        d = _digest(presented)
        return any(hmac.compare_digest(known, d) for known in self._digests)

    def identify(self, presented: str | None) -> str:
        """The caller's fingerprint, or Unauthenticated."""
        if not self.enabled:
            return ANONYMOUS
        if not presented:
            raise Unauthenticated(
                "an API key is required: send 'authorization: Bearer <key>' or 'x-api-key: <key>'"
            )
        d = _digest(presented)
        # Compare against every digest so timing does not reveal which one matched.
        found = None
        for known, name in self._digests.items():
            if hmac.compare_digest(known, d):
                found = name
        if found is None:
            raise Unauthenticated("the API key is not valid")
        return found


#: Where the doors send model management calls.
MANAGEMENT_OFF = (
    "model management is off: no operator credential is configured "
    "(AURUM_OPERATOR_KEYS or AURUM_OPERATOR_KEYS_FILE)"
)


class OperatorGate:
    """Model management's own credentials, distinct from the client API keys.

    With no operator key configured every call is refused (PermissionDenied:
    management is off). A client API key is a valid credential without the
    right (PermissionDenied); no key, or an unknown one, is Unauthenticated.
    """

    def __init__(self, operator_keys: Iterable[str], clients: Authenticator) -> None:
        keys = list(operator_keys)
        self._operators = Authenticator(keys)
        self._clients = clients
        shared = [fingerprint(k) for k in keys if clients.knows(k)]
        if shared:
            raise ValueError(
                "an operator key must not also be an API key (shared: " + ", ".join(shared) + ")"
            )

    @property
    def enabled(self) -> bool:
        return self._operators.enabled

    def identify(self, presented: str | None) -> str:
        """The operator's fingerprint, or PermissionDenied / Unauthenticated."""
        if not self.enabled:
            raise PermissionDenied(MANAGEMENT_OFF)
        if presented and self._clients.enabled and self._clients.knows(presented):
            raise PermissionDenied("API keys cannot manage models: use an operator key")
        try:
            return self._operators.identify(presented)
        except Unauthenticated:
            raise Unauthenticated(
                "an operator key is required: send 'authorization: Bearer <key>' "
                "or 'x-api-key: <key>'"
                if not presented
                else "the operator key is not valid"
            ) from None


def operator_gate(inline: Iterable[str], file: Path | None, clients: Authenticator) -> OperatorGate:
    """The operator keys given inline (AURUM_OPERATOR_KEYS) and in ``file``
    (AURUM_OPERATOR_KEYS_FILE), checked against the client keys."""
    return OperatorGate(load_keys(inline, file, "AURUM_OPERATOR_KEYS_FILE"), clients)


def key_from_headers(authorization: str | None, api_key: str | None) -> str | None:
    if api_key:
        return api_key.strip()
    if authorization:
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
    return None


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """A token bucket per caller: ``rate`` requests per second, bursts of ``burst``."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def check(self, caller: str) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        with self._lock:
            b = self._buckets.get(caller)
            if b is None:
                b = self._buckets[caller] = _Bucket(float(self.burst), now)
            b.tokens = min(float(self.burst), b.tokens + (now - b.updated) * self.rate)
            b.updated = now
            if b.tokens < 1.0:
                wait = (1.0 - b.tokens) / self.rate
                raise Overloaded(f"rate limit exceeded; retry in {wait:.2f} s")
            b.tokens -= 1.0
