"""A form's public links as Central's API has them: GET/POST /projects/{id}/forms/{xmlFormId}/public-links,
DELETE …/public-links/{id} (central-backend lib/resources/public-links.js), on Dixian's village-bound links
(services/self_report/form_links.py says how they map). For administrators (public_link.create), as the
console's links page.

POST takes Central's displayName (optional here) and Dixian's `village` (required: a 12-digit village code),
`expiresOn` (the last day it opens) and `quota` (reports it takes at most); `once` is refused. A link's token
and page (`url`) are listed with it, made again with SECRET_KEY as posters are.
"""
from flask import current_app, jsonify, request
from marshmallow import ValidationError

from ..core.access import Access, Permission
from ..http.permissions import requires
from ..problems import unexpected_value
from ..services.self_report import form_links
from ..services.self_report.links import settings
from . import bp
from .schemas.public_links import PublicLinkRequestSchema, PublicLinkSchema

PUBLIC_LINKS = "/projects/<int:project_id>/forms/<xml_form_id>/public-links"


@bp.get(PUBLIC_LINKS)
@requires(Permission.PUBLIC_LINK_MANAGE)
def list_public_links(project_id: int, xml_form_id: str, access: Access):
    found = form_links.form_links(access, xml_form_id, **settings(current_app.config))
    return jsonify(PublicLinkSchema(many=True).dump(found))


@bp.post(PUBLIC_LINKS)
@requires(Permission.PUBLIC_LINK_MANAGE)
def create_public_link(project_id: int, xml_form_id: str, access: Access):
    body = request.get_json(silent=True)
    try:
        given = PublicLinkRequestSchema().load(body if isinstance(body, dict) else {})
    except ValidationError as e:
        field = next(iter(e.messages), "body")
        raise unexpected_value(field, f"{field}: {'; '.join(map(str, e.messages[field]))}") from None
    link = form_links.create_form_link(
        access, xml_form_id, village=given["village"], display_name=given["displayName"], once=given["once"],
        expires_on=given["expiresOn"], quota=given["quota"], **settings(current_app.config))
    return jsonify(PublicLinkSchema().dump(link))


@bp.delete(f"{PUBLIC_LINKS}/<int:actor_id>")
@requires(Permission.PUBLIC_LINK_MANAGE)
def delete_public_link(project_id: int, xml_form_id: str, actor_id: int, access: Access):
    form_links.revoke_form_link(access, xml_form_id, actor_id)
    return jsonify({"success": True})
