"""The OData documents of an Entity List, as ODK Central writes them: the service document, the EDMX metadata
(central-backend lib/formats/odata.js edmxTemplaterForEntities) and the JSON feed of `Entities`
(lib/data/entity.js selectFields and streamEntityOdata, lib/util/odata.js jsonDataFooter).

Pure: plain values in, text or bytes out.
"""
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from xml.etree.ElementTree import SubElement

from ..core.odata_schema import sanitize
from ..problems import property_not_found
from .odata_metadata import EDM, annotate_primary, document, edmx_root

ENTITY_NAMESPACE = "org.opendatakit.entity"
USER_NAMESPACE = "org.opendatakit.user"
JSON_MINIMAL = "application/json; odata.metadata=minimal"
_ROWS_PER_CHUNK = 200


def timestamp(value: datetime | None) -> str | None:
    """A time as Central's JSON writes it: UTC, milliseconds, 'Z' (2018-01-19T23:58:03.395Z)."""
    if value is None:
        return None
    return value.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def service_document(metadata_url: str) -> dict:
    """GET {list}.svc: the one entity set, Entities."""
    return {"@odata.context": metadata_url, "value": [{"name": "Entities", "kind": "EntitySet", "url": "Entities"}]}


# The __system complex type of an entity, in Central's order (edmxTemplaterForEntities).
ENTITY_SYSTEM = (("createdAt", "Edm.DateTimeOffset"), ("creatorId", "Edm.String"), ("creatorName", "Edm.String"),
                 ("updates", "Edm.Int64"), ("updatedAt", "Edm.DateTimeOffset"), ("deletedAt", "Edm.DateTimeOffset"),
                 ("version", "Edm.Int64"), ("conflict", "Edm.String"))


def edmx(list_name: str, properties: Iterable[str]) -> bytes:
    """GET {list}.svc/$metadata: the metadata complex type, then Entities keyed by __id with __system, label
    and every property as Edm.String, and the capabilities Central declares, written as the submissions'
    are (formats.odata_metadata: Minimal conformance, countable, properties not filterable, not sortable, not
    expandable). Central's SearchRestrictions is left out: this feed offers no $search."""
    base = f"{USER_NAMESPACE}.{sanitize(list_name)}"
    names = [sanitize(p) for p in properties]
    root, services = edmx_root()
    system = SubElement(SubElement(services, "Schema", xmlns=EDM, Namespace=ENTITY_NAMESPACE), "ComplexType",
                        Name="metadata")
    for name, kind in ENTITY_SYSTEM:
        SubElement(system, "Property", Name=name, Type=kind)
    user = SubElement(services, "Schema", xmlns=EDM, Namespace=base)
    entity = SubElement(user, "EntityType", Name="Entities")
    SubElement(SubElement(entity, "Key"), "PropertyRef", Name="__id")
    for name, kind in (("__id", "Edm.String"), ("__system", f"{ENTITY_NAMESPACE}.metadata"), ("label", "Edm.String"),
                       *((n, "Edm.String") for n in names)):
        SubElement(entity, "Property", Name=name, Type=kind)
    container = SubElement(user, "EntityContainer", Name=list_name)
    annotate_primary(SubElement(container, "EntitySet", Name="Entities", EntityType=f"{base}.Entities"), names)
    return document(root)


def selection(names: Iterable[str] | None, properties: Iterable[str], system_fields: Iterable[str]) -> frozenset | None:
    """The $select names as a set (None: everything). Raises Problem 400.23 for a name that is none of __id,
    label, __system, __system/{field} or a property (Central's extractSelectedProperties, which also knows
    label)."""
    if names is None:
        return None
    known = {"__id", "label", "__system", *(f"__system/{f}" for f in system_fields), *properties}
    for name in names:
        if name not in known:
            raise property_not_found(name)
    return frozenset(names)


def entity_row(uuid: str, label: str, system: dict, data: dict, selected: frozenset | None) -> dict:
    """One entity of the feed, in Central's key order: __id, label, __system (or the system fields selected,
    if any), then the properties under their OData names."""
    row = {}
    if selected is None or "__id" in selected:
        row["__id"] = uuid
    if selected is None or "label" in selected:
        row["label"] = label
    if selected is None or "__system" in selected:
        row["__system"] = system
    else:
        chosen = {k: v for k, v in system.items() if f"__system/{k}" in selected}
        if chosen:
            row["__system"] = chosen
    for name, value in data.items():
        if selected is None or name in selected:
            row[sanitize(name)] = value
    return row


def feed(rows: Iterable[dict], *, context: str, next_link: Callable[[], str | None],
         count: int | None) -> Iterator[bytes]:
    """The feed's JSON, a few hundred rows a chunk: {"value": [...], "@odata.context", "@odata.nextLink" (when
    there is a next page: asked for once the rows are written), "@odata.count" (when counted)}."""
    yield b'{"value":['
    waiting: list[str] = []
    first = True
    for row in rows:
        waiting.append(("" if first else ",") + json.dumps(row, ensure_ascii=False, separators=(",", ":")))
        first = False
        if len(waiting) >= _ROWS_PER_CHUNK:
            yield "".join(waiting).encode("utf-8")
            waiting.clear()
    footer = {"@odata.context": context}
    link = next_link()
    if link is not None:
        footer["@odata.nextLink"] = link
    if count is not None:
        footer["@odata.count"] = count
    yield ("".join(waiting) + "]," + json.dumps(footer, ensure_ascii=False, separators=(",", ":"))[1:]).encode()
