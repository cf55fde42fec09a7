"""A form's answers as flat tables, the shape exports and OData share: one table for the submissions and one
per repeat, joined by keys, as ODK Central lays them out (its CSV export: `KEY`, `PARENT_KEY`).

Columns come from the form version's stored schema (core.xform), in form order. A field inside groups is
named by its path below the root joined with '-' (`hh_g-head_name`), as Central names CSV columns; a
geopoint gives four columns (`-Latitude`, `-Longitude`, `-Altitude`, `-Accuracy`). A repeat's rows have
the key `PARENT_KEY/name[n]` (n from 1), the submission's key being its instanceID.

Pure: a form version's schema in, the tables' layouts out; queries.exports turns each into the SQL that
writes its rows. ID numbers and phones (core.personal_fields) are marked to be masked.
"""
from dataclasses import dataclass, field

from .personal_fields import is_personal

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
