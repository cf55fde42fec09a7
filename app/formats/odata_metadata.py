"""The two OData documents that describe a form's submissions, as ODK Central writes them: the service document
(one entity set per table) and the EDMX 4.0 metadata document (central-backend lib/formats/odata.js
serviceDocumentFor and edmxFor, whose shapes Power BI, Excel, ruODK and pyodk read).

The metadata has Central's two schemas: org.opendatakit.submission (the __system complex type and the Status
and ReviewState enums) and org.opendatakit.user.{form id} (the Submissions entity type keyed by __id, one
complex type per group, one entity type per repeat with its parent key, and the container whose primary set
carries the Capabilities annotations that tell Power Query which options it may put in the URL).
"""
from xml.etree.ElementTree import Element, SubElement, tostring

from ..core.odata_schema import PRIMARY, Node, sanitize, tables

EDMX = "http://docs.oasis-open.org/odata/ns/edmx"
EDM = "http://docs.oasis-open.org/odata/ns/edm"
CAPABILITIES = "Org.OData.Capabilities.V1"
SYSTEM_TYPE = "org.opendatakit.submission.metadata"

# The __system complex type, in Central's order (lib/formats/odata.js edmxTemplater).
SYSTEM_PROPERTIES = (
    ("submissionDate", "Edm.DateTimeOffset"), ("updatedAt", "Edm.DateTimeOffset"),
    ("submitterId", "Edm.String"), ("submitterName", "Edm.String"),
    ("attachmentsPresent", "Edm.Int64"), ("attachmentsExpected", "Edm.Int64"),
    ("status", "org.opendatakit.submission.Status"), ("reviewState", "org.opendatakit.submission.ReviewState"),
    ("deviceId", "Edm.String"), ("edits", "Edm.Int64"), ("formVersion", "Edm.String"),
)
STATUS_MEMBERS = ("notDecrypted", "missingEncryptedFormData")
REVIEW_STATE_MEMBERS = ("hasIssues", "edited", "rejected", "approved")


def service_document(tree: Node, metadata_url: str) -> dict:
    """{"context": metadata_url, "value": [{name, kind: EntitySet, url}, ...]}: Submissions and one set per
    repeat (api.schemas.odata writes "context" as @odata.context)."""
    return {"context": metadata_url,
            "value": [{"name": t.table_name(), "kind": "EntitySet", "url": t.table_name()} for t in tables(tree)]}


def _type_name(node: Node) -> str:
    return ".".join(s.odata_name for s in node.steps())


def _add_properties(container: Element, node: Node, base: str, complex_types: list[Node]) -> None:
    for child in node.children:
        if child.kind == "field":
            SubElement(container, "Property", Name=child.odata_name, Type=child.edm_type)
        elif child.kind == "structure":
            SubElement(container, "Property", Name=child.odata_name, Type=f"{base}.{_type_name(child)}")
            complex_types.append(child)
        else:
            SubElement(container, "NavigationProperty", Name=child.odata_name,
                       Type=f"Collection({base}.{PRIMARY}.{_type_name(child)})")


def edmx_root() -> tuple[Element, Element]:
    """An EDMX 4.0 document's root and its DataServices element, to add schemas to."""
    root = Element("edmx:Edmx", {"xmlns:edmx": EDMX, "Version": "4.0"})
    return root, SubElement(root, "edmx:DataServices")


def document(root: Element) -> bytes:
    """The document's UTF-8 bytes, with its XML declaration."""
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="utf-8", xml_declaration=False)


def edmx(xml_form_id: str, tree: Node) -> bytes:
    """The $metadata document (UTF-8 XML) of a form whose fields make `tree`."""
    base = f"org.opendatakit.user.{sanitize(xml_form_id)}"
    root, services = edmx_root()

    system = SubElement(services, "Schema", xmlns=EDM, Namespace="org.opendatakit.submission")
    metadata = SubElement(system, "ComplexType", Name="metadata")
    for name, edm in SYSTEM_PROPERTIES:
        SubElement(metadata, "Property", Name=name, Type=edm)
    for enum, members in (("Status", STATUS_MEMBERS), ("ReviewState", REVIEW_STATE_MEMBERS)):
        element = SubElement(system, "EnumType", Name=enum)
        for member in members:
            SubElement(element, "Member", Name=member)

    user = SubElement(services, "Schema", xmlns=EDM, Namespace=base)
    complex_types: list[Node] = []
    entity_sets = []
    for table in tables(tree):
        name = table.table_name()
        entity = SubElement(user, "EntityType", Name=name)
        SubElement(SubElement(entity, "Key"), "PropertyRef", Name="__id")
        SubElement(entity, "Property", Name="__id", Type="Edm.String")
        if table.kind == "root":
            SubElement(entity, "Property", Name="__system", Type=SYSTEM_TYPE)
        else:
            SubElement(entity, "Property", Name=table.parent_key(), Type="Edm.String")
        _add_properties(entity, table, base, complex_types)
        entity_sets.append((name, table))
    # Groups may hold groups: each complex type's own groups join the list as it is written.
    index = 0
    while index < len(complex_types):
        group = complex_types[index]
        element = SubElement(user, "ComplexType", Name=_type_name(group))
        _add_properties(element, group, base, complex_types)
        index += 1

    container = SubElement(user, "EntityContainer", Name=xml_form_id)
    for name, table in entity_sets:
        entity_set = SubElement(container, "EntitySet", Name=name, EntityType=f"{base}.{name}")
        if table.kind == "root":
            annotate_primary(entity_set, [c.odata_name for c in table.children])
    return document(root)


def annotate_primary(entity_set: Element, properties: list[str]) -> None:
    """Central's Capabilities annotations on a feed's primary entity set (submissions' and entities' alike):
    minimal conformance, no batch, countable, filterable (on system fields only: every property is listed as
    non-filterable), neither sortable nor expandable."""
    SubElement(entity_set, "Annotation", Term=f"{CAPABILITIES}.ConformanceLevel",
               EnumMember=f"{CAPABILITIES}.ConformanceLevelType/Minimal")
    SubElement(entity_set, "Annotation", Term=f"{CAPABILITIES}.BatchSupported", Bool="false")
    _record(entity_set, "CountRestrictions", Countable="true")
    functions = SubElement(SubElement(entity_set, "Annotation", Term=f"{CAPABILITIES}.FilterFunctions"), "Record")
    listed = SubElement(SubElement(functions, "PropertyValue", Property="NonCountableProperties"), "Collection")
    SubElement(listed, "String").text = "eq"
    filters = SubElement(SubElement(entity_set, "Annotation", Term=f"{CAPABILITIES}.FilterFunctions"), "Record")
    SubElement(filters, "PropertyValue", Property="Filterable", Bool="true")
    SubElement(filters, "PropertyValue", Property="RequiresFilter", Bool="false")
    excluded = SubElement(SubElement(filters, "PropertyValue", Property="NonFilterableProperties"), "Collection")
    for name in properties:
        SubElement(excluded, "PropertyPath").text = name
    _record(entity_set, "SortRestrictions", Sortable="false")
    _record(entity_set, "ExpandRestrictions", Expandable="false")


def _record(parent: Element, term: str, **values: str) -> None:
    record = SubElement(SubElement(parent, "Annotation", Term=f"{CAPABILITIES}.{term}"), "Record")
    for name, value in values.items():
        SubElement(record, "PropertyValue", Property=name, Bool=value)
