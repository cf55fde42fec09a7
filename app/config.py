"""Configuration from the environment (12-factor); the defaults work on one machine."""
import os
from pathlib import Path

DEFAULT_DATABASE_URL = "postgresql+psycopg://dixian:dixian@127.0.0.1:5433/dixian"


def from_environment() -> dict:
    env = os.environ
    data_dir = Path(env.get("DIXIAN_DATA_DIR", "/var/lib/dixian"))
    bind = env.get("BIND", "127.0.0.1:8000")
    accept_bytes = int(env.get("OPENROSA_ACCEPT_CONTENT_LENGTH", 50_000_000))
    return {
        "SQLALCHEMY_DATABASE_URI": _sqlalchemy_url(env.get("DATABASE_URL", DEFAULT_DATABASE_URL)),
        # No pre-ping (a round trip per request); connections are recycled hourly instead.
        # hide_parameters: a database error must not copy answers (ID numbers, phones) into the log.
        # connect_timeout: an unreachable database host is a 503 in seconds, not a request hung for minutes.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_recycle": 3600, "pool_size": int(env.get("DB_POOL_SIZE", 10)),
                                      "hide_parameters": True, "connect_args": {"connect_timeout": 10}},
        # Each web request's statements are cancelled after this long (0: never); commands are not bounded.
        # Above any statement a request needs (a coverage read that adds up a whole county), below ODK
        # Collect's 60 s read timeout (OkHttpConnection), so Collect reads the 503 instead of giving up.
        "STATEMENT_TIMEOUT_MS": int(env.get("STATEMENT_TIMEOUT_MS", 30_000)),
        "PUBLIC_URL": env.get("PUBLIC_URL", f"http://{bind}").rstrip("/"),
        "BLOB_DIR": env.get("BLOB_DIR", str(data_dir / "blobs")),
        "SECRET_KEY": env.get("SECRET_KEY") or _machine_secret(data_dir),
        # What we tell Collect it may send in one POST; Collect splits larger submissions.
        "OPENROSA_ACCEPT_CONTENT_LENGTH": accept_bytes,
        # The hard limit sits a little above it, for multipart framing.
        "MAX_CONTENT_LENGTH": accept_bytes + 1_000_000,
        "MAX_FORM_MEMORY_SIZE": 1_000_000,
        "DIGEST_REALM": env.get("DIGEST_REALM", "Dixian"),
        "SESSION_HOURS": int(env.get("SESSION_HOURS", 24)),
        "DEFAULT_PROJECT_NAME": env.get("DEFAULT_PROJECT_NAME", "防返贫动态监测"),
        # Risk rules and place/household linking at ingest; off only to measure what they cost.
        "RISK_RULES": env.get("RISK_RULES", "on") != "off",
        # How often changed campaigns are added up in the background, by one worker (0: only when read).
        "COVERAGE_REFRESH_SECONDS": float(env.get("COVERAGE_REFRESH_SECONDS", 5)),
    }


def _sqlalchemy_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use the psycopg 3 driver for them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _machine_secret(data_dir: Path) -> str:
    """A secret kept beside the data, created on first use, so restarts keep nonces valid."""
    path = data_dir / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        data_dir.mkdir(parents=True, exist_ok=True)
        secret = os.urandom(32).hex()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secret)
        return secret
