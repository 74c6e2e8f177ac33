"""Compliance counted in SQL: overall, by department and by module, and the most overdue.

Every function takes a `Scope` and runs a fixed number of SQL statements whatever
the number of employees. Statuses come from `lms.reports.status_sql.status_case`,
the SQL twin of `lms.status.assignment_status`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, func, literal_column, select

from lms.extensions import db
from lms.models import Assignment, Module, ModuleVersion, User
from lms.models.content import current_version
from lms.reports.filters import NO_DEPARTMENT, Filters, counted
from lms.reports.scope import Scope
from lms.reports.status_sql import status_case, statuses_for
from lms.status import COMPLIANT, EXPIRED, OVERDUE, PENDING, STATUSES, compliance_rate

# Group by the label, not the expression: repeated, the CASE would be evaluated twice per row.
BY_STATUS = literal_column("status")


@dataclass
class Bar:
    """Status counts for one department or module."""

    key: str  # the filter value: a department name (or NO_DEPARTMENT) or a module slug
    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))

    @property
    def rate(self) -> float | None:
        return compliance_rate(self.counts)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def group(self, name: str) -> int:
        return sum(self.counts[s] for s in statuses_for(name))


@dataclass
class OverduePerson:
    user_id: int
    full_name: str
    department: str | None
    overdue: int
    oldest_due: date
    days_overdue: int
    employee_id: str | None = None  # two people may share a name


@dataclass
class Dashboard:
    overall: Bar
    by_department: list[Bar]
    by_module: list[Bar]
    most_overdue: list[OverduePerson]


def dashboard(scope: Scope, f: Filters, overdue_limit: int = 10) -> Dashboard:
    """Return compliance overall, by department and by module, and the most overdue people.

    One grouped scan of the assignments gives all three breakdowns; a second
    query finds the people with the oldest overdue training.
    """
    status = status_case(f.as_of).label("status")
    rows = db.session.execute(
        counted(
            select(User.department, Assignment.module_id, status, func.count()), scope, f
        ).group_by(User.department, Assignment.module_id, BY_STATUS)
    ).all()
    titles = module_titles({module_id for _, module_id, _, _ in rows})
    overall = Bar("", "All")
    departments: dict[str, Bar] = {}
    modules: dict[int, Bar] = {}
    for department, module_id, status_name, count in rows:
        key = department if department is not None else NO_DEPARTMENT
        dept = departments.setdefault(key, Bar(key, department or "No department"))
        slug, title = titles[module_id]
        mod = modules.setdefault(module_id, Bar(slug, title))
        for bar in (overall, dept, mod):
            bar.counts[status_name] += count
    return Dashboard(
        overall=overall,
        by_department=sorted(departments.values(), key=lambda b: b.label.casefold()),
        by_module=sorted(modules.values(), key=lambda b: b.label.casefold()),
        most_overdue=most_overdue(scope, f, overdue_limit),
    )


def module_titles(module_ids: set[int]) -> dict[int, tuple[str, str]]:
    """Return {module_id: (slug, current title)} in one query."""
    if not module_ids:
        return {}
    return {
        module_id: (slug, title)
        for module_id, slug, title in db.session.execute(
            select(Module.id, Module.slug, ModuleVersion.title)
            .join(ModuleVersion, current_version())
            .where(Module.id.in_(module_ids))
        )
    }


def most_overdue(
    scope: Scope, f: Filters, limit: int, among: Select | None = None
) -> list[OverduePerson]:
    """Return the people whose oldest overdue assignment is oldest, with how many they have.

    Grouped by `assignments.user_id` alone (names are joined afterwards), so
    SQLite can group while walking that index instead of sorting every row.
    `among` (a select of user ids) narrows the grouping to those people
    (lms.compliance.queries.most_overdue finds them along an index first).
    """
    overdue_only = Filters(**{**vars(f), "status": OVERDUE})
    oldest = func.min(Assignment.due_date).label("oldest")
    count = func.count().label("overdue")
    top = counted(select(Assignment.user_id.label("user_id"), count, oldest), scope, overdue_only)
    if among is not None:
        top = top.where(Assignment.user_id.in_(among))
    top = (
        top.group_by(Assignment.user_id)
        .order_by(oldest, count.desc(), Assignment.user_id)
        .limit(limit)
        .subquery()
    )
    rows = db.session.execute(
        select(
            User.id,
            User.full_name,
            User.department,
            top.c.overdue,
            top.c.oldest,
            User.employee_id,
        )
        .join(top, top.c.user_id == User.id)
        .order_by(top.c.oldest, top.c.overdue.desc(), User.id)
    ).all()
    return [
        OverduePerson(uid, name, dept, n, due, (f.as_of - due).days, employee_id)
        for uid, name, dept, n, due, employee_id in rows
    ]


def status_counts(scope: Scope, f: Filters) -> dict[str, int]:
    """Return a count for every status (zeros included) of the assignments matching `f`."""
    status = status_case(f.as_of).label("status")
    counts = dict.fromkeys(STATUSES, 0)
    for name, count in db.session.execute(
        counted(select(status, func.count()), scope, f).group_by(BY_STATUS)
    ):
        counts[name] = count
    return counts


def compliance_summary(counts: dict[str, int]) -> dict[str, Any]:
    """Return the figures shown beside a compliance rate: rate, pending, overdue, expired, due soon."""
    return {
        "rate": compliance_rate(counts),
        "compliant": sum(counts[s] for s in COMPLIANT),
        "pending": sum(counts[s] for s in PENDING),
        "overdue": counts[OVERDUE],
        "expired": counts[EXPIRED],
        "due_soon": counts["due_soon"],
        "total": sum(counts.values()),
    }
