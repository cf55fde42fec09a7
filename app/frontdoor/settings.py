"""The front door's settings, from the environment (README, "Configuration")."""
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .. import config

DEFAULT_APP_BIND = "127.0.0.1:8001"

# nginx `listen` / `server` addresses as the settings may give them: host:port, [v6]:port, a port, or
# *:port. Nothing that could end the directive or start another one.
_ADDRESS = re.compile(r"^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.*-]+)(?::[0-9]{1,5})?$")
# Paths go into the configuration in double quotes.
_SAFE_PATH = re.compile(r'^[^"\\$;{}\s]+$')


class SettingsError(ValueError):
    """A setting the front door cannot use; the message names it."""


# nginx's large_client_header_buffers: the request line and each header line must fit in one buffer,
# all headers in HEADER_BUFFERS of them; more is 414 or 431 in the door's format. gunicorn's own limits
# are set above these (app.serving), so that gunicorn never refuses what nginx passed on: it would close
# on the unread body and nginx would answer 503 (found by the fuzz run). 8 KiB is also the longest line
# gunicorn can take (8,190 bytes and the CRLF).
HEADER_BUFFERS = 4
HEADER_BUFFER_BYTES = 8192


@dataclass(frozen=True)
class FrontDoorSettings:
    bind: str                          # where nginx listens (BIND), e.g. "0.0.0.0:8000"
    app_bind: str                      # where gunicorn listens, private (APP_BIND), e.g. "127.0.0.1:8001"
    accept_bytes: int                  # OPENROSA_ACCEPT_CONTENT_LENGTH, named in the 413 answer
    body_limit_bytes: int              # largest submission body: config.request_body_limit(accept_bytes)
    run_dir: Path                      # nginx.conf and nginx.pid (DIXIAN_RUN_DIR)
    log_dir: Path                      # access.log and error.log (LOG_DIR)
    temp_dir: Path                     # bodies being buffered: requests and responses, up to body_limit
    tls_cert_file: str | None = None   # PEM certificate chain (TLS_CERT_FILE); set: https only on bind
    tls_key_file: str | None = None    # its private key (TLS_KEY_FILE)
    # A request's whole header (and a TLS handshake) must arrive within this: a Collect request's header
    # is one packet, and 10 s leaves room for three retransmissions on a poor mobile link. Short, since
    # a connection waiting for its header is counted by no per-address limit.
    header_seconds: int = 10
    body_seconds: int = 30             # longest pause between two reads of a body, or two writes of an answer
    app_seconds: int = 120             # longest wait for gunicorn's answer
    connections_per_address: int = 256
    # Largest body of any request but a submission (render.UPLOAD_LOCATIONS): far above any JSON the API
    # takes (a session's is ~100 bytes), and it bounds what one connection makes nginx hold at 1 MiB.
    other_body_bytes: int = 1_048_576
    # Submissions in progress from one address at once. Collect sends one submission at a time per phone,
    # so this is the number of phones behind one address (a carrier's NAT, an office) sending in the same
    # seconds; a few KB of XML and some photos take a few seconds each. The 33rd gets 429 with Retry-After
    # and Collect sends it again. With body_limit_bytes of ~51 MB it bounds the disk one address can make
    # nginx hold to ~1.6 GB (256 connections could hold 12.7 GB).
    uploads_per_address: int = 32
    # Per nginx worker; a proxied request takes two. Each costs ~0.5 KB held from the start, a few KB
    # while in use; capped by the open files the machine allows (render.open_files_limit).
    worker_connections: int = 32768
    retry_after_seconds: int = 10      # Retry-After on the front door's 429 and 503 answers

    @property
    def tls(self) -> bool:
        return self.tls_cert_file is not None

    @property
    def config_file(self) -> Path:
        return self.run_dir / "nginx.conf"

    @property
    def pid_file(self) -> Path:
        return self.run_dir / "nginx.pid"

    @property
    def access_log(self) -> Path:
        return self.log_dir / "access.log"

    @property
    def error_log(self) -> Path:
        return self.log_dir / "error.log"

    def check(self) -> "FrontDoorSettings":
        """self, or SettingsError naming the first setting that cannot go into nginx's configuration."""
        for name, address in (("BIND", self.bind), ("APP_BIND", self.app_bind)):
            if not _ADDRESS.match(address):
                raise SettingsError(f"{name}={address!r} is not host:port, [ipv6]:port or a port.")
        if self.bind == self.app_bind:
            raise SettingsError("BIND and APP_BIND must differ: nginx listens on BIND, gunicorn on APP_BIND.")
        if (self.tls_cert_file is None) != (self.tls_key_file is None):
            raise SettingsError("TLS_CERT_FILE and TLS_KEY_FILE go together: set both or neither.")
        paths = {"DIXIAN_RUN_DIR": self.run_dir, "LOG_DIR": self.log_dir, "DIXIAN_DATA_DIR": self.temp_dir,
                 "TLS_CERT_FILE": self.tls_cert_file, "TLS_KEY_FILE": self.tls_key_file}
        for name, path in paths.items():
            if path is not None and not _SAFE_PATH.match(str(path)):
                raise SettingsError(f"{name}={str(path)!r}: give a path without spaces, quotes, "
                                    "'$', ';' or braces.")
        return self


def from_environment(env=os.environ) -> FrontDoorSettings:
    """The settings scripts/serve.sh passes; SettingsError if one is unusable."""
    data_dir = Path(env.get("DIXIAN_DATA_DIR", "/var/lib/dixian"))
    accept_bytes = config.accept_content_length(env)
    tunables = {field: int(env[name]) for field, name in _TUNABLES.items() if env.get(name)}
    return FrontDoorSettings(
        bind=env.get("BIND", config.DEFAULT_BIND),
        app_bind=env.get("APP_BIND", DEFAULT_APP_BIND),
        accept_bytes=accept_bytes,
        body_limit_bytes=config.request_body_limit(accept_bytes),
        run_dir=Path(env.get("DIXIAN_RUN_DIR", "/run/dixian")),
        log_dir=Path(env.get("LOG_DIR", "/var/log/dixian")),
        temp_dir=data_dir / "frontdoor",
        tls_cert_file=env.get("TLS_CERT_FILE") or None,
        tls_key_file=env.get("TLS_KEY_FILE") or None,
        **tunables,
    ).check()


# Settings with good defaults that an operator (or a test) may change.
_TUNABLES = {
    "header_seconds": "CLIENT_HEADER_SECONDS",
    "body_seconds": "CLIENT_BODY_SECONDS",
    "app_seconds": "APP_SECONDS",
    "connections_per_address": "CONNECTIONS_PER_ADDRESS",
    "uploads_per_address": "UPLOADS_PER_ADDRESS",
    "other_body_bytes": "OTHER_BODY_BYTES",
}
