"""Each HTTP Digest response opens one request: the (nonce, nc) pairs used are remembered.

RFC 7616 §3.3: the server "should check that the nc value has not been used before" with the same
nonce. Kept in PostgreSQL so every worker sees every use (cases/reliability/23: a captured header
was a five-minute bearer token for any body).
"""
import secrets
from datetime import timedelta

from ...core.digest_auth import NONCE_LIFETIME_S
from ...extensions import db
from ...queries.accounts import DIGEST_NONCE_USE, DIGEST_NONCES_FORGET


def use_digest_nonce(nonce: str, nc: str) -> bool:
    """Record that a (nonce, nc) pair has opened a request; False if it had already.

    Committed at once, so a replay is refused even when the first request later fails. Pairs of
    expired nonces are forgotten now and then (an expired nonce is refused before it gets here).
    """
    fresh = db.session.execute(DIGEST_NONCE_USE, {"nonce": nonce[:100], "nc": nc[:16]}).first() is not None
    if secrets.randbelow(256) == 0:
        db.session.execute(DIGEST_NONCES_FORGET, {"lifetime": timedelta(seconds=2 * NONCE_LIFETIME_S)})
    db.session.commit()
    return fresh
