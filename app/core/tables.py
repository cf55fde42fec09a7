"""A form's answers as flat tables, the shape exports and OData share: one table for the submissions and one
per repeat, joined by keys, as ODK Central lays them out (its CSV export: `KEY`, `PARENT_KEY`).

Columns come from the form version's stored schema (core.xform), in form order. A field inside groups is
named by its path below the root joined with '-' (`hh_g-head_name`), as Central names CSV columns; a
geopoint gives four columns (`-Latitude`, `-Longitude`, `-Altitude`, `-Accuracy`). A repeat's rows have
the key `PARENT_KEY/name[n]` (n from 1), the submission's key being its instanceID.

Pure: the schema and the typed answers in (as ingest stored them: groups nested, repeats as lists),
rows of text out. ID numbers and phones (core.personal_fields) are masked unless shown.
"""
from collections.abc import Iterator
from dataclasses import dataclass, field

from .personal_fields import is_personal, mask_answer

GEOPOINT_PARTS = ("Latitude", "Longitude", "Altitude", "Accuracy")


@dataclass(frozen=True)
class Column:
    header: str                  # hh_g-head_name, or gps-Latitude for a part of a geopoint
    path: str                    # the field's path, /data/hh_g/head_name
    type: str
    part: int | None = None      # which of GEOPOINT_PARTS
    personal: bool = False


@dataclass(frozen=True)
class Table:
    name: str                    # the form id, or form id-repeat name ("fpf_hh_screening-member")
    repeat: str | None           # the repeat's path; None for the submissions' table
    columns: list[Column] = field(default_factory=list)


def tables(xml_form_id: str, schema: dict) -> list[Table]:
    """The submissions' table, then one per repeat (outer repeats first), each with its columns."""
    root = "/" + schema.get("root", "data")
    repeats = list(schema.get("repeats", []))
    layouts = [Table(xml_form_id, None)] + [Table(f"{xml_form_id}-{r.rsplit('/', 1)[1]}", r) for r in repeats]
    by_repeat = {t.repeat: t for t in layouts}
    for f in schema.get("fields", []):
        if f["type"] in ("note",) or f["path"] in repeats:
            continue
        owner = f.get("repeat")
        table = by_repeat.get(owner)
        if table is None:
            continue
        below = f["path"][len(owner or root) + 1:]
        header = below.replace("/", "-")
        personal = is_personal(f["name"])
        if f["type"] == "geopoint":
            table.columns.extend(Column(f"{header}-{part}", f["path"], "geopoint", n, personal)
                                 for n, part in enumerate(GEOPOINT_PARTS))
        else:
            table.columns.append(Column(header, f["path"], f["type"], None, personal))
    return layouts


def cell(value, column: Column, *, show_personal: bool) -> str:
    """An answer as a CSV cell: '' for none, a select_multiple's values joined by spaces, a geopoint's part."""
    if value is None or value == "":
        return ""
    if column.part is not None:
        parts = str(value).split()
        return parts[column.part] if column.part < len(parts) else ""
    if isinstance(value, list):
        text = " ".join(str(v) for v in value)
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float) and value.is_integer() and column.type != "decimal":
        text = str(int(value))
    else:
        text = str(value)
    return mask_answer(column.path.rsplit("/", 1)[1], text) if column.personal and not show_personal else text


def value_at(answers: dict, path: str, base: str) -> object:
    """The answer at `path` (below `base`, the table's root or repeat path) in a nested answers object."""
    node = answers
    for name in path[len(base) + 1:].split("/"):
        if not isinstance(node, dict):
            return None
        node = node.get(name)
    return node


def repeat_entries(answers: dict, root: str, repeat: str, key: str,
                   repeats: list[str]) -> Iterator[tuple[dict, str, str]]:
    """(entry, its KEY, its PARENT_KEY) of each instance of `repeat` in a submission's answers whose key is
    `key`, through the repeats enclosing it (`repeats`: every repeat path of the form)."""
    outer = max((r for r in repeats if repeat.startswith(r + "/")), key=len, default=None)
    parents = repeat_entries(answers, root, outer, key, repeats) if outer else iter([(answers, key, None)])
    base = outer or root
    name = repeat.rsplit("/", 1)[1]
    for parent, parent_key, _ in parents:
        entries = value_at(parent, repeat, base)
        if isinstance(entries, dict):
            entries = [entries]
        for n, entry in enumerate(entries if isinstance(entries, list) else [], 1):
            if isinstance(entry, dict):
                yield entry, f"{parent_key}/{name}[{n}]", parent_key
