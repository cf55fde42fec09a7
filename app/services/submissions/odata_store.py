"""OData rows kept ahead of reads (issue 16: a read of a county at 30,000 submissions/s): in the background,
each submission's rows of each OData table are written once from its current version, for callers with and
without the right to read personal data, and kept in odata_row (queries/odata_store.py). A read of the full
shape (no $select, $expand or $wkt) hands the kept text on, and writes from the answers only the rows not kept
yet, or kept from another version or another tree of fields (queries/odata.py): a row missing or stale makes a
read slower, never different. An export's CSV lines and Excel rows are kept the same way, in the same walk
(queries/export_lines.py), under a key of the form's export columns.

The writer walks each form's submissions by current version id, remembering how far it has come
(odata_store.written_through): a new submission or an edit has a new, higher version id, so it is reached in
its turn. A form whose fields change (a new version with another tree) has another writer key and is walked
again from the start. Versions received in the last minute are left to a later round: a transaction still
open may yet commit a lower version id, which a walk already past it would never write (it would be read
written from the answers: slower, not wrong).
"""
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, delete, func, select, text
from sqlalchemy.exc import DBAPIError

from ...core.odata_schema import Node, find_table, odata_tree, tables
from ...core.tables import tables as csv_tables
from ...extensions import db
from ...models import Form, FormVersion, OdataRow, OdataStore, Submission, SubmissionVersion
from ...queries.export_lines import STYLES, keep_source, layout_key, table_path
from ...queries.odata_store import keep, keep_rows

log = logging.getLogger(__name__)

# Bump when the writer in queries/odata.py writes any row differently: every kept row is then stale.
WRITER_VERSION = "1"
BATCH = 500
# A version is written once this much older than the database's clock: ingest stamps it with the app's clock
# before its transaction writes it, and an upload with photos may take a while to commit.
SETTLE = timedelta(seconds=60)


def tree_key(tree: Node) -> str:
    """The writer key of a tree of fields: a SHA-1 (40 hex digits) of every node's path, kind and type, and
    of WRITER_VERSION. Two form versions with the same fields have the same key, so their rows stay kept."""
    nodes = [[n.path, n.kind, n.type] for n in tree.walk()]
    return hashlib.sha1(json.dumps([WRITER_VERSION, tree.path, nodes]).encode()).hexdigest()


# Advisory locks of the keepers (transaction-level; first key "Kept", second a form id, or 0 for all): a batch
# holds its form's exclusively, so two keepers (the job runner's, the CLI's) never write one form at once, and
# every form's shared through 0; forget_kept holds 0 exclusively. Readers take none: they never wait on these.
KEEP_LOCKS = 0x4B657074
_LOCK_BATCH = text(f"SELECT pg_advisory_xact_lock_shared({KEEP_LOCKS}, 0), pg_advisory_xact_lock({KEEP_LOCKS}, :form)")
_LOCK_ALL = text(f"SELECT pg_advisory_xact_lock({KEEP_LOCKS}, 0)")


def keep_due(max_submissions: int = 4 * BATCH, settle: timedelta | None = None) -> int:
    """Write the rows of up to `max_submissions` submissions whose current version has none kept with its
    form's key yet, a batch per transaction, leaving those received less than `settle` (default SETTLE) ago;
    returns how many submissions were written."""
    settle = SETTLE if settle is None else settle
    done = 0
    forms = db.session.execute(
        select(Form.id, Form.xml_form_id, FormVersion.schema)
        .join(FormVersion, FormVersion.id == Form.current_version_id)
        .where(select(Submission.id).where(Submission.form_id == Form.id).exists())
        .order_by(Form.id)).all()
    db.session.rollback()
    for form_id, xml_form_id, schema in forms:
        form = _Kept(form_id, schema, odata_tree(schema), csv_tables(xml_form_id, schema))
        key = form.walk_key()
        try:
            while done < max_submissions:
                written = _keep_batch(form, key, min(BATCH, max_submissions - done), settle)
                if not written:
                    break
                done += written
        except DBAPIError:
            # A form's batch that failed (its submissions deleted under it, a lock waited out) is tried again
            # next round; the other forms go on.
            db.session.rollback()
            log.warning("OData rows of form %s not written this round", form_id, exc_info=True)
    return done


def forget_kept() -> None:
    """Forget every kept row and how far each form's walk had come: everything is written again.

    Under the keepers' lock of all forms (KEEP_LOCKS, 0): a DELETE beside a keeper's upserts locked the same
    rows in another order, and the two deadlocked (CI: test_two_keepers_at_once); a keeper's next batch then
    reads that its walk was forgotten and starts again. Reads go on meanwhile (a TRUNCATE would have made them
    wait for the longest export under way).
    """
    db.session.execute(_LOCK_ALL)
    db.session.execute(delete(OdataStore))
    db.session.execute(delete(OdataRow))
    db.session.commit()


