"""nginx's configuration, rendered from FrontDoorSettings and nginx.conf.j2; the answers nginx gives itself.

nginx answers a few requests without gunicorn: malformed ones, bodies over the limit, too many
connections from one address, and any request while gunicorn is down or stuck. Those answers
speak the format of the door the request was for, as the app's own errors do (app/errors.py):
an OpenRosaResponse for Collect, JSON problem details for the API, a page for people.
"""
import json
import os
import resource
import stat
from dataclasses import dataclass
from pathlib import Path

import jinja2

from ..core.log_masking import NGINX_PATTERNS
from ..openrosa.documents import OPENROSA_HEADERS, openrosa_response
from .settings import HEADER_BUFFER_BYTES, HEADER_BUFFERS, FrontDoorSettings, SettingsError

TEMPLATE = Path(__file__).with_name("nginx.conf.j2")
# The user nginx's workers run as when it is started as root (Debian's nginx uses the same).
WORKER_USER = "www-data"
# Token-shaped runs the access log masks one by one in a request line (one nginx map each); a line
# with more is logged without its target. A device sends one token; more are a client's or an attacker's.
TOKEN_RUNS_MASKED = 4


@dataclass(frozen=True)
class FrontDoorAnswer:
    """One answer nginx gives itself, for the statuses in `answers` (nginx's own codes)."""
    name: str
    answers: tuple[int, ...]
    status: int
    code: float           # ODK Central's numbering where Central has the failure (app/problems.py)
    message: str
    zh: str
    retry: bool = False   # sends Retry-After: the condition passes, the client should try again
    scope: str = "all"    # where nginx gives it: "all" locations, only "uploads" or only the "others"


def answers(settings: FrontDoorSettings) -> list[FrontDoorAnswer]:
    """What nginx answers in place of the app. 5xx only where the server, not the request, is at fault."""
    retry_in = f"Try again in {settings.retry_after_seconds} seconds"
    return [
        FrontDoorAnswer(
            "malformed", (400,), 400, 400.1,
            "The request is not well-formed HTTP (RFC 9112), for example a space or a byte outside "
            "printable ASCII in the address, which must be percent-encoded.",
            "请求格式有误（例如网址中含有未编码的字符）。"),
        # nginx's 501: a Transfer-Encoding other than chunked (case reliability/13). The request is
        # at fault, so 400 rather than 501.
        FrontDoorAnswer(
            "transfer_coding", (501,), 400, 400.1,
            "This Transfer-Encoding is not supported; send the body with Content-Length or chunked.",
            "不支持该请求的传输编码。"),
        FrontDoorAnswer(
            "http_version", (505,), 400, 400.1, "This HTTP version is not supported; use HTTP/1.1.",
            "不支持该 HTTP 版本。"),
        FrontDoorAnswer(
            "plain_http", (497,), 400, 400.1, "This address speaks https; use https://.",
            "此地址使用 https，请改用 https://。"),
        # The app's own 413 says the same (app/errors.py).
        FrontDoorAnswer(
            "too_large", (413,), 413, 413.1,
            f"The request is larger than the {settings.accept_bytes} bytes this server accepts.",
            f"内容过大：本服务器接受的请求不超过 {settings.accept_bytes} 字节。", scope="uploads"),
        FrontDoorAnswer(
            "body_too_large", (413,), 413, 413.1,
            f"The request is larger than the {settings.other_body_bytes} bytes this server accepts at this "
            "address; only submissions may be larger.",
            f"内容过大：此网址接受的请求不超过 {settings.other_body_bytes} 字节（只有提交表单可以更大）。",
            scope="others"),
        FrontDoorAnswer(
            "address_too_long", (414,), 414, 414.1, "The address is too long.", "网址过长。"),
        # nginx's 494: one header line or all of them larger than its buffers.
        FrontDoorAnswer(
            "headers_too_large", (494,), 431, 431.1, "The request's headers are too large.", "请求头过大。"),
        FrontDoorAnswer(
            "too_many_connections", (429,), 429, 429.1,
            f"Too many connections from your network address at once. {retry_in}.",
            "同一网络地址的连接过多，请稍后再试。", retry=True),
        # 502: gunicorn refused the connection (stopped or restarting) or dropped it.
        FrontDoorAnswer(
            "unavailable", (502, 503), 503, 503.1,
            f"The server is restarting or not running. {retry_in}; a submission sent again is "
            "recognised by its instanceID and stored once.",
            "服务器正在重启或未运行，请稍后重试；重复发送的表单按 instanceID 只保存一次。", retry=True),
        FrontDoorAnswer(
            "timeout", (504,), 504, 504.1,
            f"The server did not answer in time. {retry_in}; a submission sent again is recognised "
            "by its instanceID and stored once.",
            "服务器未能及时响应，请稍后重试；重复发送的表单按 instanceID 只保存一次。", retry=True),
        # nginx's own failures: no free connection for the upstream while thousands of clients hold
        # theirs (a slowloris attack), no file descriptor, a full or unwritable disk while buffering a
        # body. They pass, and the request was not the fault: 503 with Retry-After, never a 500, which
        # Collect would not retry by itself.
        FrontDoorAnswer(
            "failure", (500,), 503, 503.1,
            f"The server could not take the request just now; nothing was stored. {retry_in}.",
            "服务器暂时无法接收请求，本次请求未保存任何内容，请稍后重试。", retry=True),
    ]


@dataclass(frozen=True)
class UploadLocation:
    """Where nginx takes a body up to the OpenRosa limit (body_limit_bytes), and at most
    uploads_per_address at once from one address; every other address takes other_body_bytes."""
    what: str
    uri: str        # a regex on nginx's $uri: percent-decoded, slashes merged, without the query


