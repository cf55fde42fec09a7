"""Values from outside checked against the column that stores them (or is compared with them), before SQL.

PostgreSQL refuses a string longer than its varchar(n) column (SQLSTATE 22001) and an integer beyond its
column's type (22003), and psycopg refuses text holding NUL; each would surface as a 500, which tells
ODK Collect to retry forever. Here they become a 400 naming the field, as ODK Central answers
(400.13 "Length of value too long for a field", 400.22 for a number out of range for its type), or a
lookup that finds nothing. Limits are read from the model's columns at each call, so a migration that
changes a column cannot leave a stale copy of its size behind.

Identifiers (form IDs, household ids, campaign and device account names, emails) are compared and
stored in Unicode NFC: the same name typed on two keyboards (a precomposed é, or e and a combining
accent) is one name.

`guard_flushes` is the backstop for the ORM: nothing flushed may break a column's limits, whichever
service wrote it. Core inserts (imports, ingest) are checked by the services that build them.
"""
import unicodedata
from dataclasses import dataclass

from sqlalchemy import BigInteger, Integer, SmallInteger, String, event, inspect
from sqlalchemy.orm import Session

from ..models import (
    Actor,
    AdminUnit,
    Campaign,
    Form,
    FormAttachment,
    FormVersion,
    Household,
    Lead,
    Project,
    Submission,
    SubmissionAssessment,
    SubmissionVersion,
    User,
)
from ..problems import unexpected_value, value_out_of_range, value_too_long


def nfc(value: str) -> str:
    """Unicode Normalization Form C (UAX #15): one code point sequence per visible name."""
    return unicodedata.normalize("NFC", value)


def _column(column):
    """The Column behind a model attribute (Form.xml_form_id) or a Column itself."""
    prop = getattr(column, "property", None)
    return prop.columns[0] if prop is not None else column


def string_length(column) -> int | None:
    """The n of a varchar(n) column, in characters (as PostgreSQL and len() count them); None if unbounded."""
    column_type = _column(column).type
    return getattr(getattr(column_type, "item_type", column_type), "length", None)


def integer_range(column) -> tuple[int, int]:
    """The values a PostgreSQL integer column holds: smallint, integer or bigint (two's complement)."""
    column_type = _column(column).type
    bits = 64 if isinstance(column_type, BigInteger) else 16 if isinstance(column_type, SmallInteger) else 32
    return -2 ** (bits - 1), 2 ** (bits - 1) - 1


@dataclass(frozen=True)
class TextField:
    """A string from outside, with every column it is stored in or compared with."""
    name: str                    # as the request or the file names it: xmlFormId, household_id
    label: str                   # as a message names it: "form ID"
    columns: tuple
    identifier: bool = False     # compared and stored in NFC
    plural: str | None = None    # when label + "s" is not the plural

    @property
    def limit(self) -> int:
        return min(string_length(c) for c in self.columns)

    def clean(self, value: str) -> str:
        """The value as stored (NFC for identifiers); Problem 400.13 if too long, 400.8 if it holds NUL."""
        value = nfc(value) if self.identifier else value
        if "\x00" in value:
            raise unexpected_value(self.name, f"The {self.label} contains a NUL character.")
        if len(value) > self.limit:
            raise value_too_long(self.name, self.label, self.limit, len(value), self.plural)
        return value

    def row_problem(self, value: str) -> str | None:
        """What is wrong with the value, for an import's list of row errors; None if it fits."""
        if "\x00" in value:
            return f"{self.name} contains a NUL character"
        if len(value) > self.limit:
            return f"{self.name} is {len(value)} characters long; at most {self.limit} fit"
        return None


@dataclass(frozen=True)
class IdField:
    """A row id from outside (a URL, a query, a command line)."""
    name: str
    label: str                   # "project": for "There is no project 7."
    column: object

    def fits(self, value: int) -> bool:
        low, high = integer_range(self.column)
        return low <= value <= high

    def parse(self, text: str) -> int | None:
        """The id written in ASCII digits, if it can be one; None otherwise.

        str.isdigit and int() also accept other scripts' digits ('１', '١'), which would open row 1.
        """
        if not (text.isascii() and text.isdigit()) or len(text) > 20:
            return None
        value = int(text)
        return value if self.fits(value) else None


