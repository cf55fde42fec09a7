"""HTTP Digest authentication (RFC 2617, qop=auth, MD5), which ODK Collect needs over plain http.

Nonces are a timestamp and a random part signed with the server secret, so any worker can
check them and an old one is answered with stale=true. The random part makes each challenge's
nonce its own: the server remembers which (nonce, nc) pairs have been used (services.accounts),
and two devices challenged in the same second must not share a count.
"""
import hashlib
import hmac
import re
import secrets
import time

NONCE_LIFETIME_S = 300
_PARAM = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')


def ha1(username: str, realm: str, password: str) -> str:
    return _md5(f"{username}:{realm}:{password}")


def make_nonce(secret: str, now: float | None = None) -> str:
    """'<unix seconds>.<16 random hex>.<signature>'."""
    stamp = f"{int(now if now is not None else time.time())}.{secrets.token_hex(8)}"
    return f"{stamp}.{_sign(secret, stamp)}"


def nonce_state(secret: str, nonce: str, now: float | None = None) -> str:
    """'valid', 'stale' (well signed but expired) or 'invalid'."""
    seconds, _, rest = nonce.partition(".")
    salt, _, signature = rest.partition(".")
    stamp = f"{seconds}.{salt}"
    if not (seconds.isascii() and seconds.isdigit()) or not hmac.compare_digest(signature, _sign(secret, stamp)):
        return "invalid"
    age = (now if now is not None else time.time()) - int(seconds)
    return "valid" if 0 <= age <= NONCE_LIFETIME_S else "stale"


def challenge(realm: str, nonce: str, stale: bool = False) -> str:
    value = f'Digest realm="{realm}", qop="auth", algorithm=MD5, nonce="{nonce}", opaque="{_md5(realm)}"'
    return value + ", stale=true" if stale else value


def parse_authorization(header: str) -> dict[str, str] | None:
    """The parameters of a 'Digest ...' Authorization header, or None if it is not one."""
    scheme, _, rest = header.partition(" ")
    if scheme.lower() != "digest":
        return None
    return {m.group(1).lower(): (m.group(2) if m.group(2) is not None else m.group(3)) for m in _PARAM.finditer(rest)}


def expected_response(params: dict[str, str], user_ha1: str, method: str) -> str:
    ha2 = _md5(f"{method}:{params.get('uri', '')}")
    if params.get("qop"):
        return _md5(f"{user_ha1}:{params.get('nonce')}:{params.get('nc')}:{params.get('cnonce')}:{params['qop']}:{ha2}")
    return _md5(f"{user_ha1}:{params.get('nonce')}:{ha2}")


def response_matches(params: dict[str, str], user_ha1: str, method: str) -> bool:
    return hmac.compare_digest(expected_response(params, user_ha1, method), params.get("response", ""))


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def _sign(secret: str, stamp: str) -> str:
    return hmac.new(secret.encode(), stamp.encode(), hashlib.sha256).hexdigest()[:32]
