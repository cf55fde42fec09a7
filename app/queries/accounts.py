"""Statements of the accounts domain: device tokens, grants, wrong passwords, Digest nonces."""
from sqlalchemy import bindparam, func, select, text

from ..models import Actor, AppUser, AppUserPlace, Project, ProjectRole

# The live device behind a token digest (:digest), with its villages: every device request runs it,
# so a submission can be checked against the villages without another round trip.
APP_TOKEN = (
    select(Actor.id, Actor.display_name, AppUser.project_id,
           func.array(select(AppUserPlace.admin_code).where(AppUserPlace.actor_id == Actor.id)
                      .order_by(AppUserPlace.admin_code).scalar_subquery()).label("villages"))
    .join(AppUser, AppUser.actor_id == Actor.id)
    .join(Project, Project.id == AppUser.project_id)
    .where(AppUser.token_sha256 == bindparam("digest"), Actor.deleted_at.is_(None), Project.archived.is_(False))
)

# A web user's (:actor) standing in a live project (:project): one row if the project is there, with
# their role and places in it (NULL role: no grant).
GRANT = (
    select(Project.id, ProjectRole.role, ProjectRole.places)
    .outerjoin(ProjectRole, (ProjectRole.project_id == Project.id) & (ProjectRole.actor_id == bindparam("actor")))
    .where(Project.id == bindparam("project"), Project.archived.is_(False))
)

# When the account from this address (:pair), the account from anywhere (:account) or the address
# (:address) is locked out, the latest of their ends. The account's lock does not reach an address the
# account has signed in from within :known_for.
SIGN_IN_LOCKED_UNTIL = text("""
SELECT max(locked_until) FROM sign_in_failure
WHERE ((scope = 'pair' AND key = :pair)
       OR (scope = 'account' AND key = :account AND NOT EXISTS (
           SELECT FROM sign_in_known_address k WHERE k.pair = :pair AND k.signed_in_at > now() - :known_for))
       OR (scope = 'address' AND key = :address)) AND locked_until > now()
""")
# One more wrong password for (:scope, :key), counted in the current window (:window; a new window once
# the last one is over); returns the count.
SIGN_IN_FAILED = text("""
INSERT INTO sign_in_failure AS f (scope, key, failures, first_failed_at)
VALUES (:scope, :key, 1, now())
ON CONFLICT (scope, key) DO UPDATE SET
    failures = CASE WHEN f.first_failed_at < now() - :window THEN 1 ELSE f.failures + 1 END,
    first_failed_at = CASE WHEN f.first_failed_at < now() - :window THEN now() ELSE f.first_failed_at END
RETURNING failures
""")
SIGN_IN_LOCK = text("UPDATE sign_in_failure SET locked_until = now() + :lock WHERE scope = :scope AND key = :key")
# A right password clears the count of the account from that address, and makes the address known.
SIGN_IN_SUCCEEDED = text("""
WITH cleared AS (DELETE FROM sign_in_failure WHERE scope = 'pair' AND key = :pair)
INSERT INTO sign_in_known_address (pair, signed_in_at) VALUES (:pair, now())
ON CONFLICT (pair) DO UPDATE SET signed_in_at = excluded.signed_in_at
""")
# Counts whose window and lock are long over tell nothing.
SIGN_IN_FORGET_OLD = text("DELETE FROM sign_in_failure WHERE first_failed_at < now() - interval '1 day' "
                          "AND (locked_until IS NULL OR locked_until < now())")
SIGN_IN_FORGET_KNOWN = text("DELETE FROM sign_in_known_address WHERE signed_in_at < now() - :known_for")

# A Digest (nonce, nc) pair opening a request: a row back the first time, none on a replay.
DIGEST_NONCE_USE = text(
    "INSERT INTO digest_nonce_use (nonce, nc) VALUES (:nonce, :nc) ON CONFLICT DO NOTHING RETURNING 1")
DIGEST_NONCES_FORGET = text("DELETE FROM digest_nonce_use WHERE used_at < now() - :lifetime")
# Sessions past their expiry (a bearer token is refused once expired, before it gets here).
SESSIONS_FORGET_EXPIRED = text("DELETE FROM api_session WHERE expires_at < now()")
