"""A worker's short memory of who a session token stands for and what a user may do in a project.

Every API and console request reads both before anything else; on the map, a screen of tiles is dozens
of requests at once, and the two lookups were a third of a small tile's cost (scripts/bench_map.py).
So each worker process remembers them for ACCESS_CACHE_SECONDS (default 5; 0: not at all):
- a change made through this process (signing out, granting, revoking a role) forgets everything at once;
- one made by another worker or by the command line takes effect there within ACCESS_CACHE_SECONDS,
  the same bound public links' revocation has;
- a session is never used past its expiry, however recently it was remembered (sessions.live_session).
Only what was found is remembered: an unknown token or a missing grant is looked up each time.
"""
from collections.abc import Callable, Hashable
from typing import TypeVar

from cachetools import TTLCache

from ..worker_memory import WorkerMemory

MAX_ENTRIES = 10_000          # sessions and grants of one worker; at a few hundred bytes each, a few MB
T = TypeVar("T")
_memory = WorkerMemory(None)  # this process's, set up by configure() when the app is made


def configure(seconds: float) -> None:
    """Remember each session and grant for `seconds` from now on (0: not at all), forgetting what was."""
    _memory.use(TTLCache(MAX_ENTRIES, seconds) if seconds > 0 else None)


def remembered(key: Hashable, load: Callable[[], T | None]) -> T | None:
    """This worker's value for `key` if looked up within ACCESS_CACHE_SECONDS, else load() (remembered
    unless None)."""
    return _memory.remembered(key, load)


def forget_all() -> None:
    """Forget every session and grant this worker remembers: call after changing either."""
    _memory.clear()
