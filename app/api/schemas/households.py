"""A household's record (services.registry.household_record.HouseholdRecord): Dixian's own resource."""
from marshmallow import Schema, fields

from .flags import FlagSchema


class MemberSchema(Schema):
    name = fields.Str(allow_none=True)
    relation = fields.Str(allow_none=True)
    idno = fields.Str(allow_none=True)


class HistoryEntrySchema(Schema):
    xmlFormId = fields.Str(attribute="xml_form_id")
    formTitle = fields.Str(attribute="form_title", allow_none=True)
    instanceId = fields.Str(attribute="instance_id")
    instanceName = fields.Str(attribute="instance_name", allow_none=True)
    surveyedOn = fields.Date(attribute="surveyed_on", allow_none=True)
    receivedAt = fields.DateTime(attribute="received_at")
    flags = fields.List(fields.Nested(FlagSchema))


class HouseholdRecordSchema(Schema):
    householdId = fields.Str(attribute="household_code")
    village = fields.Function(lambda r: {"code": r.village_code, "name": r.village_name})
    headName = fields.Str(attribute="head_name")
    headIdno = fields.Str(attribute="head_idno", allow_none=True)
    povertyStatus = fields.Str(attribute="poverty_status", allow_none=True)
    category = fields.Str(allow_none=True)
    status = fields.Str(allow_none=True)
    lastPcIncome = fields.Float(attribute="last_pc_income", allow_none=True)
    members = fields.List(fields.Nested(MemberSchema))
    membersFrom = fields.Method("_members_from")
    currentFlags = fields.List(fields.Nested(FlagSchema), attribute="current_flags")
    history = fields.List(fields.Nested(HistoryEntrySchema))

    def _members_from(self, record) -> dict:
        # {"source": "registry"}, or the screening's instanceId and surveyedOn.
        source = record.members_from
        if source.source != "screening":
            return {"source": source.source}
        return {"source": source.source, "instanceId": source.instance_id,
                "surveyedOn": source.surveyed_on.isoformat() if source.surveyed_on else None}
