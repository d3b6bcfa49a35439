"""The distinct values of a keyword field (a gallery's subjects) with their
point counts, in value order, kept by the store process.

Qdrant Edge counts distinct values with a facet that reads every point:
2.5 s at 100k subjects, 23-31 s at 1M, during which the store process (one
request at a time) answers nobody. And a subject listing pages in subject_id
order, which no engine index gives. So the store process reads each
collection's values once, a step at a time between requests from the moment
it opens the collection (at 1M subjects, 7-10 s of otherwise idle time; see
process.py for when steps run), and from then on every write it applies
keeps the roster in step: a page of the listing is a bisection of a sorted
map (0.5 ms), and its size is a length. A listing asked for before the
reading is done reads the rest first (at most the 6.9 s of a whole read at
1M).

While a roster is being read, a write changes it only for the points the
reading has passed: the engine scrolls in point-id order (UUIDs compared as
128-bit numbers, checked by tests/unit/test_store_edge.py), so those are the
ids below the next page's first; the reading finds the others as they are.

A roster costs about 100 bytes a distinct value (100 MiB of the store
process's memory at a million subjects, measured by bench/store_bench.py).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import qdrant_edge as qe
from sortedcontainers import SortedDict

#: Points read per step: 2-4 ms of the store process at 1M points.
STEP = 256

#: A write as EdgeShards applies it (shards.Op): ("upsert", ids, vectors,
#: payloads), ("delete", ids) or ("delete_where", where).
Op = tuple[Any, ...]


@dataclass(slots=True)
class Change:
    """How a write changes a roster: counts to add (negative: remove), and a
    value whose every point it deletes."""

    counts: Counter[str] = field(default_factory=Counter)
    dropped: str | None = None


class Roster:
    """One field's values in one collection: value -> points that hold it."""

    def __init__(self, key: str) -> None:
        self.key = key
        self._counts: SortedDict = SortedDict()
        #: The first point id not read yet; None before the first step.
        self._next: uuid.UUID | None = None
        self.complete = False

    def __len__(self) -> int:
        return len(self._counts)

    def page(self, after: str | None, limit: int) -> tuple[list[tuple[str, int]], bool]:
        """Up to ``limit`` values after ``after`` (from the first when None),
        and whether more follow. Only once complete."""
        assert self.complete, "read the roster to the end first"
        start = 0 if after is None else self._counts.bisect_right(after)
        keys = self._counts.keys()[start : start + limit + 1]
        return [(k, self._counts[k]) for k in keys[:limit]], len(keys) > limit

    def step(self, shard: qe.EdgeShard) -> None:
        """Read the next page of points."""
        records, following = shard.scroll(
            qe.ScrollRequest(
                offset=self._next, limit=STEP, with_payload=[self.key], with_vector=False
            )
        )
        self.apply(Change(Counter(_values(records, self.key))))
        if following is None:
            self.complete = True
        else:
            self._next = uuid.UUID(str(following))

    def read(self, shard: qe.EdgeShard) -> None:
        """Read what is left, at once."""
        while not self.complete:
            self.step(shard)

    def passed(self, point_id: str) -> bool:
        """Whether the reading has passed this point (its state is counted)."""
        if self.complete:
            return True
        return self._next is not None and uuid.UUID(point_id) < self._next

    def apply(self, change: Change) -> None:
        for value, n in change.counts.items():
            left = self._counts.get(value, 0) + n
            if left > 0:
                self._counts[value] = left
            else:
                self._counts.pop(value, None)
        if change.dropped is not None:
            self._counts.pop(change.dropped, None)


def change(shard: qe.EdgeShard, key: str, op: Op, passed: Callable[[str], bool]) -> Change | None:
    """How ``op`` changes the counts of ``key`` among the points ``passed``
    selects, read from the shard before it is applied; None when it cannot
    be told (the roster must be read again)."""
    kind = op[0]
    if kind in ("upsert", "delete"):
        ids = [i for i in op[1] if passed(i)]
        out = Change()
        if not ids:
            return out
        # An upsert may rewrite points that exist: what they held goes first.
        existing = shard.retrieve(ids, with_payload=[key], with_vector=False)
        out.counts.subtract(_values(existing, key))
        if kind == "upsert":
            chosen = set(ids)
            payloads = [p for i, p in zip(op[1], op[3], strict=True) if i in chosen]
            out.counts.update(_values(payloads, key, payloads=True))
        return out
    if kind == "delete_where" and set(op[1]) == {key}:
        return Change(dropped=op[1][key])
    return None


def _values(items: Sequence[Any], key: str, *, payloads: bool = False) -> list[str]:
    out = []
    for item in items:
        payload = item if payloads else (item.payload or {})
        value = payload.get(key)
        if isinstance(value, str):
            out.append(value)
    return out
