"""One error hierarchy for the core.

Each error carries the gRPC status name and the HTTP status the transports map it
to, and whether a queued job that failed with it should be tried again, so the
doors need one small table each and never inspect messages. The core never
imports grpc: codes are the canonical names as strings.
"""

from __future__ import annotations


class AurumError(Exception):
    """Base class: the message is safe to show to a client."""

    grpc_code: str = "INTERNAL"
    http_status: int = 500
    #: Whether the same request may succeed later (a job is retried; bad input
    #: or no face would fail the same way every time).
    retryable: bool = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(AurumError):
    """The request is malformed or an argument is out of range."""

    grpc_code = "INVALID_ARGUMENT"
    http_status = 400


class InvalidImage(InvalidInput):
    """The image bytes cannot be decoded or break a limit on their shape."""


class UnsupportedFormat(InvalidImage):
    """The bytes are an image format the server does not accept."""

    http_status = 415


class ImageTooLarge(InvalidImage):
    """The image is bigger than the configured pixel or byte limits."""

    http_status = 413


class NoFaceFound(AurumError):
    """An operation needs a face and the image has none."""

    grpc_code = "NOT_FOUND"
    http_status = 404


class NotFound(AurumError):
    """A named resource (gallery, subject, face) does not exist."""

    grpc_code = "NOT_FOUND"
    http_status = 404


class AlreadyExists(AurumError):
    grpc_code = "ALREADY_EXISTS"
    http_status = 409


class FailedPrecondition(AurumError):
    """The system is not in a state where the call can succeed (e.g. model mismatch)."""

    grpc_code = "FAILED_PRECONDITION"
    http_status = 409


class ServiceUnavailable(AurumError):
    """A model or the store is not serving; the call may succeed later."""

    grpc_code = "UNAVAILABLE"
    http_status = 503
    retryable = True


class ModelUnavailable(ServiceUnavailable):
    """A model the call needs is not loaded: UNAVAILABLE like a store outage,
    but it says nothing about the face store's health."""


class Overloaded(AurumError):
    """Too much work is queued; the client should back off and retry."""

    grpc_code = "RESOURCE_EXHAUSTED"
    http_status = 429
    retryable = True


class DeadlineExceeded(AurumError):
    """The client's deadline (or the server's cap on it) passed."""

    grpc_code = "DEADLINE_EXCEEDED"
    http_status = 504
    retryable = True


class Unauthenticated(AurumError):
    grpc_code = "UNAUTHENTICATED"
    http_status = 401


class PermissionDenied(AurumError):
    grpc_code = "PERMISSION_DENIED"
    http_status = 403


INTERNAL_MESSAGE = "Internal server error"
