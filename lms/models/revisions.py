"""`users.training_rev`: a number that changes whenever anything on a person's own pages may have.

Database triggers keep it, so no write can forget to: every insert, update or delete
of a row in `TRAINING_TABLES` raises the revision of the person the row belongs to
(both people, should a row ever move between them), and any change to the modules
or their versions raises everyone's (titles, bodies and quizzes are on every page).
The learner's pages are cached under it (`lms.web.pagecache`): a page rendered at
revision N is served again only while the person is still at N, on the same day.

Triggers rather than application hooks because bulk `UPDATE`s (renewal, transfers,
retraining) bypass ORM events, and a cache that can be stale is worse than none.
A bulk write of many rows for the same people (an import's assignments) asks the
row triggers to stand aside and raises each person once instead
(`revisions_raised_once`). The migrations that install the triggers (`ac6af624a66e`,
then `5b7e0c2d9a41`) hold copies of these statements, as migrations must: this
module is what `db.create_all()` installs today.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator
from contextlib import contextmanager, suppress

from sqlalchemy import Column, Integer, Table, column, event, table, text, update
from sqlalchemy.exc import SQLAlchemyError

from lms.database import among
from lms.extensions import db

TRAINING_TABLES = ("assignments", "attempts", "attestations", "completions", "certificates")
CONTENT_TABLES = ("modules", "module_versions")

_BUMP = "UPDATE users SET training_rev = training_rev + 1"
USERS = table("users", column("id", Integer), column("training_rev", Integer))
# While a row is here, SQLite's row triggers do nothing. Only the transaction that
# inserts one ever sees it (see revisions_raised_once); the table is otherwise empty.
PAUSES = Table("training_rev_pauses", db.metadata, Column("id", Integer, primary_key=True))
SQLITE_UNLESS_PAUSED = "WHEN NOT EXISTS (SELECT 1 FROM training_rev_pauses)"
# PostgreSQL's equivalent: a setting local to the transaction (reset by commit or rollback).
PG_PAUSE_SETTING = "attest.training_rev_paused"
PG_UNLESS_PAUSED = f"WHEN (current_setting('{PG_PAUSE_SETTING}', true) IS DISTINCT FROM 'on')"

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
                f"ON {table} FOR EACH ROW {PG_UNLESS_PAUSED} "
                "EXECUTE FUNCTION attest_bump_training_rev()"
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
                f"{SQLITE_UNLESS_PAUSED} BEGIN {_BUMP} {where}; END"
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


@contextmanager
def revisions_raised_once(user_ids: Iterable[int], new: Container[int] = ()) -> Iterator[None]:
    """Write many training rows of these people with the row triggers standing aside.

    The triggers raise a person's revision once per row written; 90,000 assignments
    for 10,000 new hires made that 90,000 updates of `users`, more than the import's
    own work. Inside the block they do nothing, for this transaction only; on leaving,
    each person in `user_ids` is raised once, except those in `new`: people created
    in this same transaction, whose pages nobody can have seen (ids are never reused:
    nobody is deleted), so nothing cached needs a new revision (an import's 100,000
    new hires: 3.4 s of UPDATE at 100,000 on PostgreSQL, issue 18). Everything the
    block writes to the training tables must belong to those people.

    PostgreSQL pauses with a transaction-local setting. SQLite pauses with a row in
    `training_rev_pauses` that no one else can see: SQLite has one writer at a time,
    and the row is gone before the transaction ends. Should the block fail, the row
    goes with the rollback, and is removed here too in case a caller commits anyway.
    """
    ids = sorted({user_id for user_id in user_ids if user_id not in new})
    session = db.session
    session.flush()  # earlier writes are raised by the triggers, as usual
    postgres = session.get_bind().dialect.name == "postgresql"

    def pause(on: bool) -> None:
        if postgres:
            value = "on" if on else "off"
            session.execute(
                text("SELECT set_config(:name, :value, true)"),
                {"name": PG_PAUSE_SETTING, "value": value},
            )
        elif on:
            session.execute(PAUSES.insert())
        else:
            session.execute(PAUSES.delete())

    pause(True)
    try:
        yield
        session.flush()
    except BaseException:
        with suppress(SQLAlchemyError):
            pause(False)
        raise
    pause(False)
    # One statement with the ids as one array on PostgreSQL (`among`): 1,000-id `IN` lists
    # were 3.3 s of Python rendering and parsing in a 100,000-person import (100 of them).
    batch = max(len(ids), 1) if postgres else 1000
    for start in range(0, len(ids), batch):
        session.execute(
            update(USERS)
            .where(among(USERS.c.id, ids[start : start + batch]))
            .values(training_rev=USERS.c.training_rev + 1)
        )
