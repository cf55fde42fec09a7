"""A worker's memory of the places tiles it has drawn, so that a tile asked for again is not drawn again.

A places tile at a low zoom adds up and clips hundreds of places (7 to 10 ms of the database's time over
a province at zoom 7 to 9, scripts/bench_map.py), and every supervisor who opens the map asks for the
same few. A tile is kept under the campaign's tiles_version (counted up whenever the campaign's numbers
are added up anew or places are imported), the caller's places and its z/x/y: a change in the numbers
gives new keys, so nothing kept is ever served stale, and old tiles fall out of the memory as it fills.
Each worker keeps at most TILE_CACHE_MB (default 64; 0: none), least recently used first out.
Household tiles are not kept: they change with every submission.
"""
from collections.abc import Callable, Hashable

from cachetools import LRUCache

from ..worker_memory import WorkerMemory

_ENTRY_BYTES = 200            # a kept tile's key and record, beside its bytes
_memory = WorkerMemory(None)  # this process's, set up by configure() when the app is made


def configure(megabytes: float) -> None:
    """Keep up to `megabytes` of tiles from now on (0: none), forgetting what was kept."""
    max_bytes = int(megabytes * 1024 * 1024)
    _memory.use(LRUCache(max_bytes, getsizeof=lambda tile: len(tile.data) + _ENTRY_BYTES) if max_bytes > 0 else None)


def kept(key: Hashable, draw: Callable):
    """This worker's tile for `key`, drawn by draw() the first time it is asked for."""
    return _memory.remembered(key, draw)


def forget_all() -> None:
    _memory.clear()
