"""What one worker process remembers between requests: values by key, around a cachetools cache.

cachetools' caches are not thread-safe, and gunicorn's workers serve with threads: every use holds a
lock, but not while a missing value is looked up, so other keys need not wait for a slow one (two
threads missing the same key both look it up, and the later answer stays). A lookup under way when the
memory is cleared does not keep its answer: it may be from before the change that cleared it.
"""
import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

from cachetools import Cache

T = TypeVar("T")


class WorkerMemory:
    """Values by key in `cache` (a cachetools cache, which decides how long and how many); None: nothing
    is remembered and every value is looked up."""

    def __init__(self, cache: Cache | None):
        self._cache = cache
        self._lock = threading.Lock()
        self._generation = 0          # counts clear()s: an answer looked up across one is not kept

    def remembered(self, key: Hashable, load: Callable[[], T | None]) -> T | None:
        """The value remembered for `key`, else load(), remembered unless it is None or bigger than the
        whole cache."""
        if self._cache is None:
            return load()
        with self._lock:
            value, generation = self._cache.get(key), self._generation
        if value is None:
            value = load()
            if value is not None:
                with self._lock:
                    if generation == self._generation and self._cache.getsizeof(value) <= self._cache.maxsize:
                        self._cache[key] = value
        return value

    def clear(self) -> None:
        with self._lock:
            if self._cache is not None:
                self._cache.clear()
            self._generation += 1

    def use(self, cache: Cache | None) -> None:
        """Remember in `cache` from now on (None: nothing), forgetting what was remembered."""
        with self._lock:
            self._cache = cache
            self._generation += 1
