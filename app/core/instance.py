"""Reading a submitted instance: who it is (form, version, instanceID) and what it says.

Both namespace shapes Collect produces (plain <meta> and <orx:meta>) are read by
local name. Answers are typed with the form version's schema; an answer that
does not fit its type is kept as text and reported, never dropped.
"""
import hashlib
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time
from xml.etree.ElementTree import Element

from .geo import GeoValue, read_geo
from .numbers import NumberOutOfRange, read_decimal, read_integer
from .safexml import XmlRejected, XmlTooLarge, attribute, child, local_name, namespace, parse_untrusted
from .xform import GEO_TYPES

ENCRYPTED_NS = "http://www.opendatakit.org/xforms/encrypted"
# A fixed namespace so that an instance without an instanceID gets the same id on every resend.
_DERIVED_ID_NAMESPACE = uuid.UUID("6f1c1d0e-3b9a-4c57-9d0b-6a1f2e7c4d21")


class SubmissionInvalid(ValueError):
    """The submission XML cannot be accepted; the message goes back to the client."""


class SubmissionTooLarge(SubmissionInvalid):
    """The submission XML is over a size bound (bytes, or elements and attributes)."""


@dataclass
class Envelope:
    """What identifies a submission, read without the form's schema."""
    root: Element
    form_id: str
    version: str
    instance_id: str
    deprecated_id: str | None
    instance_name: str | None
    encrypted: bool
    instance_id_derived: bool = False


@dataclass
class GeoAnswer:
    path: str                 # schema path, e.g. /data/member/gps
    positions: list[int]      # 1-based index in each enclosing repeat, outermost first
    kind: str
    raw: str
    value: GeoValue


@dataclass
class Answers:
    data: dict
    geo: list[GeoAnswer] = field(default_factory=list)
    files: list[str] = field(default_factory=list)      # attachment names the instance refers to
    problems: list[dict] = field(default_factory=list)  # answers kept as text because they did not fit


def read_envelope(xml: bytes, *, max_bytes: int, max_nodes: int | None = None) -> Envelope:
    """Identify a submission; raise SubmissionInvalid when it cannot be identified.

    SubmissionTooLarge past `max_bytes` bytes or `max_nodes` elements and attributes. The form id,
    version, instanceID and deprecatedID are given in Unicode NFC, so that one identifier written
    composed on one device and decomposed on another ('é' as one code point, or 'e' and an accent)
    is compared, and stored, as one.
    """
    try:
        root = parse_untrusted(xml, max_bytes=max_bytes, max_nodes=max_nodes)
    except XmlTooLarge as e:
        raise SubmissionTooLarge(str(e)) from None
    except XmlRejected as e:
        raise SubmissionInvalid(str(e)) from None
    form_id = _nfc(attribute(root, "id") or namespace(root.tag))
    if not form_id:
        raise SubmissionInvalid("The submission's root element has no id attribute naming its form.")
    encrypted = namespace(root.tag) == ENCRYPTED_NS or attribute(root, "encrypted") == "yes"
    meta = child(root, "meta")
    instance_id = _nfc(_meta_text(meta, "instanceID") or (attribute(root, "instanceID") or "").strip())
    derived = False
    if not instance_id:
        if encrypted:
            raise SubmissionInvalid("An encrypted submission must carry meta/instanceID.")
        instance_id = "uuid:" + str(uuid.uuid5(_DERIVED_ID_NAMESPACE, hashlib.sha256(xml).hexdigest()))
        derived = True
    return Envelope(
        root=root, form_id=form_id, version=_nfc(attribute(root, "version") or ""),
        instance_id=instance_id, deprecated_id=_nfc(_meta_text(meta, "deprecatedID")) or None,
        instance_name=_meta_text(meta, "instanceName") or None, encrypted=encrypted,
        instance_id_derived=derived,
    )


def _nfc(identifier: str) -> str:
    return unicodedata.normalize("NFC", identifier)


def _meta_text(meta: Element | None, name: str) -> str:
    if meta is None:
        return ""
    el = child(meta, name)
    return (el.text or "").strip() if el is not None else ""


