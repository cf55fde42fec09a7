"""The household registry as Central's Entity List `households`, read-only: GET /projects/{id}/datasets,
…/datasets/{name}, …/datasets/{name}/entities and …/entities/{uuid} (central-backend lib/resources/datasets.js
and entities.js), what pyodk's entity_lists.list/get and entities.list call. The OData feed is entity_odata.py.

Households are read as every read of households is: those of the caller's places only, ID numbers masked
unless the caller may read personal data (services/registry/entity_list.py). The writes pyodk offers (a new
list or property, creating, updating or deleting entities) are refused with Central's 403.1, as Central
refuses a role without entity.create: no role here has it (GET /v1/roles). The registry changes by
`households import` and by screenings.
"""
import json
from collections.abc import Iterable, Iterator

from flask import Response, jsonify, request, stream_with_context
from marshmallow import Schema

from ..core.access import Access, Permission
from ..http.permissions import requires
from ..problems import insufficient_rights
from ..services.registry import entity_list
from . import bp
from .schemas.datasets import (
    EntityDetailSchema,
    EntityListDetailSchema,
    EntityListExtendedSchema,
    EntityListSchema,
    EntitySchema,
)

DATASETS = "/projects/<int:project_id>/datasets"
ENTITIES = f"{DATASETS}/<dataset>/entities"
_PER_CHUNK = 200


def _extended() -> bool:
    return request.headers.get("X-Extended-Metadata", "").lower() == "true"


@bp.get(DATASETS)
@requires(Permission.HOUSEHOLD_READ)
def list_datasets(project_id: int, access: Access):
    schema = EntityListExtendedSchema if _extended() else EntityListSchema
    return jsonify(schema(many=True).dump(entity_list.entity_lists(access)))


@bp.get(f"{DATASETS}/<dataset>")
@requires(Permission.HOUSEHOLD_READ)
def get_dataset(project_id: int, dataset: str, access: Access):
    return jsonify(EntityListDetailSchema().dump(entity_list.entity_list(access, dataset)))


@bp.get(ENTITIES)
@requires(Permission.HOUSEHOLD_READ)
def list_entities(project_id: int, dataset: str, access: Access):
    rows = entity_list.household_entities(access, dataset)
    return Response(stream_with_context(_json_array(rows, EntitySchema())), mimetype="application/json")


@bp.get(f"{ENTITIES}/<uuid>")
@requires(Permission.HOUSEHOLD_READ)
def get_entity(project_id: int, dataset: str, uuid: str, access: Access):
    return jsonify(EntityDetailSchema().dump(entity_list.household_entity(access, dataset, uuid)))


@bp.post(DATASETS)
@requires(Permission.HOUSEHOLD_READ)
def create_dataset(project_id: int, access: Access):
    raise _read_only()


@bp.route(f"{DATASETS}/<dataset>", methods=["PATCH", "DELETE"])
@bp.post(f"{DATASETS}/<dataset>/properties")
@bp.post(ENTITIES)
@bp.route(f"{ENTITIES}/<uuid>", methods=["PATCH", "DELETE"])
@requires(Permission.HOUSEHOLD_READ)
def change_dataset(project_id: int, dataset: str, access: Access, uuid: str | None = None):
    entity_list.require_list(dataset)
    raise _read_only()


def _read_only():
    return insufficient_rights(f"The entity list '{entity_list.NAME}' is the household registry, read-only here: "
                               "it changes by `households import` and by screenings.")


def _json_array(items: Iterable, schema: Schema) -> Iterator[bytes]:
    """A JSON array of the items as `schema` dumps them, a few hundred a chunk."""
    yield b"["
    waiting: list[str] = []
    first = True
    for item in items:
        waiting.append(("" if first else ",") + json.dumps(schema.dump(item), ensure_ascii=False))
        first = False
        if len(waiting) >= _PER_CHUNK:
            yield "".join(waiting).encode("utf-8")
            waiting.clear()
    yield ("".join(waiting) + "]").encode("utf-8")
