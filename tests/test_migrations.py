from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from app.extensions import db


def test_migrations_match_the_models(ctx):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == []


def test_migrations_go_down_to_empty_and_back_up(ctx):
    downgrade(revision="base")
    with db.engine.connect() as conn:
        assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
    upgrade()
    with db.engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
    assert {t.name for t in db.metadata.sorted_tables} <= tables
