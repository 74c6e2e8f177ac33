"""What a report is narrowed to, as WHERE conditions, and the choices a filter form offers.

What counts (DESIGN.md, "Training rules"): open assignments (no `closed_on`)
of active people on modules that are not archived. A terminated person's or a
closed assignment's history stays on the transcript but not in the figures.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    ScalarSelect,
    Select,
    case,
    exists,
    func,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql.elements import ColumnElement

from lms.extensions import db
from lms.models import Assignment, Module, ModuleVersion, Program, User
from lms.models.content import current_version
from lms.reports.rules import Manager, ManagerQuery
from lms.reports.scope import Scope, team_ids
from lms.reports.status_sql import status_condition, statuses_for

NO_DEPARTMENT = "-"  # the filter value for people with no department


@dataclass
class Filters:
    """What a report is narrowed to; every field is optional except the day statuses are computed on."""

    as_of: date
    department: str | None = None
    module: str | None = None  # slug
    program: str | None = None  # slug
    status: str | None = None  # a status or a group (see `lms.reports.status_sql.STATUS_GROUPS`)
    manager_id: int | None = None
    due_from: date | None = None
    due_to: date | None = None
    expires_from: date | None = None
    expires_to: date | None = None

    def args(self, **changes: Any) -> dict[str, str]:
        """Return these filters (with `changes`) as URL query arguments, leaving out empty ones."""
        values = {f.name: getattr(self, f.name) for f in fields(self)} | changes
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


def conditions(scope: Scope, f: Filters) -> list[ColumnElement[bool]]:
    """Return the WHERE conditions for counted assignments matching `f` (needs User and Module joined)."""
    a = Assignment
    conds = [a.closed_on.is_(None), ~Module.is_archived, User.is_active, scope.people()]
    if f.department == NO_DEPARTMENT:
        conds.append(User.department.is_(None))
    elif f.department:
        conds.append(User.department == f.department)
    if f.module:
        conds.append(Module.slug == f.module)
    if f.program:
        conds.append(
            a.program_id == select(Program.id).where(Program.slug == f.program).scalar_subquery()
        )
    if f.manager_id is not None:
        conds.append(User.id.in_(team_ids(f.manager_id, "filter_team")))
    if f.status:
        conds.append(or_(*(status_condition(s, f.as_of) for s in sorted(statuses_for(f.status)))))
    for column, low, high in (
        (a.due_date, f.due_from, f.due_to),
        (a.expires_on, f.expires_from, f.expires_to),
    ):
        if low:
            conds.append(column >= low)
        if high:
            conds.append(column <= high)
    return conds


def counted(query: Select, scope: Scope, f: Filters) -> Select:
    """Join `query` from assignments to their person and module and apply the filters."""
    return (
        query.select_from(Assignment)
        .join(User, User.id == Assignment.user_id)
        .join(Module, Module.id == Assignment.module_id)
        .where(*conditions(scope, f))
    )


def department_choices(scope: Scope) -> list[str | None]:
    """Return the departments of the people in scope, by name, None (no department) last.

    HR's list reads the index on `users.department` one department at a time (a loose
    index scan: each step asks for the first department after the last one), so it
    costs one index probe per department however many people there are: a DISTINCT
    over every person took 53 ms at 100,000 people on PostgreSQL, on every report page
    (bench/README.md, issue 18). A manager's list reads their team, as every other
    figure of theirs does.
    """
    query = (
        _every_department()
        if scope.is_everyone
        else select(User.department).where(scope.people()).distinct()
    )
    found = set(db.session.scalars(query))
    return sorted(found, key=lambda d: (d is None, d or ""))


def _every_department() -> CompoundSelect:
    """Select every department once, walking the index on users.department; NULL when someone has none."""
    users, later = User.__table__, User.__table__.alias("later")

    def first_after(lower: ColumnElement | None) -> ScalarSelect:
        query = select(later.c.department).where(later.c.department.is_not(None))
        if lower is not None:
            query = query.where(later.c.department > lower)
        return query.order_by(later.c.department).limit(1).scalar_subquery()

    walk = select(first_after(None).label("department")).cte("departments", recursive=True)
    walk = walk.union_all(
        select(first_after(walk.c.department)).where(walk.c.department.is_not(None))
    )
    return union_all(
        select(walk.c.department).where(walk.c.department.is_not(None)),
        select(null()).where(exists().where(users.c.department.is_(None))),
    )


def module_choices() -> list[tuple[str, str]]:
    """Return (slug, title) of every module that is not archived, by title."""
    return [
        (slug, title)
        for slug, title in db.session.execute(
            select(Module.slug, ModuleVersion.title)
            .join(ModuleVersion, current_version())
            .where(~Module.is_archived)
            .order_by(ModuleVersion.title)
        )
    ]


def program_choices() -> list[tuple[str, str]]:
    return [
        (slug, title)
        for slug, title in db.session.execute(
            select(Program.slug, Program.title).where(~Program.is_archived).order_by(Program.title)
        )
    ]


MANAGERS_SHOWN = 5  # the matches an ambiguous manager filter lists to choose from


def find_managers(scope: Scope, query: ManagerQuery) -> list[Manager]:
    """Return the managers a viewer may filter by whom `query` names, exact matches first.

    Those in scope who manage someone, and the viewer themselves. An identifier in
    brackets is matched alone (employee number or email); plain text as an employee
    number, an email or part of a name, ignoring case. At most MANAGERS_SHOWN + 1 come
    back: enough to list the choices and say there are more.
    """
    ident = query.ident if query.ident is not None else query.text
    # Emails are kept in lower case; employee numbers as HR's system writes them. Both
    # are unique and indexed, so a label written back finds its person at once.
    exact = (User.employee_id == ident) | (User.email == ident.lower())
    named = exact
    if query.ident is None:
        exact = exact | (func.lower(User.full_name) == func.lower(ident))
        named = exact | User.full_name.icontains(ident, autoescape=True)
    rows = db.session.execute(
        _managers(scope)
        .where(named)
        .order_by(case((exact, 0), else_=1), User.full_name, User.id)
        .limit(MANAGERS_SHOWN + 1)
    )
    return [Manager(*row) for row in rows]


def manager_by_id(scope: Scope, user_id: int) -> Manager | None:
    """Return the manager `user_id` names if the viewer may filter by them, else None."""
    row = db.session.execute(_managers(scope).where(User.id == user_id)).first()
    return Manager(*row) if row else None


def _managers(scope: Scope) -> Select:
    """Select the managers a viewer may filter by: those in scope who manage someone, and themselves."""
    reports = User.__table__.alias("reports")
    in_scope = scope.people()
    if scope.manager_id is not None:
        in_scope = in_scope | (User.id == scope.manager_id)
    return select(User.id, User.full_name, User.employee_id, User.email).where(
        exists().where(reports.c.manager_id == User.id), in_scope
    )