# The routes that take submissions (app/openrosa/views.py), for devices (/v1/key/{token}/...) and web
# users alike. When another route takes large bodies (e.g. form uploads through the API), add it here.
UPLOAD_LOCATIONS = (
    UploadLocation("OpenRosa submissions: ODK Collect's HEAD and POST {base}/submission",
                   r"^/v1/(?:key/[^/]+/)?projects/[^/]+/submission$"),
    UploadLocation("Submissions to a form's draft, while it is tested on a phone",
                   r"^/v1/test/[^/]+/projects/[^/]+/forms/[^/]+/draft/submission$"),
    UploadLocation("Residents' self-reports with their photos, under a public link (app/selfreport)",
                   r"^/f/[^/]+/submission$"),
)


# The three formats, as the doors write them: app/openrosa/views.py (render_problem, openrosa_xml),
# app/api/views.py (render_problem), app/errors.py (the page).
DOORS = {
    "openrosa": "text/xml; charset=utf-8",
    "api": "application/problem+json",
    "web": "text/html; charset=utf-8",
}
_TITLES = {400: "Bad Request", 413: "Content Too Large", 414: "URI Too Long", 429: "Too Many Requests",
           431: "Request Header Fields Too Large", 500: "Internal Server Error", 503: "Service Unavailable",
           504: "Gateway Timeout"}


def body(answer: FrontDoorAnswer, door: str) -> str:
    """The answer's body as `door` ("openrosa", "api" or "web") writes it."""
    if door == "openrosa":
        return openrosa_response(answer.message, error=True).decode("utf-8")
    if door == "api":
        return json.dumps({"code": answer.code, "message": answer.message, "status": answer.status,
                           "title": _TITLES[answer.status], "details": {}}, ensure_ascii=False) + "\n"
    return (f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{answer.status}</title>\n'
            '<body style="font-family:sans-serif;max-width:40em;margin:3em auto">\n'
            f'<h1>{answer.status}</h1><p>{answer.zh}</p><p lang="en">{answer.message}</p></body></html>\n')


def nginx_string(text: str) -> str:
    """`text` as a double-quoted nginx string. nginx would read '$' as a variable, so it may not occur."""
    if "$" in text:
        raise ValueError("a '$' in a fixed answer would be read by nginx as a variable")
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def nginx_regex(pattern: str) -> str:
    r"""`pattern` as a single-quoted nginx string. nginx turns \\ into \, \' into ' and \n, \t, \r into
    control characters, and keeps any other backslash; so every backslash is doubled, each ' escaped."""
    return "'" + pattern.replace("\\", "\\\\").replace("'", "\\'") + "'"


def open_files_limit(wanted: int) -> int:
    """How many open files nginx's workers can be given (worker_rlimit_nofile), at most `wanted`.

    A process may raise its limit up to its hard limit, and above it only with CAP_SYS_RESOURCE (root on
    a machine, usually not root in a container). That is tried on this process, whose limits nginx
    inherits, by raising its own hard limit and putting it back. Otherwise nginx would log an alert at
    each start and run with fewer than its worker_connections.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard >= wanted:
        return wanted
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, wanted))
    except (ValueError, OSError):
        return hard
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return wanted


def render(settings: FrontDoorSettings) -> str:
    """nginx.conf's text for these settings."""
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                                     keep_trailing_newline=True, autoescape=False)
    environment.filters["nginx_string"] = nginx_string
    environment.filters["nginx_regex"] = nginx_regex
    template = environment.from_string(TEMPLATE.read_text(encoding="utf-8"))
    # Each worker's connections: a proxied request takes two (client and gunicorn), and a buffered body
    # or answer one more file; so twice worker_connections open files, and some for logs.
    open_files = open_files_limit(2 * settings.worker_connections + 64)
    return template.render(
        s=settings, open_files=open_files, worker_connections=min(settings.worker_connections, (open_files - 64) // 2),
        answers=answers(settings), doors=DOORS, body=body, openrosa_headers=OPENROSA_HEADERS,
        header_buffers=HEADER_BUFFERS, header_buffer_bytes=HEADER_BUFFER_BYTES,
        worker_user=WORKER_USER if os.geteuid() == 0 else None,
        masking=NGINX_PATTERNS, token_runs_masked=TOKEN_RUNS_MASKED, upload_locations=UPLOAD_LOCATIONS)


def write_config(settings: FrontDoorSettings) -> Path:
    """Renders nginx.conf into settings.run_dir and makes the folders nginx needs; returns its path.

    The temporary folder must be reachable by the unprivileged workers (nginx makes its subfolders
    and gives them to the worker user); the logs and configuration are opened by the master only.
    Raises SettingsError if the workers could not reach it.
    """
    for folder in (settings.run_dir, settings.log_dir, settings.temp_dir):
        folder.mkdir(parents=True, exist_ok=True)
    settings.temp_dir.chmod(0o755)
    if os.geteuid() == 0:
        closed = [str(p) for p in settings.temp_dir.resolve().parents if not p.stat().st_mode & stat.S_IXOTH]
        if closed:
            # Else every body over client_body_buffer_size would fail with 500 (permission denied).
            raise SettingsError(f"nginx's workers ({WORKER_USER}) cannot reach {settings.temp_dir}: "
                                f"allow others to enter {', '.join(closed)} (chmod o+x) or move DIXIAN_DATA_DIR.")
    path = settings.config_file
    tmp = path.with_name(path.name + ".new")
    tmp.write_text(render(settings), encoding="utf-8")
    os.replace(tmp, path)
    return path
