"""Runs nginx in the foreground with the rendered configuration, and writes its error log masked.

nginx's error messages quote the request line and the upstream URL ("connect() failed ... request:
"HEAD /v1/key/<token>/..."") and nginx cannot be told not to, so its error log goes to its stderr,
a pipe read here, and reaches LOG_DIR/error.log only through app/core/log_masking.py.
"""
import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

from ..core.log_masking import mask_tokens_in_bytes
from .render import write_config
from .settings import FrontDoorSettings

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


class FrontDoor:
    """One nginx master (and its workers) serving `settings`, started by start() and ended by stop()."""

    def __init__(self, settings: FrontDoorSettings, nginx: str = NGINX):
        self.settings = settings
        self.nginx = nginx
        self.process: subprocess.Popen | None = None
        self._copier: threading.Thread | None = None
        self._stop_requested: bool | None = None     # graceful or not, once asked

    def check(self) -> subprocess.CompletedProcess:
        """Renders the configuration and has nginx test it (`nginx -t`); its verdict is on stderr."""
        config = write_config(self.settings)
        return subprocess.run([self.nginx, "-t", "-q", "-c", str(config), "-e", "stderr"],
                              stdin=subprocess.DEVNULL)

    def start(self) -> "FrontDoor":
        """Renders the configuration, ends a front door still running from an earlier start (found by
        its pid file), and starts nginx; returns at once, before nginx listens."""
        config = write_config(self.settings)
        # There from the start, for `tail -f` and log shippers, though nginx may not warn for days.
        self.settings.error_log.touch()
        stop_running_nginx(self.settings.pid_file)
        self.process = subprocess.Popen([self.nginx, "-c", str(config), "-e", "stderr"],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE)
        self._copier = threading.Thread(target=_copy_masked, name="frontdoor-error-log", daemon=True,
                                        args=(self.process.stderr, self.settings.error_log))
        self._copier.start()
        if self._stop_requested is not None:    # asked to stop while starting
            self.request_stop(self._stop_requested)
        return self

    def signal(self, signum: int) -> None:
        """Passes a signal to nginx's master: HUP reloads the configuration, USR1 reopens the access log,
        QUIT ends gracefully, TERM and INT at once."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signum)

    def request_stop(self, graceful: bool = True, grace_seconds: float = 10) -> None:
        """Asks nginx to end, and returns: gracefully (finishing the requests under way, for up to
        `grace_seconds`) or at once. Safe in a signal handler; before start(), start() ends it at once."""
        self._stop_requested = graceful
        if not graceful:
            self.signal(signal.SIGTERM)
            return
        self.signal(signal.SIGQUIT)
        timer = threading.Timer(grace_seconds, self.signal, [signal.SIGTERM])
        timer.daemon = True
        timer.start()

    def wait(self) -> int:
        """Until nginx ends and its last error line is written; nginx's exit status."""
        assert self.process is not None, "start() first"
        status = self.process.wait()
        self._copier.join()
        return status

    def stop(self, grace_seconds: float = 10) -> int:
        """Ends nginx, gracefully for up to `grace_seconds`, then at once; its exit status."""
        self.request_stop(graceful=True, grace_seconds=grace_seconds)
        return self.wait()


def _copy_masked(stream, path: Path) -> None:
    """Appends each line of `stream` to `path` with device tokens masked, until the stream ends.

    The file is opened for each line, so a rotated log is simply created again.
    """
    for line in iter(stream.readline, b""):
        try:
            with open(path, "ab") as log:
                log.write(mask_tokens_in_bytes(line))
        except OSError:
            pass    # a full or missing disk must not stop nginx: it would block on a full pipe
    stream.close()


def stop_running_nginx(pid_file: Path, timeout: float = 10) -> None:
    """Ends the nginx whose master's pid is in `pid_file`, if one still runs (gracefully, then at once).

    The pid is checked to be an nginx first: after a reboot a stale file may name another process.
    """
    try:
        pid = int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return
    if not _is_nginx(pid):
        return
    for signum, wait_seconds in ((signal.SIGQUIT, timeout), (signal.SIGTERM, 5)):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait_seconds
        while time.monotonic() < deadline:
            if not _is_nginx(pid):
                return
            time.sleep(0.05)


def _is_nginx(pid: int) -> bool:
    """Whether `pid` is a live (not zombie) nginx process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # "pid (comm) state ...": comm may hold spaces and parentheses, the state follows the last ')'.
    comm = stat[stat.index("(") + 1:stat.rindex(")")]
    state = stat[stat.rindex(")") + 2:].split(" ", 1)[0]
    return comm == "nginx" and state != "Z"
