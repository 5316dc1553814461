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


def test_an_unedited_default_investigating_text_takes_the_new_default(ctx):
    """The stored default that claimed other services work normally is replaced by the one
    that says so only when it is true; a text the admin edited stays as written."""
    from app.messages.defaults import INCIDENT
    from app.models import Audience, MessageTemplate, State

    new = INCIDENT[(State.investigating, Audience.external)][1]
    old = new.replace(
        "{% if not also_affected %} Other services are working normally.{% endif %}",
        " Other services are working normally.",
    )
    edited = old + " Call us."
    downgrade(revision="5b1e0c7d9a42")
    rows = [("Default", old), ("Ours", edited)]
    with db.engine.begin() as conn:
        for name, body in rows:
            conn.execute(
                db.insert(MessageTemplate.__table__).values(
                    name=name, kind="incident", state="investigating", audience="external",
                    subject="", body=body, created_at=db.func.now(), updated_at=db.func.now(),
                )
            )  # fmt: skip
    upgrade()
    with db.engine.connect() as conn:
        stored = dict(conn.execute(db.select(MessageTemplate.name, MessageTemplate.body)).all())
    assert stored == {"Default": new, "Ours": edited}
    downgrade(revision="5b1e0c7d9a42")
    with db.engine.connect() as conn:
        stored = dict(conn.execute(db.select(MessageTemplate.name, MessageTemplate.body)).all())
    assert stored == {"Default": old, "Ours": edited}
    upgrade()


def test_unedited_defaults_that_claimed_too_much_take_the_new_defaults(ctx):
    """The stored defaults with empty "- Cause:" lines, "No data was lost." and the dead
    postmortem link are replaced by the new ones; a text the admin edited stays as written."""
    import importlib

    from app.messages.defaults import INCIDENT
    from app.models import Audience, MessageTemplate, State

    migration = importlib.import_module(
        "migrations.versions.20261203_8e3b5d1f2a60_text_checks_and_defaults"
    )
    olds = {(state, audience): old for _, state, audience, old, _ in migration.CHANGED}
    resolved_old = olds[("resolved", "external")]
    assert "No data was lost." in resolved_old
    downgrade(revision="3e7a1c9b5d20")
    with db.engine.begin() as conn:
        for name, body in (("Default", resolved_old), ("Ours", resolved_old + " Call us.")):
            conn.execute(
                db.insert(MessageTemplate.__table__).values(
                    name=name, kind="incident", state="resolved", audience="external",
                    subject="", body=body, created_at=db.func.now(), updated_at=db.func.now(),
                )
            )  # fmt: skip
    upgrade()
    with db.engine.connect() as conn:
        stored = dict(conn.execute(db.select(MessageTemplate.name, MessageTemplate.body)).all())
    new = INCIDENT[(State.resolved, Audience.external)][1]
    assert stored == {"Default": new, "Ours": resolved_old + " Call us."}
    assert {kind for kind, *_ in migration.CHANGED} == {"incident"}
    assert all(
        INCIDENT[(State(state), Audience(audience))][1] == new_body
        for _, state, audience, _, new_body in migration.CHANGED
    )


def test_unedited_maintenance_defaults_with_instructions_take_the_factual_ones(ctx):
    """The tick posts the completion text unseen: a stored default that says "Note any
    follow-ups here." becomes the factual one; a text the admin edited stays as written."""
    import importlib

    from app.messages.defaults import MAINTENANCE
    from app.models import Audience, MessageTemplate, State

    migration = importlib.import_module(
        "migrations.versions.20261203_a1d4c7e9f203_maintenance_texts_say_facts"
    )
    [old] = [o for _, s, a, o, _ in migration.CHANGED if (s, a) == ("completed", "internal")]
    assert "here." in old
    downgrade(revision="8e3b5d1f2a60")
    with db.engine.begin() as conn:
        for name, body in (("Default", old), ("Ours", old + " Thanks all.")):
            conn.execute(
                db.insert(MessageTemplate.__table__).values(
                    name=name, kind="maintenance", state="completed", audience="internal",
                    subject="", body=body, created_at=db.func.now(), updated_at=db.func.now(),
                )
            )  # fmt: skip
    upgrade()
    with db.engine.connect() as conn:
        stored = dict(conn.execute(db.select(MessageTemplate.name, MessageTemplate.body)).all())
    new = MAINTENANCE[(State.completed, Audience.internal)][1]
    assert stored == {"Default": new, "Ours": old + " Thanks all."}
    assert all(
        MAINTENANCE[(State(state), Audience(audience))][1] == new_body
        for _, state, audience, _, new_body in migration.CHANGED
    )
