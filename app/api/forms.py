"""Forms: listing, one form, its attachments (Central's URLs). The XForm itself is the OpenRosa door's."""
from flask import jsonify

from ..core.access import Access, Permission
from ..http.permissions import requires
from ..problems import not_found
from ..services.forms import catalog
from . import bp
from .schemas.forms import FormAttachmentSchema, FormSchema


@bp.get("/projects/<int:project_id>/forms")
@requires(Permission.FORM_LIST)
def list_forms(project_id: int, access: Access):
    return jsonify(FormSchema(many=True).dump(catalog.form_listings(project_id, access.principal)))


@bp.get("/projects/<int:project_id>/forms/<xml_form_id>")
@requires(Permission.FORM_READ)
def get_form(project_id: int, xml_form_id: str, access: Access):
    for listing in catalog.form_listings(project_id, access.principal):
        if listing.form.xml_form_id == xml_form_id:
            return jsonify(FormSchema().dump(listing))
    raise not_found(f"There is no form '{xml_form_id}' in project {project_id}.")


@bp.get("/projects/<int:project_id>/forms/<xml_form_id>/attachments")
@requires(Permission.FORM_READ)
def list_form_attachments(project_id: int, xml_form_id: str, access: Access):
    version = catalog.current_version(project_id, xml_form_id, access.principal)
    return jsonify(FormAttachmentSchema(many=True).dump(version.attachments))
