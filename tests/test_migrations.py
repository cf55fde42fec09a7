"""The migrations build exactly the tables the models describe (warehouse's bin/db-check)."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Integer, MetaData, Table


def _differences(app, metadata) -> list:
    """What autogenerate would write to bring the migrated test database to `metadata`, less the
    removal of PostGIS's own spatial_ref_sys, which lives in the same schema but is not ours."""
    from app.extensions import db
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return [d for d in compare_metadata(context, metadata)
                if not (d[0] == "remove_table" and d[1].name == "spatial_ref_sys")]


def test_autogenerate_finds_nothing_to_change(app):
    from app.extensions import db
    assert _differences(app, db.metadata) == []


def test_the_check_sees_a_model_the_migrations_lack(app):
    from app.extensions import db
    drifted = MetaData()
    for table in db.metadata.tables.values():
        table.to_metadata(drifted)
    Table("not_migrated", drifted, Column("id", Integer, primary_key=True))
    assert [d[0] for d in _differences(app, drifted)] == ["add_table"]
