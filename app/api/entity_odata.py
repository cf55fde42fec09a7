"""The households Entity List over OData, as Central serves an Entity List (central-backend lib/resources/
odata-entities.js): GET /projects/{id}/datasets/{name}.svc (service document), ….svc/$metadata (EDMX) and
….svc/Entities (the feed, with $top $skip $count $select $filter $skiptoken), what pyodk's
entities.get_table, ruODK and Power BI read.

Every answer, a problem too, carries OData-Version: 4.0 (lib/http/endpoint.js odataBefore). Query options
are read by core/odata_options.py, $filter by services/registry/entity_filter.py; links are absolute,
under PUBLIC_URL. @odata.nextLink keeps the request's other options, drops $skip and names the last entity
sent in $skiptoken (lib/util/odata.js nextUrlFor).
"""
from functools import wraps
from urllib.parse import urlencode

from flask import Response, current_app, jsonify, request, stream_with_context

from ..core.access import Access, Permission
from ..core.odata_options import entity_skiptoken, read_options
from ..formats import odata_entities
from ..http.permissions import requires
from ..problems import Problem
from ..services.registry import entity_feed, entity_list
from . import bp

SERVICE = "/projects/<int:project_id>/datasets/<dataset>.svc"
ODATA_VERSION = ("OData-Version", "4.0")


def _odata(view):
    """OData-Version on the answer, and on a problem raised on the way (a problem's headers go with it)."""
    @wraps(view)
    def answered(*args, **kwargs):
        try:
            response = view(*args, **kwargs)
        except Problem as problem:
            problem.headers.append(ODATA_VERSION)
            raise
        response.headers[ODATA_VERSION[0]] = ODATA_VERSION[1]
        return response
    return answered


def _service_root() -> str:
    """The absolute URL of this request's service, up to and including '.svc'."""
    path = request.path
    return current_app.config["PUBLIC_URL"].rstrip("/") + path[:path.index(".svc") + 4]


@bp.get(SERVICE)
@_odata
@requires(Permission.HOUSEHOLD_READ)
def entity_service_document(project_id: int, dataset: str, access: Access):
    entity_list.require_list(dataset)
    response = jsonify(odata_entities.service_document(f"{_service_root()}/$metadata"))
    response.headers["Content-Type"] = odata_entities.JSON_MINIMAL
    return response


@bp.get(f"{SERVICE}/$metadata")
@_odata
@requires(Permission.HOUSEHOLD_READ)
def entity_metadata(project_id: int, dataset: str, access: Access):
    entity_list.require_list(dataset)
    return Response(odata_entities.edmx(dataset, entity_list.PROPERTIES), mimetype="application/xml")


@bp.get(f"{SERVICE}/Entities")
@_odata
@requires(Permission.HOUSEHOLD_READ)
def entity_feed_page(project_id: int, dataset: str, access: Access):
    pairs = list(request.args.items(multi=True))
    options = read_options(pairs)                 # 501 before 404, as Central's preprocessor
    entity_list.require_list(dataset)
    selected = odata_entities.selection(options.select, entity_list.PROPERTIES, entity_list.SYSTEM_FIELDS)
    page = entity_feed.entity_feed(access, dataset, options)
    root = _service_root()

    def next_link() -> str | None:
        if page.next_after is None:
            return None
        kept = [(k, v) for k, v in pairs if k.lower() not in ("$skip", "$skiptoken")]
        return f"{root}/Entities?{urlencode(kept + [('$skiptoken', entity_skiptoken(page.next_after))])}"

    rows = (odata_entities.entity_row(e.uuid, e.label, _system(e), e.data, selected) for e in page.rows())
    chunks = odata_entities.feed(rows, context=f"{root}/$metadata#Entities", next_link=next_link, count=page.count)
    return Response(stream_with_context(chunks), mimetype="application/json")


def _system(entity: entity_list.HouseholdEntity) -> dict:
    """Central's __system of an entity (lib/data/entity.js selectFields)."""
    return {"createdAt": odata_entities.timestamp(entity.created_at), "creatorId": str(entity.creator_id),
            "creatorName": entity_list.CREATOR_NAME, "updates": entity.version - 1,
            "updatedAt": odata_entities.timestamp(entity.updated_at), "deletedAt": None,
            "version": entity.version, "conflict": None}
