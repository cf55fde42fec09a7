"""gunicorn settings module (`gunicorn -c python:app.serving wsgi:app`): what each worker process runs
besides requests, what every log record of the server goes through, and which request headers gunicorn
itself believes (none that a proxy sets). Only workers start the background work: the CLI and the
migrations before them never do."""
import logging

from .core.log_masking import mask_tokens

# gunicorn believes no forwarded header itself. By its defaults it takes X-Forwarded-Proto: https,
# X-Forwarded-Ssl: on or X-Forwarded-Protocol: ssl from 127.0.0.1 as the request being https, and
# SCRIPT_NAME / PATH_INFO headers as the WSGI variables, so any local process talking to APP_BIND over
# plain http could count as https (and have a Basic password accepted). The app's TrustedProxies
# (app/http/proxies.py, TRUSTED_PROXIES) is the one place where forwarded headers are believed.
# Set here, these override gunicorn's FORWARDED_ALLOW_IPS environment variable.
forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}
forwarder_headers = ""


def post_worker_init(worker) -> None:
    from .workers.runner import start_job_runner
    worker.job_runner = start_job_runner(worker.wsgi)


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
