"""The engine over qdrant-client: a Qdrant server or cluster (and, in tests,
qdrant-client's in-memory mode standing in for one, since it answers the same
API). Errors are qdrant-client's; FaceStore translates them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from qdrant_client import QdrantClient, models
from qdrant_client.http.exceptions import UnexpectedResponse

from aurum_ml.store.engine import Fields, Hit, IndexState, Point, StoredPoint, ValuePage, Where
from aurum_ml.store.errors import is_already_exists, is_not_found

# Large enrolls go in several requests so a single HTTP body stays well under
# the server's default 32 MiB limit (256 x 512 floats as JSON is ~3 MiB).
_UPSERT_CHUNK = 256
_SCROLL_PAGE = 256


def _filter(where: Where) -> models.Filter | None:
    if not where:
        return None
    return models.Filter(
        must=[
            models.FieldCondition(key=k, match=models.MatchValue(value=v)) for k, v in where.items()
        ]
    )


def _with_payload(fields: Fields) -> bool | list[str]:
    return fields if isinstance(fields, bool) else list(fields)


class QdrantClientEngine:
    def __init__(self, client: QdrantClient, *, local: bool) -> None:
        self.client = client
        # qdrant-client's embedded (local) mode is plain Python objects and
        # numpy arrays resized on upsert: not safe to search while another
        # thread writes. The HTTP client for a server is thread-safe.
        self.needs_lock = local
        self._local = local

    def collection_names(self) -> list[str]:
        return [c.name for c in self.client.get_collections().collections]

    def _info(self, collection: str) -> models.CollectionInfo | None:
        try:
            return self.client.get_collection(collection)
        except (UnexpectedResponse, ValueError) as exc:
            if is_not_found(exc):
                return None
            raise

    def vectors(self, collection: str) -> dict[str, int] | None:
        info = self._info(collection)
        if info is None:
            return None
        vectors = info.config.params.vectors
        if isinstance(vectors, Mapping):
            return {name: int(p.size) for name, p in vectors.items()}
        # One unnamed vector: not a gallery (galleries name theirs).
        return {"": int(vectors.size)} if vectors is not None else {}

    def create_collection(
        self, collection: str, vector_name: str, dim: int, keyword_fields: Sequence[str]
    ) -> bool:
        created = True
        try:
            self.client.create_collection(
                collection,
                vectors_config={
                    vector_name: models.VectorParams(size=dim, distance=models.Distance.COSINE)
                },
            )
        except (UnexpectedResponse, ValueError) as exc:
            # Another process created it between our check and our call.
            if not is_already_exists(exc):
                raise
            created = False
        if not self._local:
            # Subject-scoped filters and list_subjects' facet need it on a
            # server (the facet fails without it). Creating it again is a
            # no-op there, so galleries made before it existed get it too.
            # Embedded mode ignores payload indexes and warns, so it is skipped.
            for field in keyword_fields:
                self.client.create_payload_index(
                    collection,
                    field_name=field,
                    field_schema=models.PayloadSchemaType.KEYWORD,
                    wait=True,
                )
        return created

    def delete_collection(self, collection: str) -> bool:
        return bool(self.client.delete_collection(collection))

    def upsert(self, collection: str, vector_name: str, points: Sequence[Point]) -> None:
        structs = [
            models.PointStruct(id=p.id, vector={vector_name: p.vector.tolist()}, payload=p.payload)
            for p in points
        ]
        for start in range(0, len(structs), _UPSERT_CHUNK):
            # wait=True: acknowledged once the server has applied it.
            self.client.upsert(collection, points=structs[start : start + _UPSERT_CHUNK], wait=True)

    def retrieve(self, collection: str, ids: Sequence[str], fields: Fields) -> list[StoredPoint]:
        found = self.client.retrieve(
            collection, ids=list(ids), with_payload=_with_payload(fields), with_vectors=False
        )
        return [StoredPoint(str(r.id), dict(r.payload or {})) for r in found]

    def delete_points(self, collection: str, ids: Sequence[str]) -> None:
        self.client.delete(
            collection, points_selector=models.PointIdsList(points=list(ids)), wait=True
        )

    def delete_where(self, collection: str, where: Mapping[str, str]) -> None:
        flt = _filter(where)
        assert flt is not None, "delete_where needs a filter"
        self.client.delete(collection, points_selector=models.FilterSelector(filter=flt), wait=True)

    def count(self, collection: str, where: Where) -> int:
        return int(self.client.count(collection, count_filter=_filter(where), exact=True).count)

    def values(self, collection: str, key: str, after: str | None, limit: int) -> ValuePage:
        counts = self._facet(collection, key)
        rest = sorted(v for v in counts if after is None or v > after)
        return ValuePage([(v, counts[v]) for v in rest[:limit]], len(rest) > limit)

    def distinct(self, collection: str, key: str) -> int:
        return len(self._facet(collection, key))

    def _facet(self, collection: str, key: str) -> dict[str, int]:
        # Every value, in one request: there cannot be more values than
        # points. A server reads every point for it (and the caller waits,
        # nobody else does).
        total = self.count(collection, None)
        if total == 0:
            return {}
        response = self.client.facet(collection, key=key, limit=total, exact=True)
        return {str(h.value): int(h.count) for h in response.hits if isinstance(h.value, str)}

    def scroll(self, collection: str, where: Where, fields: Fields) -> list[StoredPoint]:
        out: list[StoredPoint] = []
        offset: Any = None
        while True:
            records, offset = self.client.scroll(
                collection,
                scroll_filter=_filter(where),
                limit=_SCROLL_PAGE,
                offset=offset,
                with_payload=_with_payload(fields),
                with_vectors=False,
            )
            out.extend(StoredPoint(str(r.id), dict(r.payload or {})) for r in records)
            if offset is None:
                return out

    def search(
        self,
        collection: str,
        vector_name: str,
        queries: npt.NDArray[np.float32],
        limit: int,
        where: Where,
        fields: Fields,
    ) -> list[list[Hit]]:
        flt = _filter(where)
        requests = [
            models.QueryRequest(
                query=q.tolist(),
                using=vector_name,
                filter=flt,
                limit=limit,
                with_payload=_with_payload(fields),
                with_vector=False,
            )
            for q in queries
        ]
        if len(requests) == 1:
            answers = [
                self.client.query_points(
                    collection,
                    query=queries[0].tolist(),
                    using=vector_name,
                    query_filter=flt,
                    limit=limit,
                    with_payload=_with_payload(fields),
                    with_vectors=False,
                )
            ]
        else:
            answers = self.client.query_batch_points(collection, requests=requests)
        return [
            [Hit(str(p.id), float(p.score), dict(p.payload or {})) for p in answer.points]
            for answer in answers
        ]

    def export(
        self, collection: str, offset: str | None, limit: int
    ) -> tuple[list[Point], str | None]:
        records, next_offset = self.client.scroll(
            collection, limit=limit, offset=offset, with_payload=True, with_vectors=True
        )
        points = []
        for r in records:
            vectors = r.vector
            assert isinstance(vectors, dict) and len(vectors) == 1, "a gallery has one vector"
            (vector,) = vectors.values()
            points.append(Point(str(r.id), np.asarray(vector, np.float32), dict(r.payload or {})))
        return points, None if next_offset is None else str(next_offset)

    def index_state(self, collection: str) -> IndexState | None:
        info = self._info(collection)
        if info is None:
            return None
        points = int(info.points_count or 0)
        return IndexState(points, int(info.indexed_vectors_count or 0), building=False)

    def healthy(self) -> bool:
        self.client.get_collections()
        return True

    def close(self) -> None:
        self.client.close()
