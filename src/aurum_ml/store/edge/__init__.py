"""Qdrant Edge, Qdrant's own Rust engine, as the embedded face store.

The engine never releases the GIL (a 200-query batch froze a Python thread for
~1 s, an index build for minutes), so it never runs in the serving process:
:class:`EdgeEngine` (``client``) starts a store process (``process``) that
owns the folder (``lock``) and its shards (``shards``), answers one request
at a time, and builds vector indexes in a third process beside it
(``builds``), swapping the built shard in when it is done.
"""

from __future__ import annotations

from aurum_ml.store.edge.client import EdgeEngine, EdgeOptions

__all__ = ["EdgeEngine", "EdgeOptions"]
