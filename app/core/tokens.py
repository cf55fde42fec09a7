"""Bearer and device tokens: 48 random bytes as 64 URL-safe characters, stored only as SHA-256."""
import base64
import hashlib
import re
import secrets

_WELL_FORMED = re.compile(r"^[A-Za-z0-9!$]{64}$")


def new_token() -> str:
    """ODK Central's alphabet: base64 with '/' -> '!' and '+' -> '$', so it sits in a URL path."""
    return base64.b64encode(secrets.token_bytes(48)).decode().replace("/", "!").replace("+", "$")


def is_well_formed(token: str) -> bool:
    return bool(_WELL_FORMED.match(token))


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
