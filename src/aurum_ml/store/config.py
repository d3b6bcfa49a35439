"""Where the face store lives and how long it may take to answer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StoreConfig:
    """Connection settings for :class:`~aurum_ml.store.FaceStore`.

    ``url`` wins over ``location``: with a url the store talks to a Qdrant
    server, otherwise it runs Qdrant embedded in this process, either in memory
    (``":memory:"``, lost on exit: tests and demos) or persisted in a folder that
    only one process may hold open at a time.
    """

    location: str = ":memory:"
    url: str | None = None
    api_key: str | None = None
    timeout_s: float = 5.0
    # One deployment can share a Qdrant server with other applications: the
    # prefix keeps our collections apart and tells list_galleries which are ours.
    collection_prefix: str = "aurum_"

    @property
    def is_remote(self) -> bool:
        return bool(self.url)
