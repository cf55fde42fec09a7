"""Households: one household's record (Dixian's own resource)."""
from flask import jsonify

from ..core.access import Access, Permission
from ..http.permissions import requires
from ..services.registry import household_record
from . import bp
from .schemas.households import HouseholdRecordSchema


@bp.get("/projects/<int:project_id>/households/<household_id>")
@requires(Permission.HOUSEHOLD_READ)
def get_household(project_id: int, household_id: str, access: Access):
    return jsonify(HouseholdRecordSchema().dump(household_record.household_record(access, household_id)))
