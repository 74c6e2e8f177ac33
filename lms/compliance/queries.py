"""Read a day's status counts from the compliance summary: a fixed number of rows per cell.

`cell_counts` answers for one scope (everyone, or a manager's people) and one day,
past or future, with one query that reads each kind's year rows, the month rows
of the day's year and the day rows of the day's month (`lms.compliance.rules`).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from lms.compliance.rules import (
    EVERYONE,
    NO_DEPARTMENT_KEY,
    KindCounts,
    before_ranges,
    bucket,
    statuses_from,
)
from lms.extensions import db
from lms.models import ComplianceCount, ComplianceManager, Module

Cell = tuple[str | None, int]  # (department, None for no department; module id)


def before(limit: date) -> ColumnElement[bool]:
    """True for the stored rows that together count the key days before `limit`."""
    c = ComplianceCount
    return or_(
        *(
            and_(c.level == level, c.day < high, *([c.day >= low] if low else []))
            for level, (low, high) in before_ranges(limit).items()
        )
    )


def has_own_figures(manager_id: int) -> bool:
    """Return whether the summary keeps figures for this manager's people (a big team)."""
    return db.session.get(ComplianceManager, manager_id) is not None


def cell_counts(
    as_of: date,
    scope_id: int | None = None,
    module_id: int | None = None,
    department: str | None = None,
) -> dict[Cell, dict[str, int]]:
    """Return {(department, module id): {status: count}} of counted assignments on `as_of`.

    `scope_id` is a manager's id (their people, direct and indirect; only for one
    that `has_own_figures`) or None for everyone; `module_id` and `department` narrow to one module or department
    (`NO_DEPARTMENT_KEY` for people with none). Archived modules are left out.
    """
    c = ComplianceCount
    tomorrow = as_of + timedelta(days=1)
    total = func.sum(case((c.level == "y", c.n), else_=0))
    query = (
        select(
            c.department,
            c.module_id,
            c.kind,
            total,
            func.sum(case((before(as_of), c.n), else_=0)),
            func.sum(case((before(tomorrow), c.n), else_=0)),
        )
        .join(Module, Module.id == c.module_id)
        .where(
            c.scope_id == (EVERYONE if scope_id is None else scope_id),
            ~Module.is_archived,
            or_(
                c.level == "y",
                and_(c.level == "m", c.day >= bucket(as_of, "y"), c.day < bucket(tomorrow, "m")),
                and_(c.level == "d", c.day >= bucket(as_of, "m"), c.day < tomorrow),
            ),
        )
        .group_by(c.department, c.module_id, c.kind)
    )
    if module_id is not None:
        query = query.where(c.module_id == module_id)
    if department is not None:
        query = query.where(c.department == department)
    kinds: dict[Cell, dict[str, KindCounts]] = {}
    for dept, mod, kind, all_, before_, upto in db.session.execute(query):
        key = (None if dept == NO_DEPARTMENT_KEY else dept, mod)
        kinds.setdefault(key, {})[kind] = KindCounts(all_, before_, upto)
    cells = {key: statuses_from(k) for key, k in kinds.items()}
    return {key: counts for key, counts in cells.items() if any(counts.values())}
