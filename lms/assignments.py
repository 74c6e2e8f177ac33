"""Keep assignments in line with program audiences (DESIGN.md, "Programs apply to people ...")."""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from lms.audience import matches_audience
from lms.audit import record_events
from lms.database import among, insert_rows
from lms.extensions import db
from lms.models import Assignment, Module, Program, ProgramModule, User
from lms.models.revisions import revisions_raised_once
from lms.status import due_date_for


@dataclass
class AssignResult:
    created: int = 0
    reopened: int = 0
    closed: int = 0


def wanted_assignments(
    today: date, user_ids: Iterable[int] | None = None
) -> dict[tuple[int, int], tuple[int, date]]:
    """Return {(user_id, module_id): (program_id, due_date)} for everyone programs apply to now.

    When two programs give the same module, the earlier due date wins.
    """
    programs = db.session.execute(
        select(Program.id, Program.audience, Program.due_days).where(~Program.is_archived)
    ).all()
    program_modules: dict[int, list[int]] = {}
    for program_id, module_id in db.session.execute(
        select(ProgramModule.program_id, ProgramModule.module_id)
        .join(Module, Module.id == ProgramModule.module_id)
        .where(~Module.is_archived)
        .order_by(ProgramModule.position)
    ):
        program_modules.setdefault(program_id, []).append(module_id)
    query = select(
        User.id, User.department, User.role, User.hire_date, User.department_changed_on
    ).where(User.is_active)
    if user_ids is not None:
        query = query.where(among(User.id, list(user_ids)))
    wanted: dict[tuple[int, int], tuple[int, date]] = {}
    # The programs of each (department, role) pair, worked out once: an import's 100,000
    # people come in a few dozen pairs (matches_audience was 1.3 of 36 s profiled).
    programs_of: dict[tuple[str | None, str | None], list[tuple[int, int]]] = {}
    for user_id, department, role, hire_date, transferred_on in db.session.execute(query):
        if (department, role) not in programs_of:
            programs_of[department, role] = [
                (program_id, due_days)
                for program_id, audience, due_days in programs
                if matches_audience(audience, department, role)
            ]
        for program_id, due_days in programs_of[department, role]:
            due = due_date_for(hire_date, today, due_days, transferred_on)
            for module_id in program_modules.get(program_id, []):
                key = (user_id, module_id)
                if key not in wanted or due < wanted[key][1]:
                    wanted[key] = (program_id, due)
    return wanted


def assign_programs(
    today: date, user_ids: Iterable[int] | None = None, new: Container[int] = ()
) -> AssignResult:
    """Create, reopen and close assignments so they match the programs (flushes only).

    A person who leaves an audience keeps the assignment and its history, but
    it is closed and no longer counted; coming back reopens it with a new due
    date if it was never completed. `new`: people created in this transaction (see
    `revisions_raised_once`).
    """
    ids = None if user_ids is None else list(user_ids)
    wanted = wanted_assignments(today, ids)
    result = AssignResult()
    query = select(Assignment)
    if ids is not None:
        query = query.where(among(Assignment.user_id, ids))
    existing = {(a.user_id, a.module_id): a for a in db.session.scalars(query)}
    new_rows, changed = [], []
    for key, (program_id, due) in wanted.items():
        assignment = existing.get(key)
        if assignment is None:
            new_rows.append(
                {
                    "user_id": key[0],
                    "module_id": key[1],
                    "program_id": program_id,
                    "assigned_on": today,
                    "due_date": due,
                }
            )
            result.created += 1
        elif assignment.closed_on is not None:
            assignment.closed_on = None
            if assignment.completed_on is None:
                assignment.assigned_on, assignment.due_date = today, due
            result.reopened += 1
            changed.append(("assignment.reopened", assignment))
    for key, assignment in existing.items():
        if key not in wanted and assignment.closed_on is None:
            assignment.closed_on = today
            result.closed += 1
            changed.append(("assignment.closed", assignment))
    if new_rows:
        # One executemany: adding ORM objects one by one costs ~0.1 ms each (10,000 hires ~ 90,000
        # rows); and each person's page revision raised once, not once a row.
        with revisions_raised_once((row["user_id"] for row in new_rows), new):
            insert_rows(Assignment.__table__, new_rows)
    db.session.flush()
    record_assignment_events(new_rows, changed)
    return result


def record_assignment_events(new_rows: list[dict], changed: list[tuple[str, Assignment]]) -> None:
    """Audit the changes: one event per person and kind (created, reopened, closed), in bulk.

    One event per person rather than per assignment keeps 10,000 hires at
    10,000 rows written in one executemany (see `lms.audit.record_events`).
    """
    if not new_rows and not changed:
        return
    slugs = dict(db.session.execute(select(Module.id, Module.slug)).all())
    grouped: dict[tuple[str, int], dict[str, str | None]] = {}
    for row in new_rows:
        key = ("assignment.created", row["user_id"])
        grouped.setdefault(key, {})[slugs[row["module_id"]]] = row["due_date"].isoformat()
    for action, a in changed:
        due = None if action == "assignment.closed" else a.due_date.isoformat()
        grouped.setdefault((action, a.user_id), {})[slugs[a.module_id]] = due
    record_events(
        {"action": action, "user_id": user_id, "details": {"modules": modules}}
        for (action, user_id), modules in grouped.items()
    )
