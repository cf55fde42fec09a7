"""A worker's memory (app/services/worker_memory.py): cleared means cleared, and too big is not kept."""
import threading

from cachetools import LRUCache, TTLCache

from app.services.worker_memory import WorkerMemory


def test_an_answer_looked_up_across_a_clear_is_not_kept():
    memory = WorkerMemory(TTLCache(100, 60))
    loading, go_on = threading.Event(), threading.Event()

    def before_the_change():
        loading.set()
        go_on.wait(5)
        return ("viewer", None)
    lookup = threading.Thread(target=lambda: memory.remembered("grant", before_the_change))
    lookup.start()
    loading.wait(5)
    memory.clear()                  # a revoke, while the lookup above is under way
    go_on.set()
    lookup.join(5)
    assert memory.remembered("grant", lambda: None) is None


def test_a_value_bigger_than_the_whole_memory_is_given_not_kept():
    memory = WorkerMemory(LRUCache(10, getsizeof=len))
    assert memory.remembered("big", lambda: b"x" * 11) == b"x" * 11
    assert memory.remembered("big", lambda: b"fresh") == b"fresh"
    assert memory.remembered("big", lambda: b"later") == b"fresh"


def test_without_a_cache_every_value_is_looked_up():
    memory = WorkerMemory(None)
    assert memory.remembered("k", lambda: 1) == 1 and memory.remembered("k", lambda: 2) == 2