XML_FORM_ID = TextField("xmlFormId", "form ID", (Form.xml_form_id, SubmissionAssessment.xml_form_id,
                                                Campaign.form_ids), identifier=True)
FORM_VERSION = TextField("version", "form version", (FormVersion.version,))
FORM_TITLE = TextField("title", "form title", (FormVersion.title,))
FORM_FILE_NAME = TextField("fileName", "form file name", (FormVersion.source_name,))
MEDIA_FILE_NAME = TextField("name", "media file name", (FormAttachment.name,))
PROJECT_NAME = TextField("name", "project name", (Project.name,))
# A user's email is also the actor's display name.
EMAIL = TextField("email", "email address", (User.email, Actor.display_name), identifier=True,
                  plural="email addresses")
DEVICE_ACCOUNT_NAME = TextField("displayName", "device account name", (Actor.display_name,), identifier=True)
CAMPAIGN_NAME = TextField("name", "campaign name", (Campaign.name,), identifier=True)
PLACE_NAME = TextField("name", "place name", (AdminUnit.name,))
PLACE_CODE = TextField("code", "place code", (AdminUnit.code,), identifier=True)
HOUSEHOLD_ID = TextField("household_id", "household id", (Household.household_code,), identifier=True)
HOUSEHOLD_HEAD_NAME = TextField("head_name", "head name", (Household.head_name,))
INSTANCE_ID = TextField("instanceId", "instance ID", (Submission.instance_id,))
DRAFT_TOKEN = TextField("token", "draft test code", (Form.draft_token,))
def has_control_characters(text: str) -> bool:
    """Whether a name holds a control character (Unicode category Cc: line breaks, tabs, escapes, U+0001)."""
    return any(unicodedata.category(c) == "Cc" for c in text)


DEVICE_ID = TextField("deviceID", "device ID", (SubmissionVersion.device_id,))
# A submission's own identifiers, as its meta block names them.
SUBMITTED_INSTANCE_ID = TextField("instanceID", "instanceID", (SubmissionVersion.instance_id, Submission.instance_id))
DEPRECATED_ID = TextField("deprecatedID", "deprecatedID", (SubmissionVersion.deprecated_id,))

PROJECT_ID = IdField("projectId", "project", Project.id)
CAMPAIGN_ID = IdField("campaign", "campaign", Campaign.id)
ACTOR_ID = IdField("actorId", "account", Actor.id)
HOUSEHOLD_ROW = IdField("household", "household", Household.id)      # the opaque id map tiles carry
LEAD_ID = IdField("lead", "lead", Lead.id)


def guard_flushes(session_class=Session) -> None:
    """Check every string and integer the ORM is about to write against its column (installs once)."""
    if not event.contains(session_class, "before_flush", _check_flush):
        event.listen(session_class, "before_flush", _check_flush)


def _check_flush(session, flush_context, instances) -> None:
    for obj in list(session.new) + list(session.dirty):
        state = inspect(obj)
        for attr in state.mapper.column_attrs:
            value = state.dict.get(attr.key)   # only what is loaded: never a lazy load in a flush
            if value is not None:
                _check_value(attr.columns[0], value)


def _check_value(column, value) -> None:
    field = f"{column.table.name}.{column.name}"
    label = column.name.replace("_", " ")
    if isinstance(value, str) and isinstance(column.type, String):
        if "\x00" in value:
            raise unexpected_value(field, f"The {label} contains a NUL character.")
        limit = column.type.length
        if limit is not None and len(value) > limit:
            raise value_too_long(field, label, limit, len(value))
    elif isinstance(value, int) and not isinstance(value, bool) and isinstance(column.type, Integer):
        low, high = integer_range(column)
        if not low <= value <= high:
            raise value_out_of_range(field, label, low, high)

