"""Password hashes, a few at a time on the whole machine.

A password hash is made to be slow (scrypt, tens of milliseconds of a core). Wrong passwords sent
from many addresses at once pass the per-address limit and would each cost a hash; with every
gunicorn worker hashing, the cores went to the flood and device submissions waited a second each
(found by the attack test). So at most SLOTS hashes run at once on this machine, whatever the
number of workers: a slot is an flock on a file, held by whichever process or thread hashes. A
sign-in that finds no slot within WAIT_S is answered 503 with Retry-After at once, not queued,
so that waiting sign-ins never hold the threads that devices need.
"""
import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ...problems import service_unavailable

# Half the cores: the other half stays with Collect's submissions while sign-ins are flooded.
SLOTS = max(1, (os.cpu_count() or 2) // 2)
WAIT_S = 1.0
SLOT_DIRECTORY = Path(tempfile.gettempdir()) / "dixian-password-hashing"


@contextmanager
def hashing_slot(slots: int = SLOTS, wait_s: float = WAIT_S, directory: Path = SLOT_DIRECTORY) -> Iterator[None]:
    """Hold one of `slots` machine-wide slots while the block runs.

    Raises Problem 503.1 (Retry-After 5) when none came free within `wait_s` seconds.
    """
    directory.mkdir(mode=0o700, exist_ok=True)
    deadline = time.monotonic() + wait_s
    while True:
        for n in range(slots):
            fd = os.open(directory / f"slot-{n}", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                yield
            finally:
                os.close(fd)        # closing the file releases its lock
            return
        if time.monotonic() >= deadline:
            raise service_unavailable("The server is busy checking other sign-ins; try again in a moment.", 5)
        time.sleep(0.02)
