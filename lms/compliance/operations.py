"""Recount the compliance summary from scratch, and compare it with what the triggers kept."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import select, text

from lms.extensions import db
from lms.models import ComplianceManager
from lms.models.compliance_triggers import (
    COUNTS,
    KEY,
    SCOPES,
    SUMMARISED_TEAM,
    adopt_statements,
    create_statements,
    drop_statements,
    recount_statements,
)

SHOWN = 20  # differences listed by verify-summary; the rest are counted


@dataclass
class Verification:
    """What a recount changed: rows of each table that differed, and the first few of them."""

    counts_differing: int = 0
    scopes_differing: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def repaired(self) -> bool:
        return bool(self.counts_differing or self.scopes_differing)

    def lines(self) -> list[str]:
        if not self.repaired:
            return ["compliance summary: matches a full recount"]
        return [
            f"compliance summary: {self.counts_differing} count row(s) and "
            f"{self.scopes_differing} scope row(s) differed from a full recount; repaired",
            *self.examples,
        ]


def lock_writers() -> None:
    """Keep people and assignments still while the summary is rebuilt (PostgreSQL; SQLite's
    single writer is held from the recount's first statement)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("LOCK TABLE users, assignments IN SHARE MODE"))


def recount(choose_managers: bool = True, team_size: int = SUMMARISED_TEAM) -> None:
    """Rebuild the summary from every person and assignment, in the caller's transaction.

    Managers with `team_size` people or more below them get figures of their own
    (`choose_managers=False` keeps the ones that have them).
    """
    lock_writers()
    dialect = db.session.get_bind().dialect.name
    for statement in recount_statements(dialect, choose_managers, team_size):
        db.session.execute(text(statement))


@contextmanager
def recounted_after() -> Iterator[None]:
    """Write people and assignments in bulk with the triggers off, then recount once.

    For loading a whole organisation into empty tables (the demo): the triggers are
    dropped and put back in the same transaction, so nobody else ever writes without
    them (on PostgreSQL the tables stay locked until commit), and the summary is
    written once, without the dead row versions of a million small updates.
    """
    dialect = db.session.get_bind().dialect.name
    db.session.flush()
    for statement in drop_statements(dialect):
        db.session.execute(text(statement))
    yield
    db.session.flush()
    for statement in create_statements(dialect):
        db.session.execute(text(statement))
    recount()


def adopt_big_teams(team_size: int = SUMMARISED_TEAM) -> int:
    """Give figures of their own to managers whose team has grown to `team_size` people
    since the last recount (run daily by `renew`); return how many.

    PostgreSQL costs the counting statement for every assignment (the managers it is
    for are not known when it is planned), far past `jit_above_cost`, and JIT-compiled
    it for 1.3 s of a 1.4 s run at 100,000 people, on days that adopted nobody (most
    days): this transaction runs without JIT.
    """
    before = len(summarised_managers())
    lock_writers()
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        db.session.execute(text("SET LOCAL jit = off"))
    for statement in adopt_statements(dialect, team_size):
        db.session.execute(text(statement))
    return len(summarised_managers()) - before


def summarised_managers() -> set[int]:
    return set(db.session.scalars(select(ComplianceManager.user_id)))


def verify_and_repair() -> Verification:
    """Recount the summary and report every row that differed from what was there.

    The rows as kept are copied aside, the summary is rebuilt, and the two are
    compared in SQL (rows whose count is 0 are the same as no row). The caller commits.
    """
    lock_writers()
    session = db.session
    for name, columns, source in (
        ("compliance_kept_counts", f"{KEY}, n", f"{COUNTS} WHERE n <> 0"),
        ("compliance_kept_scopes", "user_id, scope_id", SCOPES),
    ):
        session.execute(text(f"DROP TABLE IF EXISTS {name}"))
        session.execute(text(f"CREATE TEMPORARY TABLE {name} AS SELECT {columns} FROM {source}"))
    recount(choose_managers=False)
    result = Verification()
    counts_now = f"SELECT {KEY}, n FROM {COUNTS}"
    counts_kept = f"SELECT {KEY}, n FROM compliance_kept_counts"
    scopes_now = f"SELECT user_id, scope_id FROM {SCOPES}"
    scopes_kept = "SELECT user_id, scope_id FROM compliance_kept_scopes"
    for label, first, second in (
        ("kept, not recounted", counts_kept, counts_now),
        ("recounted, not kept", counts_now, counts_kept),
    ):
        rows = session.execute(text(f"{first} EXCEPT {second}")).all()
        result.counts_differing += len(rows)
        result.examples += [
            f"  {label}: scope {r[0]} level {r[1]} day {r[2]} department {r[3]!r} "
            f"module {r[4]} kind {r[5]} n {r[6]}"
            for r in rows[:SHOWN]
        ]
    for label, first, second in (
        ("scope kept, not recounted", scopes_kept, scopes_now),
        ("scope recounted, not kept", scopes_now, scopes_kept),
    ):
        rows = session.execute(text(f"{first} EXCEPT {second}")).all()
        result.scopes_differing += len(rows)
        result.examples += [f"  {label}: person {r[0]} scope {r[1]}" for r in rows[:SHOWN]]
    for name in ("compliance_kept_counts", "compliance_kept_scopes"):
        session.execute(text(f"DROP TABLE {name}"))
    del result.examples[SHOWN:]
    return result
