"""Reading an XForm definition: its identity, its fields and the media it needs.

The schema extracted here is what the server stores per form version and what
ingest uses to type every answer, so it is keyed by full instance path
("/data/member/m_name"), never by bare name: real forms have names with dots
and repeats whose child has the repeat's own name.
"""
import re
import unicodedata
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from .safexml import XmlRejected, attribute, child, children, local_name, parse_untrusted

JR_TEMPLATE = "{http://openrosa.org/javarosa}template"

# Bind types as XForms writes them -> the names we store (XLSForm's vocabulary where it has one).
_BIND_TYPES = {
    "string": "string", "int": "int", "integer": "int", "long": "int", "short": "int",
    "decimal": "decimal", "double": "decimal", "float": "decimal",
    "date": "date", "time": "time", "datetime": "dateTime",
    "boolean": "boolean", "geopoint": "geopoint", "geotrace": "geotrace", "geoshape": "geoshape",
    "binary": "binary", "barcode": "barcode", "intent": "intent",
    "select": "select_multiple", "select1": "select_one", "rank": "rank",
}
GEO_TYPES = frozenset({"geopoint", "geotrace", "geoshape"})

_MEDIA_URI = re.compile(r"jr://(images|audio|video|file|file-csv)/([^\"'\s<>]+)")
_MEDIA_KIND = {"images": "image", "audio": "audio", "video": "video", "file": "file", "file-csv": "file"}


class XFormInvalid(ValueError):
    """The document is not an XForm we can publish; the message is for the person publishing."""


@dataclass
class Field:
    path: str
    type: str
    repeat: str | None = None          # path of the innermost enclosing repeat
    choices: list[str] | None = None   # static choice values, when the form lists them
    choice_list: str | None = None     # secondary instance id, for itemsets

    def as_dict(self) -> dict:
        d = {"path": self.path, "name": self.path.rsplit("/", 1)[1], "type": self.type}
        if self.repeat:
            d["repeat"] = self.repeat
        if self.choices is not None:
            d["choices"] = self.choices
        if self.choice_list:
            d["choice_list"] = self.choice_list
        return d


@dataclass
class XFormDefinition:
    form_id: str
    version: str
    title: str
    root_name: str
    fields: list[Field]
    repeats: list[str]
    groups: list[str]
    media: dict[str, str]              # file name -> kind (image/audio/video/file)
    submission_action: str | None = None
    encrypted: bool = False
    warnings: list[str] = field(default_factory=list)

    def schema(self) -> dict:
        """The JSON-ready schema stored with the form version."""
        return {
            "root": self.root_name,
            "fields": [f.as_dict() for f in self.fields],
            "repeats": self.repeats,
            "groups": self.groups,
            "encrypted": self.encrypted,
        }


def read_xform(data: bytes) -> XFormDefinition:
    """Read an XForm's identity and schema, or raise XFormInvalid saying what is wrong."""
    try:
        html = parse_untrusted(data)
    except XmlRejected as e:
        raise XFormInvalid(str(e)) from None
    head = child(html, "head")
    if head is None:
        raise XFormInvalid("This is not an XForm: there is no <h:head> element.")
    models = children(head, "model")
    if len(models) != 1:
        raise XFormInvalid(f"An XForm needs exactly one <model> in <h:head>; this one has {len(models)}.")
    model = models[0]
    instances = children(model, "instance")
    if not instances:
        raise XFormInvalid("The <model> has no <instance>.")
    roots = [e for e in instances[0] if isinstance(e.tag, str)]
    if len(roots) != 1:
        raise XFormInvalid("The primary <instance> must hold exactly one root element.")
    root = roots[0]
    root_name = local_name(root.tag)
    form_id = attribute(root, "id")
    if not form_id or not form_id.strip():
        raise XFormInvalid(f"The primary instance root <{root_name}> has no id attribute, so the form has no form ID.")
    title_el = child(head, "title")
    title = (title_el.text or "").strip() if title_el is not None else ""

    bind_types = _bind_types(model, root_name)
    body = child(html, "body")
    controls, body_repeats = _body_controls(body, root_name) if body is not None else ({}, set())
    fields, repeats, groups = _walk_instance(root, bind_types, controls, body_repeats)

    submission = child(model, "submission")
    action = submission.get("action") if submission is not None else None
    encrypted = submission is not None and bool(submission.get("base64RsaPublicKey"))

    # NFC, as submissions' identifiers are read (app.core.instance), so the two always compare equal.
    definition = XFormDefinition(
        form_id=unicodedata.normalize("NFC", form_id),
        version=unicodedata.normalize("NFC", attribute(root, "version") or ""), title=title,
        root_name=root_name, fields=fields, repeats=repeats, groups=groups,
        media=_media_references(data, body), submission_action=action or None, encrypted=encrypted,
    )
    if action:
        definition.warnings.append(
            f"The form sets a submission URL ({action}); ODK Collect will send submissions there, not to this server."
        )
    return definition


