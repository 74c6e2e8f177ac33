"""A demo organisation with two years of history, built deterministically from a seed.

Departments with a management tree (head, area managers, team leaders), the
programs and modules loaded from `content/`, and two years of training per
person: first completions, renewals on time and late, some overdue and
expired, a few exemptions, open attempts and leavers. History is simulated
with the training rules (`lms.status`, `lms.grading`) and written with bulk
inserts, a few thousand people at a time, so that N = 100,000 is practical.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import text

from lms import models
from lms.audit import record_events
from lms.compliance.operations import recounted_after
from lms.database import indexes_built_after
from lms.demo.bulk import advance_sequences
from lms.demo.history import History, load_modules, load_programs
from lms.demo.org import HEADS, insert_people, plan_people
from lms.extensions import db
from lms.models import (
    Assignment,
    Attempt,
    AttemptAnswer,
    AttemptPick,
    Attestation,
    AuditEvent,
    Completion,
    User,
)
from lms.models.revisions import revisions_raised_once
from lms.people.passwords import hash_password

__all__ = ["PASSWORD", "DemoResult", "load_demo", "plan_people"]

PASSWORD = "attest-demo-password"  # noqa: S105 - printed for the demo logins on purpose


@dataclass
class DemoResult:
    password: str
    people: int = 0
    completions: int = 0
    logins: list[tuple[str, str]] = field(default_factory=list)


def load_demo(*, employees: int, seed: int, today: date, batch_size: int = 2000) -> DemoResult:
    """Create HR, department heads and `employees` people with two years of training history."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
    people = plan_people(employees, rng, today)
    # HR's figures are counted once at the end, not moved by every row (lms.compliance).
    with recounted_after():
        ids = insert_people(people, hash_password(PASSWORD))
        history = History(load_modules(), load_programs(), today, rng, hr_id=ids[0])
        # Two years of rows per person: raise each revision once, not once per row written
        # (on PostgreSQL the per-row updates left ~70 dead versions of every `users` row,
        # and each signed-in request then read through them until a vacuum).
        bulk = [Assignment, Attempt, AttemptAnswer, AttemptPick, Attestation, Completion]
        bulk += [AuditEvent, *([models.Certificate] if history.has_certificates else [])]
        with (
            revisions_raised_once(ids, new=set(ids)),  # all new: nothing to raise
            indexes_built_after(*(model.__table__ for model in bulk)),
        ):
            for start in range(0, len(people), batch_size):
                for index in range(start, min(start + batch_size, len(people))):
                    history.add_person(ids[index], people[index])
                history.flush()
            record_events(history.events())
    advance_sequences(User, Assignment, Attempt, Attestation, Completion)
    if history.has_certificates:
        advance_sequences(models.Certificate)
    db.session.flush()
    if db.session.get_bind().dialect.name == "postgresql":
        # Fresh statistics, or the planner takes 100,000 rows for a few hundred until autovacuum
        # runs. (SQLite plans these queries well without statistics, and worse with them.)
        names = ", ".join(table.name for table in db.metadata.sorted_tables)
        db.session.execute(text(f"ANALYZE {names}"))
    result = DemoResult(password=PASSWORD, people=len(people), completions=history.completions)
    result.logins = [("HR", "hr@example.com"), ("manager", HEADS[0][1]), ("manager", HEADS[1][1])]
    result.logins.append(("employee", "employee@example.com"))
    return result
