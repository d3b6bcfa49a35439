"""The distinct values of a keyword field (a gallery's subjects) with their
point counts, in value order, kept by the store process.

Qdrant Edge counts distinct values with a facet that reads every point:
2.5 s at 100k subjects, 23-31 s at 1M, during which the store process (one
request at a time) answers nobody. And a subject listing pages in subject_id
order, which no engine index gives. So the first call that asks for a
collection's values scrolls them once (0.35 s at 100k subjects, 6.9 s at
1M: bench/store_bench.py), and from then on every write the store process
applies keeps the roster in step: a page is a bisection of a sorted map
(0.5 ms), and its size is a length.

A roster lives as long as the store process and costs about 100 bytes a
distinct value (100 MiB of the store process's memory at a million
subjects, measured); it is built only for collections whose values are
asked for.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import qdrant_edge as qe
from sortedcontainers import SortedDict

_SCROLL_PAGE = 4096

#: A write as EdgeShards applies it (shards.Op): ("upsert", ids, vectors,
#: payloads), ("delete", ids) or ("delete_where", where).
Op = tuple[Any, ...]


class Roster:
    """One field's values in one collection: value -> points that hold it."""

    def __init__(self, counts: Counter[str]) -> None:
        self._counts: SortedDict = SortedDict(counts)

    def __len__(self) -> int:
        return len(self._counts)

    def page(self, after: str | None, limit: int) -> tuple[list[tuple[str, int]], bool]:
        """Up to ``limit`` values after ``after`` (from the first when None),
        and whether more follow."""
        start = 0 if after is None else self._counts.bisect_right(after)
        keys = self._counts.keys()[start : start + limit + 1]
        return [(k, self._counts[k]) for k in keys[:limit]], len(keys) > limit

    def apply(self, delta: Counter[str]) -> None:
        for value, n in delta.items():
            left = self._counts.get(value, 0) + n
            if left > 0:
                self._counts[value] = left
            else:
                self._counts.pop(value, None)


def build(shard: qe.EdgeShard, key: str) -> Roster:
    """The roster of ``key`` over every point of ``shard``."""
    counts: Counter[str] = Counter()
    offset: Any = None
    while True:
        records, offset = shard.scroll(
            qe.ScrollRequest(
                offset=offset, limit=_SCROLL_PAGE, with_payload=[key], with_vector=False
            )
        )
        counts.update(_values(records, key))
        if offset is None:
            return Roster(counts)


def delta(shard: qe.EdgeShard, key: str, op: Op) -> Counter[str] | None:
    """How ``op`` changes the counts of ``key``, read from the shard before it
    is applied; None when it cannot be told (the roster must be rebuilt)."""
    kind = op[0]
    change: Counter[str] = Counter()
    if kind in ("upsert", "delete"):
        # An upsert may rewrite points that exist: what they held goes first.
        change.subtract(_values(_existing(shard, op[1], key), key))
        if kind == "upsert":
            change.update(_values(op[3], key, payloads=True))
        return change
    if kind == "delete_where" and set(op[1]) == {key}:
        value = op[1][key]
        flt = qe.Filter(must=[qe.FieldCondition(key=key, match=qe.MatchValue(value))])
        change[value] -= int(shard.count(qe.CountRequest(exact=True, filter=flt)))
        return change
    return None


def _existing(shard: qe.EdgeShard, ids: Sequence[str], key: str) -> list[Any]:
    return list(shard.retrieve(list(ids), with_payload=[key], with_vector=False))


def _values(items: Sequence[Any], key: str, *, payloads: bool = False) -> list[str]:
    out = []
    for item in items:
        payload = item if payloads else (item.payload or {})
        value = payload.get(key)
        if isinstance(value, str):
            out.append(value)
    return out
