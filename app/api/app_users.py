"""App users (device accounts) as Central's API has them: GET/POST /projects/{id}/app-users, GET and DELETE
/projects/{id}/app-users/{actorId} (central-backend lib/resources/app-users.js), what pyodk's
project_app_users and projects.create_app_users call.

A token is listed with its account, as Central lists it (lib/model/query/field-keys.js): made again from its
salt with SECRET_KEY (services/accounts/app_users.py), null for an account made before Dixian could do so.
DELETE revokes, as `app-user revoke` does: the token stops working within seconds on every worker, and the
account is no longer listed (Central lists no deleted app user). Unlike Central, the account keeps its form
assignments: in Dixian a form assigned to nobody goes to every device, so dropping them could widen a form.
"""
from flask import current_app, jsonify, request
from marshmallow import ValidationError

from ..core.access import Access, Permission
from ..http.permissions import requires
from ..problems import missing_parameter
from ..services.accounts import app_users
from . import bp
from .schemas.app_users import AppUserRequestSchema, AppUserSchema

APP_USERS = "/projects/<int:project_id>/app-users"


@bp.get(APP_USERS)
@requires(Permission.USER_MANAGE)
def list_app_users(project_id: int, access: Access):
    accounts = app_users.visible_app_users(access, current_app.config["SECRET_KEY"])
    return jsonify(AppUserSchema(many=True).dump(accounts))


@bp.post(APP_USERS)
@requires(Permission.USER_MANAGE)
def create_app_user(project_id: int, access: Access):
    try:
        body = AppUserRequestSchema().load(_json_object())
    except ValidationError:
        raise missing_parameter("displayName", "An app user needs a displayName (a string).") from None
    account = app_users.create_for(access, body["displayName"], current_app.config["SECRET_KEY"])
    return jsonify(AppUserSchema().dump(account))


@bp.get(f"{APP_USERS}/<int:actor_id>")
@requires(Permission.USER_MANAGE)
def get_app_user(project_id: int, actor_id: int, access: Access):
    found = app_users.visible_app_user(access, actor_id)
    account = app_users.device_account(found, app_users.listed_token(access, found, current_app.config["SECRET_KEY"]))
    return jsonify(AppUserSchema().dump(account))


@bp.delete(f"{APP_USERS}/<int:actor_id>")
@requires(Permission.USER_MANAGE)
def delete_app_user(project_id: int, actor_id: int, access: Access):
    app_users.revoke_for(access, actor_id)
    return jsonify({"success": True})


def _json_object() -> dict:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}
