"""The OData documents of an Entity List, as ODK Central writes them: the service document, the EDMX metadata
(central-backend lib/formats/odata.js edmxTemplaterForEntities) and the JSON feed of `Entities`
(lib/data/entity.js selectFields and streamEntityOdata, lib/util/odata.js jsonDataFooter).

Pure: plain values in, text or bytes out.
"""
import json
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from xml.sax.saxutils import quoteattr

from ..problems import property_not_found

ENTITY_NAMESPACE = "org.opendatakit.entity"
USER_NAMESPACE = "org.opendatakit.user"
JSON_MINIMAL = "application/json; odata.metadata=minimal"
_ROWS_PER_CHUNK = 200
_MINIMAL = '"Org.OData.Capabilities.V1.ConformanceLevelType/Minimal"'


def sanitize_identifier(name: str) -> str:
    """Central's sanitizeOdataIdentifier (lib/util/util.js): a leading character that is no letter or '_' gets
    a '_' before it, and each run of characters other than ASCII letters, digits and '_' becomes one '_'."""
    return re.sub(r"[^A-Za-z0-9_]+", "_", re.sub(r"^([^A-Za-z_])", r"_\1", name))


def timestamp(value: datetime | None) -> str | None:
    """A time as Central's JSON writes it: UTC, milliseconds, 'Z' (2018-01-19T23:58:03.395Z)."""
    if value is None:
        return None
    return value.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def service_document(metadata_url: str) -> dict:
    """GET {list}.svc: the one entity set, Entities."""
    return {"@odata.context": metadata_url, "value": [{"name": "Entities", "kind": "EntitySet", "url": "Entities"}]}


def edmx(list_name: str, properties: Iterable[str]) -> str:
    """GET {list}.svc/$metadata: the metadata complex type, then Entities keyed by __id with __system, label
    and every property as Edm.String, and the capabilities Central declares (Minimal conformance, countable,
    properties not filterable, not sortable, not expandable), under the terms Central writes them with (its two
    FilterFunctions annotations included: clients of Central read these). Central's SearchRestrictions is left
    out: this feed offers no $search."""
    base = f"{USER_NAMESPACE}.{sanitize_identifier(list_name)}"
    names = [sanitize_identifier(p) for p in properties]
    declared = "".join(f'\n        <Property Name="{n}" Type="Edm.String"/>' for n in names)
    unfilterable = "".join(f"\n                  <PropertyPath>{n}</PropertyPath>" for n in names)
    metadata = "".join(f'\n        <Property Name="{name}" Type="{kind}"/>' for name, kind in (
        ("createdAt", "Edm.DateTimeOffset"), ("creatorId", "Edm.String"), ("creatorName", "Edm.String"),
        ("updates", "Edm.Int64"), ("updatedAt", "Edm.DateTimeOffset"), ("deletedAt", "Edm.DateTimeOffset"),
        ("version", "Edm.Int64"), ("conflict", "Edm.String")))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0">
  <edmx:DataServices>
    <Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="{ENTITY_NAMESPACE}">
      <ComplexType Name="metadata">{metadata}
      </ComplexType>
    </Schema>
    <Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace={quoteattr(base)}>
      <EntityType Name="Entities">
        <Key><PropertyRef Name="__id"/></Key>
        <Property Name="__id" Type="Edm.String"/>
        <Property Name="__system" Type="{ENTITY_NAMESPACE}.metadata"/>
        <Property Name="label" Type="Edm.String"/>{declared}
      </EntityType>
      <EntityContainer Name={quoteattr(list_name)}>
        <EntitySet Name="Entities" EntityType={quoteattr(base + ".Entities")}>
          <Annotation Term="Org.OData.Capabilities.V1.ConformanceLevel" EnumMember={_MINIMAL}/>
          <Annotation Term="Org.OData.Capabilities.V1.BatchSupported" Bool="false"/>
          <Annotation Term="Org.OData.Capabilities.V1.CountRestrictions">
            <Record><PropertyValue Property="Countable" Bool="true"/></Record>
          </Annotation>
          <Annotation Term="Org.OData.Capabilities.V1.FilterFunctions">
            <Record>
              <PropertyValue Property="NonCountableProperties">
                <Collection>
                  <String>eq</String>
                </Collection>
              </PropertyValue>
            </Record>
          </Annotation>
          <Annotation Term="Org.OData.Capabilities.V1.FilterFunctions">
            <Record>
              <PropertyValue Property="Filterable" Bool="true"/>
              <PropertyValue Property="RequiresFilter" Bool="false"/>
              <PropertyValue Property="NonFilterableProperties">
                <Collection>{unfilterable}
                </Collection>
              </PropertyValue>
            </Record>
          </Annotation>
          <Annotation Term="Org.OData.Capabilities.V1.SortRestrictions">
            <Record><PropertyValue Property="Sortable" Bool="false"/></Record>
          </Annotation>
          <Annotation Term="Org.OData.Capabilities.V1.ExpandRestrictions">
            <Record><PropertyValue Property="Expandable" Bool="false"/></Record>
          </Annotation>
        </EntitySet>
      </EntityContainer>
    </Schema>
  </edmx:DataServices>
</edmx:Edmx>"""


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
            row[sanitize_identifier(name)] = value
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