@dataclass(frozen=True)
class _Kept:
    """What is kept of one form's submissions: its OData tree and its CSV tables."""
    form_id: int
    schema: dict
    tree: Node
    layouts: list

    @property
    def root(self) -> str:
        return "/" + self.schema.get("root", "data")

    @property
    def repeats(self) -> list[str]:
        return list(self.schema.get("repeats", []))

    def line_keys(self) -> list[str]:
        """The writer key of each style of export line (export_lines.STYLES, in order)."""
        return [layout_key(self.layouts, self.repeats, style) for style in STYLES]

    def walk_key(self) -> str:
        """The key of the walk: every writer's key, so that a change of any writes everything again."""
        return hashlib.sha1("".join([tree_key(self.tree), *self.line_keys()]).encode()).hexdigest()


def _keep_batch(form: "_Kept", key: str, limit: int, settle: timedelta) -> int:
    """Write the next `limit` submissions of the form after where its walk under `key` has come (read under
    the form's lock, so a walk forgotten or taken further by another keeper meanwhile is seen); how many."""
    form_id = form.form_id
    db.session.execute(_LOCK_BATCH, {"form": form_id})
    store = db.session.get(OdataStore, form_id, populate_existing=True)
    through = store.written_through if store is not None and store.writer_key == key else 0
    now = db.session.scalar(select(func.now()))
    # Test submissions (to a draft) are never read through OData, and a publish deletes them.
    due = db.session.execute(
        select(Submission.id, Submission.current_version_id, SubmissionVersion.received_at)
        .join(SubmissionVersion, SubmissionVersion.id == Submission.current_version_id)
        .where(Submission.form_id == form_id, Submission.current_version_id > through,
               Submission.is_draft.is_(False))
        .order_by(Submission.current_version_id).limit(limit)).all()
    settled = []
    for row in due:
        if row.received_at > now - settle:
            break          # this one and every later one wait for the next round
        settled.append(row)
    if settled:
        last = settled[-1].current_version_id
        connection = db.session.connection()
        for statement in _statements(form, key):
            connection.execute(statement, {"through": through, "last": last})
        through = last
    if store is None or (store.writer_key, store.written_through) != (key, through):
        _remember(store, form_id, key, through)      # a new key is remembered even with nothing due yet
    db.session.commit()
    return len(settled)


# The keeping statements of the forms walked lately, by (form id, walk key): a form's dozen statements, each of
# hundreds of cells, took SQLAlchemy ~1 s to build and compile for each batch of 500, half the time a county's
# rows took to keep (scripts/bench_export.py). Built once, they are compiled once and run with each range.
_BUILT: dict[tuple[int, str], list] = {}
_BUILT_AT_MOST = 64


def _statements(form: "_Kept", key: str) -> list:
    """The statements that keep a batch of the form's submissions (its current versions in the range of the
    parameters `through` < id <= `last`): OData's rows of each table, then the export lines of each style and
    table, for readers with and without the right to read personal data."""
    built = _BUILT.get((form.form_id, key))
    if built is not None:
        return built
    # The batch as a range of the (form, current version) index: a list of ids in the statement was checked
    # against every submission the newest-first walk read (1.5 s for 500 of 30,000).
    where = [Submission.form_id == form.form_id, Submission.current_version_id > bindparam("through"),
             Submission.current_version_id <= bindparam("last"), Submission.is_draft.is_(False)]
    odata_key, line_keys = tree_key(form.tree), form.line_keys()
    built = []
    for personal in (True, False):
        built += [keep_rows(form.tree, table, where, personal=personal, key=odata_key)
                  for table in readable_tables(form.tree)]
        built += [keep(keep_source(layout, form.repeats, where, form.root, personal, style),
                       table_path(layout, form.root, style), personal=personal, key=line_key)
                  for style, line_key in zip(STYLES, line_keys) for layout in form.layouts]
    if len(_BUILT) >= _BUILT_AT_MOST:
        _BUILT.clear()
    _BUILT[(form.form_id, key)] = built
    return built


def readable_tables(tree: Node) -> list[Node]:
    """The tables a read can name: two repeats whose names are one once sanitized for OData (r-1, r_1) are one
    table name, which reads the first of them (core.odata_schema.find_table); the other is never read."""
    return [table for table in tables(tree) if find_table(tree, table.table_name()) is table]


def _remember(store: OdataStore | None, form_id: int, key: str, through: int) -> None:
    if store is None:
        db.session.add(OdataStore(form_id=form_id, writer_key=key, written_through=through))
    else:
        store.writer_key, store.written_through = key, through
