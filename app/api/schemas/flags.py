"""A risk flag (services.registry.household_record.FlagView): Dixian's own resource."""
from marshmallow import Schema, fields


class ExplanationSchema(Schema):
    zh = fields.Str(attribute="explanation_zh")
    en = fields.Str(attribute="explanation_en")


class FlagSchema(Schema):
    rule = fields.Str()
    code = fields.Str()
    severity = fields.Str()
    explanation = fields.Function(lambda flag: ExplanationSchema().dump(flag))
    inputs = fields.Dict()
    threshold = fields.Dict()
    rulesetVersion = fields.Str(attribute="ruleset", allow_none=True)
    createdAt = fields.DateTime(attribute="created_at")
