"""What a report is narrowed to, as WHERE conditions, and the choices a filter form offers.

What counts (DESIGN.md, "Training rules"): open assignments (no `closed_on`)
of active people on modules that are not archived. A terminated person's or a
closed assignment's history stays on the transcript but not in the figures.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.sql.elements import ColumnElement

from lms.extensions import db
from lms.models import Assignment, Module, ModuleVersion, Program, User
from lms.models.content import current_version
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
    return list(
        db.session.scalars(
            select(User.department).where(scope.people()).distinct().order_by(User.department)
        )
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


def manager_choices(scope: Scope) -> list[tuple[int, str]]:
    """Return (id, name) of the managers a viewer may filter by: those in scope, and themselves."""
    managers = select(User.manager_id).where(User.manager_id.is_not(None)).distinct()
    in_scope = scope.people()
    if scope.manager_id is not None:
        in_scope = in_scope | (User.id == scope.manager_id)
    return [
        (uid, name)
        for uid, name in db.session.execute(
            select(User.id, User.full_name)
            .where(User.id.in_(managers), in_scope)
            .order_by(User.full_name, User.id)
        )
    ]
