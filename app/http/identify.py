"""Resolving the request's credentials to a Principal, or a Problem saying why not."""
import base64
import binascii
import hmac
from urllib.parse import unquote, urlsplit

from flask import current_app, g, request

from ..core import digest_auth
from ..core.access import Principal
from ..core.tokens import is_well_formed
from ..models import User
from ..problems import Problem, authentication_failed, csrf_missing, https_only, insufficient_rights
from ..services.accounts import app_users, digest_nonces, sessions, sign_in_limits, users
from ..services.accounts.sign_in_limits import Caller
from .key_prefix import ENVIRON_KEY


def key_token() -> str | None:
    """The device token from /v1/key/{token}/..., or Enketo's ?st= form of it."""
    return request.environ.get(ENVIRON_KEY) or request.args.get("st")


def identify(*, challenge: bool) -> Principal | None:
    """Who sent the request; None if it carries no credentials at all."""
    token = key_token()
    if token is not None:
        if not is_well_formed(token):
            raise authentication_failed("The device token in the URL is malformed.")
        principal = app_users.principal_for_app_token(token)
        if principal is None:
            # 403, not 401: a 401 makes Collect ask for a password it does not have.
            raise insufficient_rights("This device token is unknown or has been revoked. Ask for a new QR code.")
        return principal
    header = request.headers.get("Authorization", "")
    scheme = header.partition(" ")[0].lower()
    if scheme == "bearer":
        principal = sessions.principal_for_session(header.partition(" ")[2].strip())
        if principal is None:
            raise authentication_failed("The session token is unknown or has expired; sign in again.")
        return principal
    if scheme == "digest":
        return _digest(header, challenge)
    if scheme == "basic":
        return _basic(challenge)
    if not header and request.cookies.get(SESSION_COOKIE):
        return _cookie_session()
    return None


# The console's session (app/web): the token of a session, as a cookie (HttpOnly, SameSite=Lax, Secure
# over https); Central's own console calls it __Host-session.
SESSION_COOKIE = "dixian_session"
CSRF_FIELD = "csrf_token"
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def console_session() -> sessions.LiveSession | None:
    """The console session of this request's cookie, looked up once per request (the page that checks
    who may see it also shows its CSRF token); None without a live one."""
    if "console_session" not in g:
        cookie = request.cookies.get(SESSION_COOKIE)
        g.console_session = sessions.live_session(cookie) if cookie else None
    return g.console_session


def _cookie_session() -> Principal | None:
    """The principal of the console's session cookie; None for a forged, expired or deleted one (the
    console then asks to sign in). A cookie goes with every request a browser makes to this server,
    from any page, so a state-changing request must also carry the session's CSRF token (form field
    csrf_token, or header X-CSRF-Token); without it: Problem 403.3, and nothing is changed."""
    session = console_session()
    if session is None:
        return None
    if request.method not in _SAFE_METHODS:
        sent = request.headers.get("X-CSRF-Token") or request.form.get(CSRF_FIELD) or ""
        if not hmac.compare_digest(sent.encode(), session.csrf.encode()):
            raise csrf_missing()
    return session.principal


def require_principal(*, challenge: bool) -> Principal:
    principal = identify(challenge=challenge)
    if principal is None:
        raise authentication_required(challenge)
    return principal


def authentication_required(challenge: bool, *, stale: bool = False,
                            message: str = "This needs a device token or a user name and password.") -> Problem:
    headers = []
    if challenge:
        config = current_app.config
        nonce = digest_auth.make_nonce(config["SECRET_KEY"])
        headers.append(("WWW-Authenticate", digest_auth.challenge(config["DIGEST_REALM"], nonce, stale)))
        if _secure():
            headers.append(("WWW-Authenticate", f'Basic realm="{config["DIGEST_REALM"]}", charset="UTF-8"'))
    return authentication_failed(message, headers)


def sign_in(email: str, password: str, *, challenge: bool = False) -> User:
    """The user these credentials belong to, within the limit on wrong passwords.

    Raises Problem 429.1 (locked out, with Retry-After) before any hashing, or 401.2 for wrong
    credentials (which count towards the limit).
    """
    caller = Caller.of(email, request.remote_addr)
    sign_in_limits.check_not_locked(caller)
    user = users.check_password(email, password)
    if user is None:
        sign_in_limits.record_failure(caller)
        raise authentication_required(challenge, message="The user name or password is wrong.")
    sign_in_limits.record_success(caller)
    return user


def _digest(header: str, challenge: bool) -> Principal:
    params = digest_auth.parse_authorization(header) or {}
    config = current_app.config
    state = digest_auth.nonce_state(config["SECRET_KEY"], params.get("nonce", ""))
    if state != "valid" or params.get("realm") != config["DIGEST_REALM"] or not _uri_matches(params.get("uri", "")):
        raise authentication_required(challenge, stale=state == "stale")
    caller = Caller.of(params.get("username", ""), request.remote_addr)
    sign_in_limits.check_not_locked(caller)
    user = users.user_by_email(params.get("username", ""))
    # One answer for an unknown user, a wrong password and an account kept without HA1: which emails
    # are accounts is not told.
    if user is None or user.actor.deleted_at is not None or user.digest_ha1 is None or \
            not digest_auth.response_matches(params, user.digest_ha1, request.method):
        sign_in_limits.record_failure(caller)
        raise authentication_required(challenge, message="The user name or password is wrong, or this account does "
                                                         "not sign in over http (an administrator can allow it).")
    # A header seen on the wire must not open a second request: each (nonce, nc) is used once.
    # Without qop (RFC 2069) there is no count: such a nonce opens one request.
    if not digest_nonces.use_digest_nonce(params["nonce"], params.get("nc", "") if params.get("qop") else ""):
        raise authentication_required(challenge, message="This Digest response has been used already.")
    sign_in_limits.record_success(caller)
    return users.principal_for_user(user)


def _basic(challenge: bool) -> Principal:
    if not _secure():
        # Central's refusal, with the challenges a client may answer instead (Digest, for Collect).
        raise https_only(authentication_required(challenge).headers)
    credentials = _basic_credentials(request.headers.get("Authorization", ""))
    if credentials is None:
        raise authentication_required(challenge, message="The user name or password is wrong.")
    return users.principal_for_user(sign_in(*credentials, challenge=challenge))


def _basic_credentials(header: str) -> tuple[str, str] | None:
    """user and password from a Basic header; Collect's okhttp sends ISO-8859-1, browsers UTF-8."""
    try:
        raw = base64.b64decode(header.partition(" ")[2].strip(), validate=True)
    except binascii.Error:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    user, sep, password = text.partition(":")
    return (user, password) if sep else None


def _secure() -> bool:
    # X-Forwarded-Proto counts only from a trusted proxy, which auth.proxies has applied already.
    return request.is_secure


def _uri_matches(uri: str) -> bool:
    """The digest covers the request-target; it must be this request's."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.full_path
    return unquote(urlsplit(uri).path) == unquote(urlsplit(raw).path)
