"""`python -m app.frontdoor render|check|run`, with the settings in the environment (README).

render  writes $DIXIAN_RUN_DIR/nginx.conf and prints its path
check   renders it and has nginx test it (exit status 1 if nginx finds fault)
run     renders it and runs nginx in the foreground until it ends; HUP reloads the configuration,
        USR1 reopens the access log, TERM and QUIT end it gracefully (at once after 10 s), INT at once
"""
import os
import signal
import sys

from .render import write_config
from .settings import SettingsError, from_environment
from .supervise import FrontDoor


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) == 2 else ""
    if command not in ("render", "check", "run"):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        settings = from_environment()
        write_config(settings)
    except SettingsError as e:
        print(f"frontdoor: {e}", file=sys.stderr)
        return 2
    if command == "render":
        print(settings.config_file)
        return 0
    door = FrontDoor(settings)
    if command == "check":
        return 0 if door.check().returncode == 0 else 1
    # Handlers first, so that a stop asked for while nginx starts is not lost. TERM (what service
    # managers and `scripts/serve.sh stop` send) and QUIT end nginx gracefully, INT (Ctrl-C) at once.
    def pass_on(received: int, _frame) -> None:
        if received in (signal.SIGTERM, signal.SIGQUIT, signal.SIGINT):
            door.request_stop(graceful=received != signal.SIGINT)
        else:
            door.signal(received)

    for signum in (signal.SIGHUP, signal.SIGUSR1, signal.SIGTERM, signal.SIGQUIT, signal.SIGINT):
        signal.signal(signum, pass_on)
    door.start()
    status = door.wait()
    # scripts/serve.sh writes this process's pid there, for `serve.sh stop`; gone with the process.
    pid_file = settings.run_dir / "frontdoor.pid"
    if pid_file.exists() and pid_file.read_text().strip() == str(os.getpid()):
        pid_file.unlink()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
