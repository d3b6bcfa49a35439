"""Where the face store lives and how long it may take to answer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StoreConfig:
    """Connection settings for :class:`~aurum_ml.store.FaceStore`.

    ``url`` wins over ``location``: with a url the store talks to a Qdrant
    server through qdrant-client, otherwise it runs Qdrant Edge (Qdrant's own
    engine) embedded, in a store process of its own, on a folder that only one
    process may hold open at a time (``":memory:"``: a temporary folder, lost
    on close: tests and demos).
    """

    location: str = ":memory:"
    url: str | None = None
    api_key: str | None = None
    timeout_s: float = 5.0
    # One deployment can share a Qdrant server with other applications: the
    # prefix keeps our collections apart and tells list_galleries which are ours.
    collection_prefix: str = "aurum_"
    #: Embedded: a gallery is (re)indexed once this many of its faces are
    #: not in its vector index; below it they are searched exactly. 0: never.
    index_threshold: int = 20000
    #: Embedded: candidates an indexed search explores (recall against speed).
    hnsw_ef: int = 256
    #: Embedded: seconds from a write to its fsync (0: before acknowledging it).
    flush_interval_s: float = 1.0

    @property
    def is_remote(self) -> bool:
        return bool(self.url)
