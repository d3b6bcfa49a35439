"""``aurum-ml store``: look after the embedded face store without a server.

* ``migrate`` opens the configured folder, which moves a store written by
  qdrant-client's local mode (releases before Qdrant Edge) to Qdrant Edge,
  as the server's first start would, and says what it holds.
* ``copy --to-url URL`` copies every gallery of the embedded folder into a
  Qdrant server or cluster (face ids unchanged), for when one machine is no
  longer enough; then start the server with ``AURUM_QDRANT_URL``.

The folder is locked while a server runs on it: stop the server first.
"""

from __future__ import annotations

import dataclasses
import json

from aurum_ml.bootstrap import store_config
from aurum_ml.settings import Settings
from aurum_ml.store import StoreConfig, copy_galleries, open_store


def _embedded(settings: Settings) -> StoreConfig:
    # Never index while administering: the server builds indexes when it runs.
    return dataclasses.replace(store_config(settings), url=None, index_threshold=0)


def migrate(settings: Settings) -> int:
    config = _embedded(settings)
    with open_store(config) as store:
        galleries = store.list_galleries()
    summary = {g.name: g.face_count for g in galleries}
    print(json.dumps({"folder": config.location, "faces": summary}))
    return 0


def copy(settings: Settings, url: str, api_key: str | None) -> int:
    source_config = _embedded(settings)
    target_config = dataclasses.replace(store_config(settings), url=url, api_key=api_key)
    with open_store(source_config) as source, open_store(target_config) as target:
        copied = copy_galleries(source, target)
        counts = {name: target.count(name) for name in copied}
    print(json.dumps({"copied": copied, "target_counts": counts}))
    return 0 if all(counts[n] >= copied[n] for n in copied) else 1
