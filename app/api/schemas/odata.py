"""Central's OData service document and form field list (central-backend lib/formats/odata.js
serviceDocumentFor; lib/resources/forms.js /fields): every key present, even when null.

The rows themselves are written by PostgreSQL (queries/odata.py): a schema per row would cost more than the
whole of writing it, and their keys are the form's own fields.
"""
from marshmallow import Schema, fields


class EntitySetSchema(Schema):
    name = fields.Str()
    kind = fields.Str()
    url = fields.Str()


class ServiceDocumentSchema(Schema):
    context = fields.Str(data_key="@odata.context")
    value = fields.List(fields.Nested(EntitySetSchema))

    class Meta:
        ordered = True


class FieldSchema(Schema):
    """A field as ruODK's form_schema reads it: binary and selectMultiple are true or null."""
    name = fields.Str()
    path = fields.Str()
    type = fields.Str()
    binary = fields.Bool(allow_none=True)
    selectMultiple = fields.Bool(allow_none=True)
