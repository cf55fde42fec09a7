"""What the accounts keep only for a while: Digest nonce uses, wrong-password counts, known sign-in
addresses, sessions."""
from datetime import timedelta

from ...core.digest_auth import NONCE_LIFETIME_S
from ...extensions import db
from ...queries.accounts import DIGEST_NONCES_FORGET, SESSIONS_FORGET_EXPIRED
from . import sign_in_limits


def forget_expired() -> int:
    """Delete what has expired: (nonce, nc) pairs of nonces past their life (an expired nonce is refused
    before it is looked up), wrong-password counts long over, expired sessions. Returns rows deleted."""
    deleted = db.session.execute(DIGEST_NONCES_FORGET, {"lifetime": timedelta(seconds=2 * NONCE_LIFETIME_S)}).rowcount
    deleted += sign_in_limits.forget_old()
    deleted += db.session.execute(SESSIONS_FORGET_EXPIRED).rowcount
    db.session.commit()
    return deleted
