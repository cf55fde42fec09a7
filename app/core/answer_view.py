"""A submission's answers as people read them: each question's label and its answer's label (select
choices), groups flattened in form order, repeats as tables, personal answers masked unless shown.

Pure: the typed answers (as ingest stored them: nested by group and repeat) and the form's labels
(core.xform_labels) in, a list of items out. Metadata (meta, start, end, today) and fields the form
does not label (calculations, hidden fields) are left out; a repeat's column is kept when any of its
rows answered it. For a reader who may not see personal data, an ID number's or phone's answer is masked
whole, and any other answer has the ID numbers and phones written into it masked (a resident's story:
'户主身份证号…, 电话…').
"""
from dataclasses import dataclass, field

from .personal_fields import is_personal, mask_answer, mask_in_text
from .xform_labels import FormLabels

_METADATA = ("meta", "start", "end", "today", "deviceid", "username", "instanceID")


@dataclass(frozen=True)
class Answer:
    path: str
    label: str
    value: str


@dataclass(frozen=True)
class RepeatTable:
    path: str
    label: str
    columns: list[str] = field(default_factory=list)     # labels
    rows: list[list[str]] = field(default_factory=list)


def answer_items(answers: dict, labels: FormLabels, *, show_personal: bool,
                 root: str = "/data") -> list[Answer | RepeatTable]:
    """The items to show, in the form's order (stored answers are JSONB, whose keys come shortest first); a
    personal answer (core.personal_fields) is masked, and the numbers shaped like one in any other answer,
    unless `show_personal`."""
    items: list[Answer | RepeatTable] = []
    for name, value in sorted(answers.items(), key=lambda item: labels.position(f"{root}/{item[0]}")):
        if name in _METADATA:
            continue
        path = f"{root}/{name}"
        if isinstance(value, dict):
            items += answer_items(value, labels, show_personal=show_personal, root=path)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            items.append(_table(path, value, labels, show_personal))
        elif (text := _text(path, name, value, labels, show_personal)) is not None:
            items.append(Answer(path, labels.label(path), text))
    return items


def _text(path: str, name: str, value, labels: FormLabels, show_personal: bool) -> str | None:
    if value in (None, "", []) or path not in labels.fields:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)               # 18000, not 18000.0: amounts are read by people here
    text = (", ".join(labels.choice(path, str(v)) for v in value) if isinstance(value, list)
            else labels.choice(path, str(value)))
    if show_personal:
        return text
    return mask_answer(name, text) if is_personal(name) else mask_in_text(text)


def _table(path: str, entries: list[dict], labels: FormLabels, show_personal: bool) -> RepeatTable:
    rows = [{a.path: a.value for a in answer_items(entry, labels, show_personal=show_personal, root=path)
             if isinstance(a, Answer)} for entry in entries]
    columns = list(dict.fromkeys(p for row in rows for p in row))
    return RepeatTable(path, labels.label(path), [labels.label(p) for p in columns],
                       [[row.get(p, "") for p in columns] for row in rows])
