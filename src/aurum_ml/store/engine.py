"""The one interface the face store reaches its engine through, in plain values.

Two implementations: :class:`~aurum_ml.store.qdrant_engine.QdrantClientEngine`
(qdrant-client, for a Qdrant server or cluster) and
:class:`~aurum_ml.store.edge.client.EdgeEngine` (Qdrant's own engine embedded,
run in a store process of its own). :class:`~aurum_ml.store.FaceStore` holds
one and knows nothing else about it; the same store test-suite runs against
both.

A *collection* holds the faces of one gallery under one named vector. A
``where`` is a mapping of payload keys to the keyword each must equal (all of
them): the only filter the store's calls use (a subject within a gallery).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

#: Payload keys to the keyword each must equal; None: every point.
Where = Mapping[str, str] | None
#: Which payload to return: every field (True), none (False) or these.
Fields = bool | Sequence[str]
Payload = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Point:
    """One face to write: its id (a UUID string), vector and payload."""

    id: str
    vector: npt.NDArray[np.float32]
    payload: Payload


@dataclass(frozen=True, slots=True)
class StoredPoint:
    id: str
    payload: Payload


@dataclass(frozen=True, slots=True)
class Hit:
    id: str
    score: float
    payload: Payload


@dataclass(frozen=True, slots=True)
class ValuePage:
    """A page of a keyword field's values, in order, with their point counts."""

    values: list[tuple[str, int]]
    #: Whether values follow this page.
    more: bool


@dataclass(frozen=True, slots=True)
class IndexState:
    """How much of a collection its vector index covers."""

    points: int
    indexed: int
    building: bool


class Engine(Protocol):
    """What the face store needs of a vector engine. Synchronous and
    thread-safe. Failures are AurumErrors whose messages are safe to show a
    client (or, for qdrant-client, translated by the caller)."""

    #: Whether the caller must serialise check-then-write sequences itself
    #: (qdrant-client's embedded mode is not safe to read while written).
    needs_lock: bool

    def collection_names(self) -> list[str]: ...

    def vectors(self, collection: str) -> dict[str, int] | None:
        """The collection's named vectors and their sizes; None if it does not exist."""
        ...

    def create_collection(
        self, collection: str, vector_name: str, dim: int, keyword_fields: Sequence[str]
    ) -> bool:
        """Create it with keyword indexes on ``keyword_fields``; False if it existed
        (its indexes are then ensured, which changes nothing where they are)."""
        ...

    def delete_collection(self, collection: str) -> bool: ...

    def upsert(self, collection: str, vector_name: str, points: Sequence[Point]) -> None:
        """Write the points; returns once they are durable (see each engine)."""
        ...

    def retrieve(
        self, collection: str, ids: Sequence[str], fields: Fields
    ) -> list[StoredPoint]: ...

    def delete_points(self, collection: str, ids: Sequence[str]) -> None: ...

    def delete_where(self, collection: str, where: Mapping[str, str]) -> None: ...

    def count(self, collection: str, where: Where) -> int: ...

    def values(self, collection: str, key: str, after: str | None, limit: int) -> ValuePage:
        """Up to ``limit`` values of keyword field ``key``, in order, after
        ``after`` (from the first when None), each with how many points hold it."""
        ...

    def distinct(self, collection: str, key: str) -> int:
        """How many distinct values keyword field ``key`` has."""
        ...

    def scroll(self, collection: str, where: Where, fields: Fields) -> list[StoredPoint]:
        """Every point that matches, without vectors."""
        ...

    def search(
        self,
        collection: str,
        vector_name: str,
        queries: npt.NDArray[np.float32],
        limit: int,
        where: Where,
        fields: Fields,
    ) -> list[list[Hit]]:
        """The ``limit`` nearest points to each query, best first: one list per query."""
        ...

    def export(
        self, collection: str, offset: str | None, limit: int
    ) -> tuple[list[Point], str | None]:
        """A page of points with their vectors, and the offset of the next page
        (None after the last): for copying a store elsewhere."""
        ...

    def index_state(self, collection: str) -> IndexState | None: ...

    def healthy(self) -> bool: ...

    def close(self) -> None: ...
