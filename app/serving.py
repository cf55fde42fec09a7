"""gunicorn settings module (`gunicorn -c python:app.serving wsgi:app`): what each worker process runs
besides requests, what every log record of the server goes through, and which request headers gunicorn
itself believes (none that a proxy sets). Only workers start the background work: the CLI and the
migrations before them never do."""
import gc
import logging

from .core.log_masking import mask_tokens
from .frontdoor.settings import HEADER_BUFFER_BYTES, HEADER_BUFFERS

# gunicorn believes no forwarded header itself. By its defaults it takes X-Forwarded-Proto: https,
# X-Forwarded-Ssl: on or X-Forwarded-Protocol: ssl from 127.0.0.1 as the request being https, and
# SCRIPT_NAME / PATH_INFO headers as the WSGI variables, so any local process talking to APP_BIND over
# plain http could count as https (and have a Basic password accepted). The app's TrustedProxies
# (app/http/proxies.py, TRUSTED_PROXIES) is the one place where forwarded headers are believed.
# Set here, these override gunicorn's FORWARDED_ALLOW_IPS environment variable.
forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}
forwarder_headers = ""

# gunicorn takes whatever request line and headers nginx passed on (HEADER_BUFFERS of HEADER_BUFFER_BYTES,
# app/frontdoor/settings.py): refused here, the request's unread body would make gunicorn close the
# connection and nginx answer 503 instead of the app. The field count bounds lines of at least 4 bytes
# ("a:" and CRLF) in nginx's buffers, and the few headers nginx adds.
limit_request_line = HEADER_BUFFER_BYTES - 2
limit_request_field_size = HEADER_BUFFER_BYTES
limit_request_fields = HEADER_BUFFERS * HEADER_BUFFER_BYTES // 4 + 16


def post_worker_init(worker) -> None:
    from .workers.runner import start_job_runner
    worker.job_runner = start_job_runner(worker.wsgi)
    # The app, its libraries and their caches, loaded now, live as long as the worker: moved out of the
    # garbage collector's sight, they are no longer walked by each full collection. Walking them took
    # 200-450 ms, a pause of every request the worker held (scripts/bench_map.py); now it takes ~10 ms.
    gc.freeze()


def _masking_record_factory(make_record):
    """Wraps logging's record factory so that no record leaves this process holding a device token.

    gunicorn logs a refused request line whole ("Invalid request from ip=...: Invalid HTTP request line:
    'POST /v1/key/<token>/...'", case reliability/24) and a failed request's URI; the front door keeps
    such requests away, and this is the defence behind it. A factory, not a filter on one logger,
    because it sees every record of the process (gunicorn's error and access logs, the app's own)
    whatever handlers gunicorn sets up or reopens later.
    """
    def make_masked(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:       # a bad format string is logging's to report, at emit time
            return record
        masked = mask_tokens(message)
        if masked != message:
            record.msg, record.args = masked, None
        return record
    return make_masked


# At import: in gunicorn's master, before it forks the workers, which inherit the factory.
logging.setLogRecordFactory(_masking_record_factory(logging.getLogRecordFactory()))
