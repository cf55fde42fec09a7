"""Configuration from the environment (12-factor); the defaults work on one machine."""
import os
from pathlib import Path

from .http.proxies import parse_networks

DEFAULT_DATABASE_URL = "postgresql+psycopg://dixian:dixian@127.0.0.1:5433/dixian"
DEFAULT_BIND = "127.0.0.1:8000"
DEFAULT_ACCEPT_CONTENT_LENGTH = 50_000_000
# Room for multipart framing above what Collect is told it may send: it counts only the files.
MULTIPART_FRAMING_BYTES = 1_000_000


def from_environment() -> dict:
    env = os.environ
    data_dir = Path(env.get("DIXIAN_DATA_DIR", "/var/lib/dixian"))
    bind = env.get("BIND", DEFAULT_BIND)
    accept_bytes = accept_content_length(env)
    # With a certificate the front door speaks only https on BIND (app/frontdoor).
    scheme = "https" if env.get("TLS_CERT_FILE") else "http"
    return {
        "SQLALCHEMY_DATABASE_URI": _sqlalchemy_url(env.get("DATABASE_URL", DEFAULT_DATABASE_URL)),
        # No pre-ping (a round trip per request); connections are recycled hourly instead.
        # hide_parameters: a database error must not copy answers (ID numbers, phones) into the log.
        # connect_timeout: an unreachable database host is a 503 in seconds, not a request hung for minutes.
        # jit=off: PostgreSQL compiles a statement whose estimated cost is high, and the estimates of the
        # statements that write JSON per row (OData, exports) are high, so each one paid 0.3-1.5 s of
        # compiling before its first row (measured: 1.56 s of a 1.62 s statement writing 500
        # submissions' members); nothing here runs long enough on few enough rows to gain from it.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_recycle": 3600, "pool_size": int(env.get("DB_POOL_SIZE", 10)),
                                      "hide_parameters": True,
                                      "connect_args": {"connect_timeout": 10, "options": "-c jit=off"}},
        # Each web request's statements are cancelled after this long (0: never); commands are not bounded.
        # Above any statement a request needs (a coverage read that adds up a whole county), below ODK
        # Collect's 60 s read timeout (OkHttpConnection), so Collect reads the 503 instead of giving up.
        "STATEMENT_TIMEOUT_MS": int(env.get("STATEMENT_TIMEOUT_MS", 30_000)),
        "PUBLIC_URL": env.get("PUBLIC_URL", f"{scheme}://{bind}").rstrip("/"),
        "BLOB_DIR": env.get("BLOB_DIR", str(data_dir / "blobs")),
        "SECRET_KEY": env.get("SECRET_KEY") or _machine_secret(data_dir),
        # What we tell Collect it may send in one POST; Collect splits larger submissions.
        "OPENROSA_ACCEPT_CONTENT_LENGTH": accept_bytes,
        # The hard limit; the front door's client_max_body_size is the same number.
        "MAX_CONTENT_LENGTH": request_body_limit(accept_bytes),
        "MAX_FORM_MEMORY_SIZE": 1_000_000,
        # Elements and attributes one submission's XML may hold (413 beyond): the largest real form
        # we know (SOAR facility survey, ~750 nodes) with hundreds of repeat entries stays far below,
        # and the cap is met within 0.2 s of parsing, however the body is shaped.
        "MAX_SUBMISSION_ELEMENTS": int(env.get("MAX_SUBMISSION_ELEMENTS", 100_000)),
        "DIGEST_REALM": env.get("DIGEST_REALM", "Dixian"),
        "SESSION_HOURS": int(env.get("SESSION_HOURS", 24)),
        # How long a worker remembers a session's user and a user's grant (services/accounts/access_cache):
        # a sign-out or revocation made through another worker or the command line takes this long there.
        "ACCESS_CACHE_SECONDS": float(env.get("ACCESS_CACHE_SECONDS", 5)),
        # How long a worker remembers the campaign tiles ask for (services/coverage/campaigns): a change made
        # through another worker or the command line shows on the map's tiles within this time.
        "TILES_CAMPAIGN_SECONDS": float(env.get("TILES_CAMPAIGN_SECONDS", 1)),
        # Places tiles a worker keeps once drawn, in MB (services/coverage/tile_cache; 0: none).
        "TILE_CACHE_MB": float(env.get("TILE_CACHE_MB", 64)),
        # The phone number residents' self-report posters print (public-link posters).
        "SELF_REPORT_HOTLINE": env.get("SELF_REPORT_HOTLINE", "").strip(),
        # Residents' self-reports allowed per address and per link, per minute and per day; the shortest time in
        # seconds from serving the form to sending it; reports from one address in a day after which its page
        # asks for a proof of work, and that work (counters tried at most); the bytes of a report's attachments
        # together, and the pixels of each photo (services/self_report/abuse.py, ReportLimits).
        "SELF_REPORT_LIMITS": {field: int(env.get(f"SELF_REPORT_{field.upper()}", default)) for field, default in (
            ("per_address_minute", 3), ("per_address_day", 20), ("per_link_minute", 20), ("per_link_day", 300),
            ("min_fill_seconds", 20), ("challenge_after", 2), ("challenge_work", 4000),
            ("attachment_bytes", 6_000_000), ("photo_pixels", 16_000_000))},
        # A risk lead from a self-report is to be accepted within this many working days (Monday to Friday, China
        # time); a report joins the open lead of the same household first reported within LEAD_JOIN_DAYS.
        "LEAD_ACCEPT_WORKING_DAYS": int(env.get("LEAD_ACCEPT_WORKING_DAYS", 2)),
        "LEAD_JOIN_DAYS": int(env.get("LEAD_JOIN_DAYS", 90)),
        "DEFAULT_PROJECT_NAME": env.get("DEFAULT_PROJECT_NAME", "防返贫动态监测"),
        # Risk rules and place/household linking at ingest; off only to measure what they cost.
        "RISK_RULES": env.get("RISK_RULES", "on") != "off",
        # How often the background jobs run, in one worker per database (app/workers): coverage added up
        # where villages changed, events followed up, housekeeping (0: never; coverage then only when read).
        "BACKGROUND_JOBS_SECONDS": float(env.get("BACKGROUND_JOBS_SECONDS", 5)),
        # Peers whose X-Forwarded-For/-Proto are believed: the front door (nginx) on this host.
        "TRUSTED_PROXIES": parse_networks(env.get("TRUSTED_PROXIES", "127.0.0.1, ::1")),
        # A Tianditu (天地图) browser key: the console map draws Tianditu's vec_w and cva_w layers under the
        # places. Without one (offline, an intranet, tests) it draws the places alone.
        "TIANDITU_KEY": env.get("TIANDITU_KEY", "").strip(),
    }


def accept_content_length(env=os.environ) -> int:
    """OPENROSA_ACCEPT_CONTENT_LENGTH in bytes: what X-OpenRosa-Accept-Content-Length tells Collect it may
    send in one POST (OpenRosa 1.0 Form Submission API); Collect splits bigger submissions."""
    return int(env.get("OPENROSA_ACCEPT_CONTENT_LENGTH", DEFAULT_ACCEPT_CONTENT_LENGTH))


def request_body_limit(accept_bytes: int) -> int:
    """The largest request body in bytes that Flask (MAX_CONTENT_LENGTH) and the front door
    (nginx's client_max_body_size) take: the advertised limit plus room for the multipart framing
    around the files, which Collect does not count. Larger bodies get 413."""
    return accept_bytes + MULTIPART_FRAMING_BYTES


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
