"""Every statement assembled from metadata (queries/), rendered whole into tests/queries/golden/*.sql.

The statement ingest runs for a screening is put together from pieces (the version's INSERT built from
its table, the campaign rows from KEPT_FORMS, the change notes, the event): nowhere in the source does
it appear whole. Here it does, so a reader can read it and a change to it shows in the diff of its
golden file. After a deliberate change: UPDATE_GOLDEN=1 .venv/bin/pytest tests/queries, then review
the diff.
"""
import os
from pathlib import Path

import pytest
from sqlalchemy.dialects import postgresql

from app.queries import assessment, coverage, submissions

GOLDEN = Path(__file__).with_name("golden")


def _sql(statement) -> str:
    """The SQL text of a text() statement, or of a Core statement as PostgreSQL would be sent it."""
    text = getattr(statement, "text", None)
    if text is None:
        text = str(statement.compile(dialect=postgresql.dialect()))
    return "\n".join(line.rstrip() for line in text.strip().splitlines()) + "\n"


def _statements() -> dict:
    rendered = {}
    for form in (None, *coverage.KEPT_FORMS):
        for with_version in (True, False):
            name = f"store_{form or 'other_form'}{'_at_ingest' if with_version else '_at_recompute'}"
            rendered[name] = assessment.store_statement(form, with_version)
    rendered["insert_version_and_event"] = assessment.INSERT_VERSION_AND_EVENT
    rendered["assessment_context"] = assessment.CONTEXT
    rendered["register_household"] = assessment.REGISTER_HOUSEHOLD
    rendered["form_instance_and_context"] = submissions.FORM_INSTANCE_AND_CONTEXT
    for scope, statements in coverage.REBUILD.items():
        for n, statement in enumerate(statements, start=1):
            rendered[f"rebuild_{scope}_{n}"] = statement
    for scope, statements in coverage.ADDED_UP.items():
        for part, statement in statements.items():
            rendered[f"added_up_{scope}_{part}"] = statement
    for scope, statement in coverage.ROLL_UP.items():
        rendered[f"roll_up_{scope}"] = statement
    return {name: _sql(statement) for name, statement in rendered.items()}


STATEMENTS = _statements()


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_the_statement_reads_as_its_golden_file(name):
    golden = GOLDEN / f"{name}.sql"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(STATEMENTS[name])
    assert golden.exists(), f"no golden file for {name}: run with UPDATE_GOLDEN=1 and review it"
    assert STATEMENTS[name] == golden.read_text()


def test_no_golden_file_is_left_without_its_statement():
    assert sorted(p.stem for p in GOLDEN.glob("*.sql")) == sorted(STATEMENTS)
