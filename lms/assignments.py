"""Keep assignments in line with program audiences (DESIGN.md, "Programs apply to people ...")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from lms.audience import matches_audience
from lms.extensions import db
from lms.models import Assignment, Module, Program, ProgramModule, User
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
    query = select(User.id, User.department, User.role, User.hire_date).where(User.is_active)
    if user_ids is not None:
        query = query.where(User.id.in_(list(user_ids)))
    wanted: dict[tuple[int, int], tuple[int, date]] = {}
    for user_id, department, role, hire_date in db.session.execute(query):
        for program_id, audience, due_days in programs:
            if not matches_audience(audience, department, role):
                continue
            due = due_date_for(hire_date, today, due_days)
            for module_id in program_modules.get(program_id, []):
                key = (user_id, module_id)
                if key not in wanted or due < wanted[key][1]:
                    wanted[key] = (program_id, due)
    return wanted


def assign_programs(today: date, user_ids: Iterable[int] | None = None) -> AssignResult:
    """Create, reopen and close assignments so they match the programs (flushes only).

    A person who leaves an audience keeps the assignment and its history, but
    it is closed and no longer counted; coming back reopens it with a new due
    date if it was never completed.
    """
    ids = None if user_ids is None else list(user_ids)
    wanted = wanted_assignments(today, ids)
    result = AssignResult()
    query = select(Assignment)
    if ids is not None:
        query = query.where(Assignment.user_id.in_(ids))
    existing = {(a.user_id, a.module_id): a for a in db.session.scalars(query)}
    for key, (program_id, due) in wanted.items():
        assignment = existing.get(key)
        if assignment is None:
            db.session.add(
                Assignment(
                    user_id=key[0],
                    module_id=key[1],
                    program_id=program_id,
                    assigned_on=today,
                    due_date=due,
                )
            )
            result.created += 1
        elif assignment.closed_on is not None:
            assignment.closed_on = None
            if assignment.completed_on is None:
                assignment.assigned_on, assignment.due_date = today, due
            result.reopened += 1
    for key, assignment in existing.items():
        if key not in wanted and assignment.closed_on is None:
            assignment.closed_on = today
            result.closed += 1
    db.session.flush()
    return result
