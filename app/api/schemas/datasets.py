"""Central's datasets (Entity Lists) and entities, for the read-only list `households`
(services.registry.entity_list). pyodk's EntityList, EntityListProperty, Entity and CurrentVersion models
need every key below that has no default there, null or not."""
from marshmallow import Schema, fields

from ...core.odata_schema import sanitize


class EntityListSchema(Schema):
    """A dataset as GET /projects/{id}/datasets lists it (lib/model/frames/dataset.js)."""
    name = fields.Str()
    projectId = fields.Int(attribute="project_id")
    createdAt = fields.DateTime(attribute="created_at")
    approvalRequired = fields.Bool(attribute="approval_required")
    ownerOnly = fields.Constant(False)


class EntityListExtendedSchema(EntityListSchema):
    """With X-Extended-Metadata: true, its entities (in the caller's places), the newest's time, conflicts."""
    entities = fields.Int()
    lastEntity = fields.DateTime(attribute="last_entity", allow_none=True)
    conflicts = fields.Constant(0)


class EntityListDetailSchema(EntityListSchema):
    """GET …/datasets/{name} (lib/model/query/datasets.js getMetadata): the forms that read it (Dixian's
    forms with the households.csv pick-list), none that write it, and its properties."""
    lastUpdate = fields.DateTime(attribute="last_update", allow_none=True)
    linkedForms = fields.Method("_linked")
    sourceForms = fields.Constant([])
    properties = fields.Method("_properties")

    def _linked(self, listed) -> list[dict]:
        return [{"xmlFormId": form_id, "name": name} for form_id, name in listed.linked_forms]

    def _properties(self, listed) -> list[dict]:
        # Every property is the registry's from the start; no form writes one (forms: []).
        return PropertySchema(many=True).dump([{"name": name, "published_at": listed.created_at}
                                               for name in listed.properties])


class PropertySchema(Schema):
    name = fields.Str()
    publishedAt = fields.DateTime(attribute="published_at")
    odataName = fields.Function(lambda prop: sanitize(prop["name"]))
    forms = fields.Constant([])


class CurrentVersionSchema(Schema):
    """An entity's current version (Entity.Def): the registry keeps one version, made by the registry."""
    label = fields.Str()
    current = fields.Constant(True)
    createdAt = fields.DateTime(attribute="created_at")
    creatorId = fields.Int(attribute="creator_id")
    userAgent = fields.Str(attribute="user_agent")
    version = fields.Int()
    baseVersion = fields.Constant(None)
    conflictingProperties = fields.Constant(None)
    branchId = fields.Constant(None)
    trunkVersion = fields.Constant(None)
    branchBaseVersion = fields.Constant(None)


class CurrentVersionDataSchema(CurrentVersionSchema):
    """…with the properties' values, as GET …/entities/{uuid} gives them (and dataReceived, as Central)."""
    data = fields.Dict()
    dataReceived = fields.Method("_received")

    def _received(self, entity) -> dict:
        return {**entity.data, "label": entity.label}


class EntitySchema(Schema):
    """An entity as GET …/entities lists it: its metadata and its current version's, without the data."""
    uuid = fields.Str()
    creatorId = fields.Int(attribute="creator_id")
    conflict = fields.Constant(None)
    createdAt = fields.DateTime(attribute="created_at")
    updatedAt = fields.DateTime(attribute="updated_at", allow_none=True)
    deletedAt = fields.Constant(None)
    currentVersion = fields.Function(lambda entity: CurrentVersionSchema().dump(entity))


class EntityDetailSchema(EntitySchema):
    currentVersion = fields.Function(lambda entity: CurrentVersionDataSchema().dump(entity))
