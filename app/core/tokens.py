"""Bearer and device tokens: 48 random bytes as 64 URL-safe characters, stored only as SHA-256."""
import base64
import hashlib
import hmac
import re
import secrets

_WELL_FORMED = re.compile(r"^[A-Za-z0-9!$]{64}$")


def new_token() -> str:
    """ODK Central's alphabet: base64 with '/' -> '!' and '+' -> '$', so it sits in a URL path."""
    return _written(secrets.token_bytes(48))


def derived_token(secret_key: str, salt: bytes) -> str:
    """A device token made from a salt with the server's key: the first 48 bytes of
    HMAC-SHA512(key, 'app-user:' + salt), written as new_token writes its random bytes. The database keeps
    the salt and the token's SHA-256, so the server can show the token again (ODK Central lists app users'
    tokens) while someone who reads the database alone can neither use nor remake one."""
    return _written(hmac.new(secret_key.encode(), b"app-user:" + salt, hashlib.sha512).digest()[:48])


def _written(raw: bytes) -> str:
    return base64.b64encode(raw).decode().replace("/", "!").replace("+", "$")


def is_well_formed(token: str) -> bool:
    return bool(_WELL_FORMED.match(token))


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
