"""Central's roles and form assignments (core.central_roles, services.forms.assignments)."""
from marshmallow import Schema, fields


class RoleSchema(Schema):
    """Central's Role: id, name, system, verbs; Dixian's roles are not rows, so they have no dates."""
    id = fields.Int()
    name = fields.Str()
    system = fields.Str()
    createdAt = fields.Constant(None)
    updatedAt = fields.Constant(None)
    verbs = fields.List(fields.Str())


class AssignmentSchema(Schema):
    actorId = fields.Int(attribute="actor_id")
    roleId = fields.Int(attribute="role_id")
