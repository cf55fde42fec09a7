"""Sessions: POST /v1/sessions signs in (Central's), DELETE /v1/sessions/current signs out."""
from flask import current_app, jsonify, request
from marshmallow import ValidationError

from ..core.access import Principal
from ..http.identify import sign_in
from ..http.permissions import public, signed_in
from ..problems import missing_parameters
from ..services.accounts import sessions
from . import bp
from .schemas.sessions import SessionRequestSchema, SessionSchema


@bp.post("/sessions")
@public("signing in: the email and password are the credentials")
def create_session():
    try:
        body = SessionRequestSchema().load(request.get_json(silent=True) or {})
    except ValidationError as e:
        raise missing_parameters("Both email and password are required.", fields=e.messages) from None
    user = sign_in(body["email"], body["password"])
    token, session = sessions.open_session(user, current_app.config["SESSION_HOURS"])
    return jsonify(SessionSchema().dump({"token": token, "csrf": session.csrf,
                                         "created_at": session.created_at, "expires_at": session.expires_at}))


@bp.delete("/sessions/current")
@signed_in
def delete_session(principal: Principal):
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        sessions.close_session(header[7:].strip())
    return jsonify({"success": True})
