"""Migrations: one head, upgrade/downgrade/upgrade on this database, and models that match them.

Runs on SQLite and, in `make test`'s second pass, on PostgreSQL (TEST_DATABASE_URL).
"""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

import lms.models  # noqa: F401 - every model registered on the metadata
from lms import create_app
from lms.extensions import NAMING_CONVENTION, db
from tests.ops.support import MIGRATIONS, empty_database, run_migrations


@pytest.fixture
def empty_app(tmp_path, content_dir, monkeypatch):
    """An app on an empty database: no create_all, the migrations build everything."""
    monkeypatch.setenv("LMS_ENV", "testing")
    with empty_database(tmp_path) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LMS_CONTENT_DIR": str(content_dir)})
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()


def tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_migrations_have_exactly_one_head():
    heads = ScriptDirectory(MIGRATIONS).get_heads()
    assert len(heads) == 1, f"several heads {heads}: merge them (flask db merge heads)"


def test_upgrade_downgrade_and_upgrade_again(empty_app):
    run_migrations("upgrade", "head")
    built = tables()
    assert built and built <= set(db.metadata.tables)
    assert empty_app.test_client().get("/readyz").status_code == 200
    run_migrations("downgrade", "base")
    assert tables() == set()
    run_migrations("upgrade", "head")
    assert tables() == built
    assert empty_app.test_client().get("/readyz").status_code == 200


def test_every_migration_steps_down_and_up_again(empty_app):
    # One step at a time, so a downgrade that only works from head is caught too.
    revisions = list(reversed(list(ScriptDirectory(MIGRATIONS).walk_revisions())))
    for revision in revisions:
        run_migrations("upgrade", revision.revision)
        run_migrations("downgrade", revision.down_revision or "base")
        run_migrations("upgrade", revision.revision)
    assert empty_app.test_client().get("/readyz").status_code == 200


def test_models_match_the_migrations(empty_app):
    # Fails while a model change waits for its migration: `flask db migrate`, then tidy.
    run_migrations("upgrade", "head")
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert not differences, "models and migrations differ:\n" + "\n".join(
        describe(difference) for difference in differences
    )


def installed_triggers() -> dict[str, str]:
    """Return {trigger name: definition} as the database reports them."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            rows = connection.execute(
                text(
                    "SELECT t.tgname, pg_get_triggerdef(t.oid) || ' ' || p.prosrc"
                    " FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid"
                    " JOIN pg_class c ON c.oid = t.tgrelid"
                    " WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace"
                )
            )
        else:
            rows = connection.execute(
                text(
                    "SELECT name, replace(sql, 'IF NOT EXISTS ', '') FROM sqlite_master"
                    " WHERE type = 'trigger'"
                )
            )
        return {name: " ".join(definition.split()) for name, definition in rows}


def test_the_migrations_install_the_triggers_the_models_do(empty_app):
    # The migration holds a copy of lms.models.revisions; they must not drift apart.
    run_migrations("upgrade", "head")
    migrated = installed_triggers()
    run_migrations("downgrade", "base")
    assert installed_triggers() == {}
    db.create_all()
    assert migrated and installed_triggers() == migrated


def describe(difference) -> str:
    # Alembic gives ("add_table", Table) tuples, or lists of them for column changes.
    if isinstance(difference, list):
        return "; ".join(describe(item) for item in difference)
    kind, *rest = difference
    return " ".join([kind, *(getattr(item, "name", None) or str(item) for item in rest[:3])])


def test_constraints_are_named_by_the_convention(empty_app):
    run_migrations("upgrade", "head")
    inspector = inspect(db.engine)
    prefixes = {kind: pattern.split("_%")[0] + "_" for kind, pattern in NAMING_CONVENTION.items()}
    unnamed = []
    for table in tables():
        for fk in inspector.get_foreign_keys(table):
            if not (fk["name"] or "").startswith(prefixes["fk"]):
                unnamed.append(
                    f"{table}: foreign key {fk['constrained_columns']} is {fk['name']!r}"
                )
        for unique in inspector.get_unique_constraints(table):
            if not (unique["name"] or "").startswith(prefixes["uq"]):
                unnamed.append(f"{table}: unique {unique['column_names']} is {unique['name']!r}")
        for check in inspector.get_check_constraints(table):
            if not (check["name"] or "").startswith(prefixes["ck"]):
                unnamed.append(f"{table}: check {check['sqltext']!r} is {check['name']!r}")
    assert unnamed == []