def _resolve(ref: str, context: str) -> str:
    """Absolute instance path of a ref, given the path it is relative to."""
    ref = ref.strip()
    if ref.startswith("/"):
        path = ref
    else:
        path = context.rstrip("/") + "/" + ref
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(local_name(part.split(":")[-1]) if ":" in part else part)
    return "/" + "/".join(parts)


def _bind_types(model: Element, root_name: str) -> dict[str, str]:
    types = {}
    for bind in children(model, "bind"):
        nodeset = bind.get("nodeset")
        if not nodeset:
            continue
        raw = (bind.get("type") or "string").split(":")[-1].lower()
        types[_resolve(nodeset, "/" + root_name)] = _BIND_TYPES.get(raw, raw)
    return types


def _body_controls(body: Element, root_name: str) -> tuple[dict[str, dict], set[str]]:
    """What the body says about each path: select kind, static choices, itemset source; and repeats."""
    controls: dict[str, dict] = {}
    repeats: set[str] = set()

    def visit(element: Element, context: str) -> None:
        for el in element:
            if not isinstance(el.tag, str):
                continue
            name = local_name(el.tag)
            ref = el.get("ref") or el.get("nodeset")
            path = _resolve(ref, context) if ref else context
            if name == "repeat" and ref:
                repeats.add(path)
            elif name in ("select", "select1", "rank") and ref:
                info: dict = {"kind": {"select": "select_multiple", "select1": "select_one", "rank": "rank"}[name]}
                values = []
                for item in children(el, "item"):
                    value = child(item, "value")
                    if value is not None and value.text is not None:
                        values.append(value.text.strip())
                if values:
                    info["choices"] = values
                itemset = child(el, "itemset")
                if itemset is not None:
                    m = re.match(r"\s*instance\(\s*['\"]([^'\"]+)['\"]\s*\)", itemset.get("nodeset") or "")
                    if m:
                        info["choice_list"] = m.group(1)
                controls[path] = info
            visit(el, path if name in ("group", "repeat") and ref else context)

    visit(body, "/" + root_name)
    return controls, repeats


def _walk_instance(root: Element, bind_types: dict[str, str], controls: dict[str, dict],
                   body_repeats: set[str]) -> tuple[list[Field], list[str], list[str]]:
    fields: list[Field] = []
    repeats: list[str] = []
    groups: list[str] = []
    seen: set[str] = set()

    def visit(element: Element, path: str, repeat: str | None) -> None:
        for el in element:
            if not isinstance(el.tag, str):
                continue
            p = f"{path}/{local_name(el.tag)}"
            if p in seen:          # default repeat instances repeat the same shape
                continue
            seen.add(p)
            is_repeat = p in body_repeats or JR_TEMPLATE in el.attrib
            has_children = any(isinstance(c.tag, str) for c in el)
            if is_repeat:
                repeats.append(p)
                visit(el, p, p)
            elif has_children:
                groups.append(p)
                visit(el, p, repeat)
            else:
                ftype = bind_types.get(p, "string")
                control = controls.get(p, {})
                if ftype in ("string", "select_one", "select_multiple") and "kind" in control:
                    ftype = control["kind"]
                fields.append(Field(p, ftype, repeat, control.get("choices"), control.get("choice_list")))

    root_path = "/" + local_name(root.tag)
    visit(root, root_path, None)
    return fields, repeats, groups


def _media_references(data: bytes, body: Element | None) -> dict[str, str]:
    """Files the form refers to by jr:// URI, plus itemsets.csv for select_one_external queries."""
    text = data.decode("utf-8", errors="replace")
    media: dict[str, str] = {}
    for scheme, path in _MEDIA_URI.findall(text):
        name = path.rsplit("/", 1)[-1]
        if name and name not in (".", ".."):
            media.setdefault(name, _MEDIA_KIND[scheme])
    if body is not None and any(el.get("query") for el in body.iter() if local_name(str(el.tag)) == "input"):
        media.setdefault("itemsets.csv", "file")
    return media


def with_default(xml: bytes, name: str, value: str) -> bytes:
    """The XForm with `value` as the default of the top-level field `name` of its primary instance (the
    first <instance>): a public link writes its village into the form it serves, so the page needs no
    prefill of its own. Everything else stays byte for byte as published (the form is the server's own,
    from pyxform, which writes an empty field as <name/>).

    Raises XFormInvalid when the primary instance has no empty element `name` to fill.
    """
    text = xml.decode("utf-8")
    start = text.find("<instance>")
    end = text.find("</instance>", start)
    empty = re.compile(rf"<{re.escape(name)}\s*/>|<{re.escape(name)}>\s*</{re.escape(name)}>")
    found = empty.search(text, start, end) if start >= 0 and end >= 0 else None
    if found is None:
        raise XFormInvalid(f"The form's primary instance has no empty field '{name}' to fill.")
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (text[:found.start()] + f"<{name}>{escaped}</{name}>" + text[found.end():]).encode("utf-8")
