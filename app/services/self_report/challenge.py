"""The proof of work a resident's page asks for once an address has sent many reports (ALTCHA, self-hosted).

The page's widget (ALTCHA's, vendored) fetches a challenge from this server, finds its solution in the
phone's browser (a second or two of hashing), and sends it with the report; nothing leaves for a foreign
service. The challenge is ALTCHA's v2 protocol as the `altcha` library writes and checks it: PBKDF2 over
a counter the server chose at random below `work`, signed with a key made from SECRET_KEY, expiring after
CHALLENGE_SECONDS. Each solved challenge opens one report: its signature is remembered in PostgreSQL
(every worker sees it) until it expires.
"""
import hashlib
import hmac
import secrets
import time
from datetime import datetime, timezone

import altcha

from ...extensions import db
from ...queries.self_report import USE_ONCE

CHALLENGE_SECONDS = 600
ALGORITHM = "PBKDF2/SHA-256"
ITERATIONS = 1000          # PBKDF2 iterations per counter tried: work × this is the page's cost


def _key(secret_key: str, purpose: str) -> bytes:
    return hmac.new(secret_key.encode(), f"altcha:{purpose}".encode(), hashlib.sha256).digest()


def new_challenge(secret_key: str, work: int) -> dict:
    """A signed challenge as the widget reads it ({"parameters": {...}, "signature": ...}): its counter is
    drawn between work/2 and work, so that the page tries about 3/4 × work counters on average."""
    work = max(2, work)
    counter = work // 2 + secrets.randbelow(work - work // 2)
    challenge = altcha.create_challenge(
        ALGORITHM, ITERATIONS, counter=counter, expires_at=int(time.time()) + CHALLENGE_SECONDS,
        hmac_secret=_key(secret_key, "challenge"), hmac_key_secret=_key(secret_key, "derived-key"))
    return challenge.to_dict()


def use_solution(payload: str | None, secret_key: str) -> bool:
    """Whether `payload` (the widget's base64 answer) solves a challenge this server signed, not expired and
    not used before; marks it used (in the caller's transaction, which the caller commits)."""
    if not payload or len(payload) > 4000:
        return False
    result = altcha.verify_solution(payload, _key(secret_key, "challenge"),
                                    hmac_key_secret=_key(secret_key, "derived-key"))
    if not result.verified:
        return False
    solved = altcha.Payload.from_base64(payload).challenge
    expires = datetime.fromtimestamp(solved.parameters.expires_at, timezone.utc)
    key = "challenge:" + hashlib.sha256(str(solved.signature).encode()).hexdigest()[:64]
    return db.session.execute(USE_ONCE, {"key": key, "expires": expires}).first() is not None
