"""A form version's fields as ODK Central's OData sees them: a tree of groups (complex types), repeats (entity
sets of their own, joined to their parent by a key) and fields, with Central's names and types.

Central derives all of it from the XForm (central-backend lib/formats/odata.js edmxFor, serviceDocumentFor;
lib/data/odata.js submissionToOData); here it comes from the schema stored with each form version (core.xform),
whose fields are in form order with their full paths (/data/hh_g/member/m_name), so the same tree follows:
a group or repeat takes its place where its first field appears.

Names: each path step passes through Central's sanitizeOdataIdentifier (lib/util/util.js): a leading character
other than a letter or _ gets a _ in front, and every run of characters other than ASCII letters, digits and
_ becomes one _. A repeat's entity set is `Submissions.` and its sanitized path below the root, joined by
dots (`Submissions.hh_g.member`); its rows carry the parent's id as `__Submissions-id`, or
`__Submissions-{enclosing repeat's path joined by -}-id` in a nested repeat.

Pure: no Flask, no SQL.
"""
import re
from dataclasses import dataclass, field

# Central's type map (lib/formats/odata.js typeMap); every other type is Edm.String.
EDM_TYPES = {
    "int": "Edm.Int64", "decimal": "Edm.Decimal", "boolean": "Edm.Boolean",
    "geopoint": "Edm.GeographyPoint", "geotrace": "Edm.GeographyLineString", "geoshape": "Edm.GeographyPolygon",
    "date": "Edm.Date", "dateTime": "Edm.DateTimeOffset",
}
PRIMARY = "Submissions"

_LEADING = re.compile(r"^([^a-zA-Z_])")
_INNER = re.compile(r"[^a-zA-Z0-9_]+")


def sanitize(name: str) -> str:
    """Central's sanitizeOdataIdentifier: '1st-name' -> '_1st_name', 'a.b' -> 'a_b', '姓名' -> '_'."""
    return _INNER.sub("_", _LEADING.sub(r"_\1", name))


@dataclass
class Node:
    """One step of the tree: the root, a group ('structure', Central's word), a repeat, or a field."""
    name: str                      # the element's own name, as in the XML (Central hashes this one)
    path: str                      # the full schema path, /data/hh_g/member
    kind: str                      # root | structure | repeat | field
    type: str = "structure"        # a field's stored type (core.xform), else its kind
    children: list["Node"] = field(default_factory=list)
    parent: "Node | None" = field(default=None, repr=False)

    @property
    def odata_name(self) -> str:
        return sanitize(self.name)

    @property
    def edm_type(self) -> str:
        return EDM_TYPES.get(self.type, "Edm.String")

    def steps(self) -> list["Node"]:
        """The nodes from below the root down to this one, outermost first."""
        out, node = [], self
        while node is not None and node.kind != "root":
            out.append(node)
            node = node.parent
        return out[::-1]

    def enclosing_repeat(self) -> "Node | None":
        """The innermost repeat strictly above this node; None directly under the submission."""
        node = self.parent
        while node is not None and node.kind != "root":
            if node.kind == "repeat":
                return node
            node = node.parent
        return None

    def table_name(self) -> str:
        """The entity set this node's values live in: Submissions, or the repeat's Submissions.a.b."""
        owner = self if self.kind in ("root", "repeat") else self.enclosing_repeat()
        if owner is None or owner.kind == "root":
            return PRIMARY
        return ".".join([PRIMARY] + [s.odata_name for s in owner.steps()])

    def parent_key(self) -> str:
        """A repeat's rows' parent-id property: __Submissions-id, or __Submissions-a-b-id (nested)."""
        outer = self.enclosing_repeat()
        parts = [PRIMARY] + ([s.odata_name for s in outer.steps()] if outer else [])
        return f"__{'-'.join(parts)}-id"

    def walk(self):
        """Every node below this one, depth first in form order."""
        for child in self.children:
            yield child
            yield from child.walk()


def odata_tree(schema: dict) -> Node:
    """The tree of a stored form schema ({root, fields: [{path, name, type, repeat?}], repeats, groups})."""
    root_path = "/" + schema.get("root", "data")
    root = Node(schema.get("root", "data"), root_path, "root", "root")
    repeats = set(schema.get("repeats", []))
    nodes = {root_path: root}

    def ensure(path: str) -> Node:
        node = nodes.get(path)
        if node is None:
            parent = ensure(path.rsplit("/", 1)[0])
            node = Node(path.rsplit("/", 1)[1], path, "repeat" if path in repeats else "structure",
                        parent=parent)
            parent.children.append(node)
            nodes[path] = node
        return node

    for f in schema.get("fields", []):
        if f["path"] in nodes or not f["path"].startswith(root_path + "/"):
            continue
        parent = ensure(f["path"].rsplit("/", 1)[0])
        node = Node(f["path"].rsplit("/", 1)[1], f["path"], "field", f["type"], parent=parent)
        parent.children.append(node)
        nodes[f["path"]] = node
    for path in schema.get("repeats", []):   # a repeat with no field of its own still is a table
        if path.startswith(root_path + "/"):
            ensure(path)
    return root


def tables(root: Node) -> list[Node]:
    """The entity sets: the root (Submissions), then every repeat in form order."""
    return [root] + [n for n in root.walk() if n.kind == "repeat"]


def find_table(root: Node, name: str) -> Node | None:
    """The table node called `name` (Submissions, Submissions.hh_g.member), or None."""
    return next((t for t in tables(root) if t.table_name() == name), None)
