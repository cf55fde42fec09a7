"""Collect-style submission XML for any XForm, built from its primary instance.

Elements in the XForms namespace are written without one, as JavaRosa does;
jr:template copies are dropped. Three flavours, as the real-forms runner sends:
plain text, Chinese text, and XML special characters with '; '-joined geo.
"""
import uuid
from xml.etree import ElementTree

from app.core.safexml import attribute, child, children, local_name, namespace
from app.core.xform import JR_TEMPLATE, read_xform

XFORMS_NS = "http://www.w3.org/2002/xforms"
TEXTS = {"plain": "field note", "chinese": "村民小组 张三 低保户", "special": "A & B < C > \"D\" 'E'"}
PHOTO = b"\xff\xd8\xff\xe0" + b"collect-photo" * 64 + b"\xff\xd9"


def primary_root(xform: bytes) -> ElementTree.Element:
    html = ElementTree.fromstring(xform)
    model = child(child(html, "head"), "model")
    instance = children(model, "instance")[0]
    return [e for e in instance if isinstance(e.tag, str)][0]


def build_instance(xform: bytes, flavour: str = "plain", *, instance_id: str | None = None,
                   values: dict[str, str] | None = None) -> tuple[bytes, dict[str, bytes]]:
    """Submission XML and its attachments; `values` overrides leaves by local name."""
    definition = read_xform(xform)
    types = {f.path: f.type for f in definition.fields}
    choices = {f.path: f.choices for f in definition.fields if f.choices}
    source = primary_root(xform)
    attachments: dict[str, bytes] = {}
    instance_id = instance_id or f"uuid:{uuid.uuid4()}"
    counter = iter(range(1_700_000_000_000, 1_800_000_000_000))

    def copy(src: ElementTree.Element, path: str) -> ElementTree.Element:
        ns = namespace(src.tag)
        tag = local_name(src.tag) if ns in ("", XFORMS_NS) else src.tag
        dst = ElementTree.Element(tag, {k: v for k, v in src.attrib.items() if k != JR_TEMPLATE})
        kids = [c for c in src if isinstance(c.tag, str) and JR_TEMPLATE not in c.attrib]
        seen_templates = {local_name(c.tag) for c in src if isinstance(c.tag, str) and JR_TEMPLATE in c.attrib}
        for name in seen_templates:   # a repeat given only as a template: send one instance of it
            if not any(local_name(c.tag) == name for c in kids):
                kids.append(next(c for c in src if isinstance(c.tag, str) and local_name(c.tag) == name))
        for c in kids:
            dst.append(copy(c, f"{path}/{local_name(c.tag)}"))
        if not kids:
            dst.text = leaf(src, path)
        return dst

    def leaf(src: ElementTree.Element, path: str) -> str | None:
        name = local_name(src.tag)
        if values and name in values:
            return values[name]
        if name == "instanceID":
            return instance_id
        if name == "deprecatedID" or path.endswith("/meta/entity/label"):
            return src.text
        ftype = types.get(path, "string")
        if ftype == "binary":
            file_name = f"{next(counter)}.jpg"
            attachments[file_name] = PHOTO
            return file_name
        sep = "; " if flavour == "special" else ";"
        return {
            "int": "3", "decimal": "1.5", "date": "2026-11-20", "time": "10:30:00.000+08:00",
            "dateTime": "2026-11-20T10:30:00.000+08:00", "boolean": "true",
            "geopoint": "30.5928 114.3055 25.0 4.5",
            "geotrace": sep.join(["30.5928 114.3055 0 5", "30.5935 114.3066 0 5"]),
            "geoshape": sep.join(["30.59 114.30 0 5", "30.60 114.30 0 5", "30.60 114.31 0 5", "30.59 114.30 0 5"]),
            "select_one": (choices.get(path) or ["a"])[0],
            "select_multiple": " ".join((choices.get(path) or ["a"])[:2]),
        }.get(ftype, src.text if src.text and src.text.strip() else TEXTS[flavour])

    root = copy(source, "/" + local_name(source.tag))
    if attribute(source, "version") is None:
        root.attrib.pop("version", None)
    xml = ElementTree.tostring(root, encoding="utf-8", xml_declaration=False)
    return xml, attachments


def encrypted_envelope(xform: bytes) -> tuple[bytes, dict[str, bytes]]:
    """What Collect sends for an encrypted form: an envelope and opaque .enc parts."""
    definition = read_xform(xform)
    version = f' version="{definition.version}"' if definition.version else ""
    instance_id = f"uuid:{uuid.uuid4()}"
    xml = (f'<data id="{definition.form_id}"{version} encrypted="yes" '
           'xmlns="http://www.opendatakit.org/xforms/encrypted">'
           '<base64EncryptedKey>c2VjcmV0a2V5</base64EncryptedKey>'
           f'<orx:meta xmlns:orx="http://openrosa.org/xforms"><orx:instanceID>{instance_id}</orx:instanceID></orx:meta>'
           '<media><file>1700000000000.jpg.enc</file></media>'
           '<encryptedXmlFile>submission.xml.enc</encryptedXmlFile>'
           '<base64EncryptedElementSignature>c2ln</base64EncryptedElementSignature></data>').encode()
    return xml, {"submission.xml.enc": b"\x00encrypted-xml" * 10, "1700000000000.jpg.enc": b"\x01enc" * 50}
