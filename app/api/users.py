"""Users: GET /v1/users/current (Central's)."""
from flask import jsonify

from ..core.access import Principal
from ..http.permissions import signed_in
from ..problems import insufficient_rights
from ..services.accounts import users
from . import bp
from .schemas.users import UserSchema


@bp.get("/users/current")
@signed_in
def current_user(principal: Principal):
    user = users.user_for_principal(principal)
    if user is None:
        raise insufficient_rights("Device accounts have no user record.")
    return jsonify(UserSchema().dump(user))