def read_answers(root: Element, schema: dict, *, encrypted: bool = False) -> Answers:
    """Typed answers (nested like the form: groups as objects, repeats as lists) and geo answers.

    Answers are read relative to the root element whatever it is called, as ODK Central does: a
    submission migrated from another server (KoboToolbox's `<_myform>`, kobotoolbox/kpi#3996) or
    written by another client may name its root after the form id, not the form's `<data>`.
    Linear in the number of elements.
    """
    types = {f["path"]: f["type"] for f in schema.get("fields", [])}
    repeats = set(schema.get("repeats", []))
    answers = Answers(data={})
    root_path = "/" + (schema.get("root") or local_name(root.tag))
    answers.data = _read_group(root, root_path, [], types, repeats, answers)
    if encrypted:
        _encrypted_files(root, answers)
    return answers


def _read_group(element: Element, path: str, positions: list[int], types: dict[str, str],
                repeats: set[str], answers: Answers) -> dict:
    group: dict = {}
    repeat_counts: dict[str, int] = {}
    listed: set[str] = set()     # names seen more than once outside a known repeat
    for el in element:
        if not isinstance(el.tag, str):
            continue
        name = local_name(el.tag)
        p = f"{path}/{name}"
        has_children = any(isinstance(c.tag, str) for c in el)
        if p in repeats:
            repeat_counts[p] = repeat_counts.get(p, 0) + 1
            item = _read_group(el, p, positions + [repeat_counts[p]], types, repeats, answers)
            group.setdefault(name, []).append(item)
        elif has_children:
            _put(group, listed, name, _read_group(el, p, positions, types, repeats, answers))
        else:
            _put(group, listed, name, _read_leaf(el.text, p, positions, types.get(p, "string"), answers))
    return group


def _put(group: dict, listed: set[str], name: str, value) -> None:
    # A name seen twice outside a known repeat (an older form version, or no schema) becomes a list,
    # appended to in place: a copy per element made 50,000 siblings take minutes (quadratic).
    if name in listed:
        group[name].append(value)
    elif name in group:
        group[name] = [group[name], value]
        listed.add(name)
    else:
        group[name] = value


def _read_leaf(text: str | None, path: str, positions: list[int], ftype: str, answers: Answers):
    raw = (text or "").strip()
    if raw == "":
        return None
    if ftype in GEO_TYPES:
        answers.geo.append(GeoAnswer(path, positions, ftype, raw, read_geo(ftype, raw)))
        return raw
    if ftype == "binary":
        answers.files.append(raw)
        return raw
    try:
        return _typed(raw, ftype)
    except NumberOutOfRange as e:
        problem = str(e)
    except ValueError:
        problem = f"not a valid {ftype}"
    # Kept as text, never as a number JSON or arithmetic cannot use (inf, nan, 1e400, 400 digits).
    answers.problems.append({"path": path, "positions": positions, "type": ftype, "problem": problem})
    return raw


def _typed(raw: str, ftype: str):
    if ftype == "int":
        return read_integer(raw)
    if ftype == "decimal":
        return read_decimal(raw)
    if ftype == "select_multiple":
        return raw.split()
    if ftype == "boolean":
        if raw in ("true", "1"):
            return True
        if raw in ("false", "0"):
            return False
        raise ValueError(raw)
    if ftype == "date":
        date.fromisoformat(raw)
    elif ftype == "dateTime":
        datetime.fromisoformat(raw)
    elif ftype == "time":
        time.fromisoformat(raw)
    return raw


def _encrypted_files(root: Element, answers: Answers) -> None:
    """An encrypted envelope names its parts: submission.xml.enc and one media/file each."""
    xml_file = child(root, "encryptedXmlFile")
    if xml_file is not None and (xml_file.text or "").strip():
        answers.files.append(xml_file.text.strip())
    for media in (c for c in root if isinstance(c.tag, str) and local_name(c.tag) == "media"):
        for f in media:
            if isinstance(f.tag, str) and (f.text or "").strip():
                answers.files.append(f.text.strip())
