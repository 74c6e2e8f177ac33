"""Read-side queries of the API: each runs a fixed number of SQL statements, whatever the size.

Statuses, transcripts and compliance come from `lms.hr.queries` and
`lms.reports`; this module only adds the lists an HR system reads.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select

from lms.extensions import db
from lms.models import Module, ModuleVersion, Program, ProgramModule, User
from lms.models.content import current_version
from lms.reports.assignments import Manager
from lms.reports.filters import NO_DEPARTMENT
from lms.reports.paging import Page, keyset_rows

EMPLOYEE_COLUMNS = (
    User.id,
    User.employee_id,
    User.email,
    User.full_name,
    User.department,
    User.role,
    User.hire_date,
    User.is_active,
    Manager.email.label("manager_email"),
)


def employee_select() -> Select:
    return select(*EMPLOYEE_COLUMNS).outerjoin(Manager, Manager.id == User.manager_id)


def employee_conditions(department: str | None, status: str | None) -> list[Any]:
    conditions = []
    if department == NO_DEPARTMENT:
        conditions.append(User.department.is_(None))
    elif department:
        conditions.append(User.department == department)
    if status:
        conditions.append(User.is_active.is_(status == "active"))
    return conditions


def employees_page(*, department: str | None, status: str | None, page: int, per_page: int) -> Page:
    """Return one page of people by number, in a stable order (by id), and how many match in all.

    Deprecated for `employees_after`: the OFFSET and the count grow with the organisation.
    """
    conditions = employee_conditions(department, status)
    total = db.session.scalar(select(func.count(User.id)).where(*conditions))
    rows = db.session.execute(
        employee_select()
        .where(*conditions)
        .order_by(User.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(rows, total, page, per_page)


def employees_after(
    *, department: str | None, status: str | None, after: int, per_page: int
) -> tuple[list[Any], int | None]:
    """Return the people with an id above `after` (by id, `per_page` of them) and the next cursor.

    The cursor is the last row's id when more follow (None at the end); one
    statement, the same at any depth and any size (no count: a client following
    `next` needs none).
    """
    rows = db.session.execute(
        employee_select()
        .where(*employee_conditions(department, status), User.id > after)
        .order_by(User.id)
        .limit(per_page + 1)
    ).all()
    rows, next_after, _ = keyset_rows(rows, per_page, cursor=after, forward=True, key=row_id)
    return rows, next_after


def row_id(row: Any) -> int:
    return row.id


def find_employee(employee_id: str) -> tuple[User, str | None] | None:
    """Return the person with this employee_id and their manager's email, or None."""
    return db.session.execute(
        select(User, Manager.email)
        .outerjoin(Manager, Manager.id == User.manager_id)
        .where(User.employee_id == employee_id)
    ).first()


def module_rows(include_archived: bool) -> list[tuple[Module, ModuleVersion | None, list[str]]]:
    """Return every module with its current version and the programs that assign it, by slug."""
    query = (
        select(Module, ModuleVersion)
        .outerjoin(ModuleVersion, current_version())
        .order_by(Module.slug)
    )
    if not include_archived:
        query = query.where(~Module.is_archived)
    programs: dict[int, list[str]] = {}
    for module_id, slug in db.session.execute(
        select(ProgramModule.module_id, Program.slug)
        .join(Program, Program.id == ProgramModule.program_id)
        .where(~Program.is_archived)
        .order_by(Program.slug)
    ):
        programs.setdefault(module_id, []).append(slug)
    return [(m, v, programs.get(m.id, [])) for m, v in db.session.execute(query)]
