"""The labels a form gives its questions and choices, in one of its languages, read from its XForm.

What people read beside an answer (a lead's report, a submission's page, export headers) is the form's
own wording, not the field's name: `form_labels` takes each control's label and each choice's, from the
itext translation of the language asked for (else the default translation, else the first), or from a
plain <label>. Choices come from a control's <item>s or from the secondary instance its itemset names
(pyxform's layout: instance('list')/root/item with name and itextId). Output inside a label (<output
value="..."/>) is left out. Pure: bytes in, dictionaries out.
"""
import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from .safexml import attribute, child, children, local_name, parse_untrusted

_ITEXT_REF = re.compile(r"""jr:itext\(\s*['"]([^'"]+)['"]\s*\)""")
_INSTANCE_NODESET = re.compile(r"""instance\(\s*['"]([^'"]+)['"]\s*\)/root/item""")
# Controls and groups (a repeat's label is its group's, whose ref is the repeat's path).
_CONTROLS = {"input", "select", "select1", "upload", "trigger", "range", "rank", "odk:rank", "group"}


@dataclass(frozen=True)
class FormLabels:
    fields: dict[str, str] = field(default_factory=dict)               # "/data/name" -> "申报人姓名"
    choices: dict[str, dict[str, str]] = field(default_factory=dict)   # "/data/relation" -> {"self": "本人(户主)"}

    def label(self, path: str) -> str:
        """The question's label, else the field's name."""
        return self.fields.get(path) or path.rsplit("/", 1)[-1]

    def choice(self, path: str, value: str) -> str:
        """A choice's label, else the value as sent."""
        return self.choices.get(path, {}).get(value, value)

    def position(self, path: str) -> int:
        """Where the question at `path`, or the first labelled one inside the group or repeat at `path`, comes
        in the form's body (0 first); len(fields) for a path the form labels nothing under."""
        inside = path + "/"
        return next((i for i, labelled in enumerate(self.fields) if labelled == path or labelled.startswith(inside)),
                    len(self.fields))


def form_labels(xml: bytes, language: str = "zh") -> FormLabels:
    """The labels of the XForm's controls and choices in `language` (a translation whose name holds it, as
    '中文 (zh)' holds 'zh'). Raises safexml.XmlRejected for a document that is not XML."""
    root = parse_untrusted(xml)
    head, body = child(root, "head"), child(root, "body")
    model = child(head, "model") if head is not None else None
    if model is None or body is None:
        return FormLabels()
    texts = _translation(model, language)
    instances = {attribute(i, "id"): i for i in children(model, "instance") if attribute(i, "id")}
    labels = FormLabels()
    for control in body.iter():
        name = local_name(control.tag)
        ref = attribute(control, "ref") or attribute(control, "nodeset")
        if name not in _CONTROLS or not ref:
            continue
        label = child(control, "label")
        if label is not None and (text := _text(label, texts)):
            labels.fields[ref] = text
        choices = {}
        for item in children(control, "item"):
            value = child(item, "value")
            if value is not None and value.text is not None:
                choices[value.text.strip()] = _text(child(item, "label"), texts) or value.text.strip()
        itemset = child(control, "itemset")
        if itemset is not None:
            choices |= _itemset_choices(itemset, instances, texts)
        if choices:
            labels.choices[ref] = choices
    return labels


def _translation(model: Element, language: str) -> dict[str, str]:
    """itext id -> text in the translation chosen for `language`."""
    itext = child(model, "itext")
    translations = children(itext, "translation") if itext is not None else []
    if not translations:
        return {}
    chosen = (next((t for t in translations if language in (attribute(t, "lang") or "")), None)
              or next((t for t in translations if attribute(t, "default")), None) or translations[0])
    texts = {}
    for text in children(chosen, "text"):
        values = children(text, "value")
        plain = [v for v in values if not attribute(v, "form")] or values
        if plain and attribute(text, "id"):
            texts[attribute(text, "id")] = _inner_text(plain[0])
    return texts


def _text(label: Element | None, texts: dict[str, str]) -> str:
    if label is None:
        return ""
    ref = attribute(label, "ref")
    found = _ITEXT_REF.fullmatch(ref.strip()) if ref else None
    return texts.get(found.group(1), "") if found else _inner_text(label)


def _itemset_choices(itemset: Element, instances: dict[str, Element], texts: dict[str, str]) -> dict[str, str]:
    found = _INSTANCE_NODESET.match(attribute(itemset, "nodeset") or "")
    instance = instances.get(found.group(1)) if found else None
    value_ref = attribute(child(itemset, "value"), "ref") if child(itemset, "value") is not None else None
    label = child(itemset, "label")
    label_ref = attribute(label, "ref") if label is not None else None
    if instance is None or not value_ref:
        return {}
    root = next((e for e in instance if isinstance(e.tag, str)), None)
    choices = {}
    for item in (root if root is not None else []):
        value = child(item, value_ref)
        if value is None or value.text is None:
            continue
        text = ""
        if label_ref == "jr:itext(itextId)" and (key := child(item, "itextId")) is not None:
            text = texts.get((key.text or "").strip(), "")
        elif label_ref and (plain := child(item, label_ref)) is not None:
            text = _inner_text(plain)
        choices[value.text.strip()] = text or value.text.strip()
    return choices


def _inner_text(element: Element) -> str:
    """The element's text without its <output/>s, spaces collapsed."""
    parts = [element.text or ""]
    for sub in element:
        parts.append(sub.tail or "")
    return " ".join("".join(parts).split())
