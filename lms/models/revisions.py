"""`users.training_rev`: a number that changes whenever anything on a person's own pages may have.

Database triggers keep it, so no write can forget to: every insert, update or delete
of a row in `TRAINING_TABLES` raises the revision of the person the row belongs to
(both people, should a row ever move between them), and any change to the modules
or their versions raises everyone's (titles, bodies and quizzes are on every page).
The learner's pages are cached under it (`lms.pagecache`): a page rendered at
revision N is served again only while the person is still at N, on the same day.

Triggers rather than application hooks because bulk `UPDATE`s (renewal, transfers,
retraining) bypass ORM events, and a cache that can be stale is worse than none.
The migration that installs them (`ac6af624a66e`) holds a copy of these statements,
as migrations must: this module is what `db.create_all()` installs today.
"""

from __future__ import annotations

from sqlalchemy import event

from lms.extensions import db

TRAINING_TABLES = ("assignments", "attempts", "attestations", "completions", "certificates")
CONTENT_TABLES = ("modules", "module_versions")

_BUMP = "UPDATE users SET training_rev = training_rev + 1"

POSTGRESQL_FUNCTIONS = [
    f"""CREATE OR REPLACE FUNCTION attest_bump_training_rev() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {_BUMP} WHERE id = NEW.user_id;
  ELSIF TG_OP = 'DELETE' THEN
    {_BUMP} WHERE id = OLD.user_id;
  ELSE
    {_BUMP} WHERE id IN (OLD.user_id, NEW.user_id);
  END IF;
  RETURN NULL;
END $$""",
    f"""CREATE OR REPLACE FUNCTION attest_bump_all_training_revs() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  {_BUMP};
  RETURN NULL;
END $$""",
]


def create_statements(dialect: str) -> list[str]:
    """Return the DDL that installs the triggers on this dialect ("sqlite" or "postgresql").

    Each statement may run again harmlessly (PostgreSQL 14 or later for `OR REPLACE TRIGGER`).
    """
    if dialect == "postgresql":
        return [
            *POSTGRESQL_FUNCTIONS,
            *(
                f"CREATE OR REPLACE TRIGGER {table}_training_rev AFTER INSERT OR UPDATE OR DELETE "
                f"ON {table} FOR EACH ROW EXECUTE FUNCTION attest_bump_training_rev()"
                for table in TRAINING_TABLES
            ),
            # Once per statement: a sync that writes many versions bumps everyone once.
            *(
                f"CREATE OR REPLACE TRIGGER {table}_training_rev AFTER INSERT OR UPDATE OR DELETE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION attest_bump_all_training_revs()"
                for table in CONTENT_TABLES
            ),
        ]
    if dialect == "sqlite":
        rows = {
            "insert": "WHERE id = NEW.user_id",
            "update": "WHERE id IN (OLD.user_id, NEW.user_id)",
            "delete": "WHERE id = OLD.user_id",
        }
        return [
            *(
                f"CREATE TRIGGER IF NOT EXISTS {table}_training_rev_{op} AFTER {op.upper()} ON {table} "
                f"BEGIN {_BUMP} {where}; END"
                for table in TRAINING_TABLES
                for op, where in rows.items()
            ),
            *(
                f"CREATE TRIGGER IF NOT EXISTS {table}_training_rev_{op} AFTER {op.upper()} ON {table} "
                f"BEGIN {_BUMP}; END"
                for table in CONTENT_TABLES
                for op in rows
            ),
        ]
    raise ValueError(f"no training_rev triggers for the {dialect} dialect")


@event.listens_for(db.metadata, "after_create")
def install_triggers(target, connection, **kw) -> None:
    """Install the triggers whenever `db.create_all()` builds the schema (tests, benches)."""
    for statement in create_statements(connection.dialect.name):
        connection.exec_driver_sql(statement)
