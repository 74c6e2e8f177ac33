"""Compliance reports for HR and managers, counted in SQL.

Every function takes a `Scope` (whose records the viewer may see) and runs a
fixed number of SQL statements whatever the number of employees. Statuses come
from `lms.status_sql.status_case`, the SQL twin of `lms.status.assignment_status`.

What counts (DESIGN.md, "Training rules"): open assignments (no `closed_on`)
of active people on modules that are not archived. A terminated person's or a
closed assignment's history stays on the transcript but not in the figures.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from datetime import date
from math import ceil
from typing import Any

from sqlalchemy import Row, Select, String, cast, func, literal_column, or_, select, true
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from lms.extensions import db
from lms.models import Assignment, Module, ModuleVersion, Program, User
from lms.people import is_manager
from lms.status import COMPLIANT, EXPIRED, OVERDUE, PENDING, STATUSES, compliance_rate
from lms.status_sql import status_case, status_condition, statuses_for

NO_DEPARTMENT = "-"  # the filter value for people with no department
# Group by the label, not the expression: repeated, the CASE would be evaluated twice per row.
BY_STATUS = literal_column("status")
Manager = aliased(User, name="manager")


def team_ids(manager_id: int, name: str = "team") -> Select:
    """Select everyone reporting to `manager_id`, directly or indirectly (`lms.people.report_ids`)."""
    team = select(User.id).where(User.manager_id == manager_id).cte(name, recursive=True)
    team = team.union(select(User.id).join(team, User.manager_id == team.c.id))
    return select(team.c.id)


@dataclass(frozen=True)
class Scope:
    """Whose records a viewer may see: everyone (HR) or one manager's direct and indirect reports."""

    manager_id: int | None = None

    @property
    def is_everyone(self) -> bool:
        return self.manager_id is None

    def people(self) -> ColumnElement[bool]:
        """Return a condition on `User.id` that keeps the people in scope."""
        if self.manager_id is None:
            return true()
        return User.id.in_(team_ids(self.manager_id, "scope_team"))

    def includes(self, user_id: int) -> bool:
        return (
            db.session.scalar(select(User.id).where(User.id == user_id, self.people())) is not None
        )


def scope_for(user: User) -> Scope | None:
    """Return what `user` may see in reports: HR everything, a manager their team, others None."""
    if user.is_hr:
        return Scope()
    # The signed-in user comes with the answer loaded (lms.auth); anyone else is asked.
    if user.has_reports if user.has_reports is not None else is_manager(user.id):
        return Scope(manager_id=user.id)
    return None


@dataclass
class Filters:
    """What a report is narrowed to; every field is optional except the day statuses are computed on."""

    as_of: date
    department: str | None = None
    module: str | None = None  # slug
    program: str | None = None  # slug
    status: str | None = None  # a status or a group (see `lms.status_sql.STATUS_GROUPS`)
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


# -- dashboard -------------------------------------------------------------------------------


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
            .join(ModuleVersion, (ModuleVersion.module_id == Module.id) & ModuleVersion.is_current)
            .where(Module.id.in_(module_ids))
        )
    }


def most_overdue(scope: Scope, f: Filters, limit: int) -> list[OverduePerson]:
    """Return the people whose oldest overdue assignment is oldest, with how many they have.

    Grouped by `assignments.user_id` alone (names are joined afterwards), so
    SQLite can group while walking that index instead of sorting every row.
    """
    overdue_only = Filters(**{**vars(f), "status": OVERDUE})
    oldest = func.min(Assignment.due_date).label("oldest")
    count = func.count().label("overdue")
    top = (
        counted(select(Assignment.user_id.label("user_id"), count, oldest), scope, overdue_only)
        .group_by(Assignment.user_id)
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


# -- the assignments report and its CSV ------------------------------------------------------

REPORT_COLUMNS = (
    "assignment_id",
    "employee_id",
    "full_name",
    "email",
    "department",
    "role",
    "manager",
    "module",
    "module_title",
    "program",
    "assigned_on",
    "due_date",
    "status",
    "cycle",
    "completed_on",
    "expires_on",
    "renewal_opens_on",
    "last_score",
    "exempt_reason",
    "user_id",
)
# The columns people or HR systems type into: the only ones a CSV export must defuse.
REPORT_TEXT_COLUMNS = (
    "employee_id",
    "full_name",
    "email",
    "department",
    "role",
    "manager",
    "module_title",
    "exempt_reason",
)


def report_select(scope: Scope, f: Filters, dates_as_text: bool = False) -> Select:
    """Select one row per counted assignment matching `f`, with the columns of `REPORT_COLUMNS`.

    `dates_as_text` has the database write dates as YYYY-MM-DD, for CSV: parsing
    them into `date` objects only to print them again costs a fifth of an export.
    """
    a = Assignment
    day = (lambda column: cast(column, String)) if dates_as_text else (lambda column: column)
    columns = (
        a.id,
        User.employee_id,
        User.full_name,
        User.email,
        User.department,
        User.role,
        Manager.full_name,
        Module.slug,
        ModuleVersion.title,
        Program.slug,
        day(a.assigned_on),
        day(a.due_date),
        status_case(f.as_of),
        a.cycle,
        day(a.completed_on),
        day(a.expires_on),
        day(a.renewal_opens_on),
        a.last_score,
        a.exempt_reason,
        User.id,
    )
    labelled = [c.label(name) for c, name in zip(columns, REPORT_COLUMNS, strict=True)]
    return (
        counted(select(*labelled), scope, f)
        .join(ModuleVersion, (ModuleVersion.module_id == Module.id) & ModuleVersion.is_current)
        .outerjoin(Manager, Manager.id == User.manager_id)
        .outerjoin(Program, Program.id == Assignment.program_id)
    )


@dataclass
class Page:
    rows: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.total, self.page * self.per_page)


def count_of(scope: Scope, f: Filters) -> int:
    return db.session.scalar(counted(select(func.count()), scope, f))


def report_page(scope: Scope, f: Filters, page: int = 1, per_page: int = 50) -> Page:
    """Return one page of the assignments report, by person then module, and the total."""
    total = count_of(scope, f)
    page = min(max(1, page), max(1, ceil(total / per_page)))
    rows = db.session.execute(
        report_select(scope, f)
        .order_by(User.full_name, User.id, ModuleVersion.title)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(rows, total, page, per_page)


def iter_report_rows(scope: Scope, f: Filters, batch_size: int = 5000) -> Iterator[Row]:
    """Yield every row of the report in assignment order, `batch_size` assignment ids at a time.

    Each query covers one window of ids, so memory stays flat, no cursor stays
    open between batches, and no plan can make a batch read the rows after it
    (`id > last ... LIMIT n` can, when the planner misjudges the small tables).
    """
    connection = db.session.connection()  # plain rows: the ORM's result layer adds nothing here
    for query in report_windows(scope, f, batch_size):
        yield from connection.execute(query)


def report_windows(scope: Scope, f: Filters, batch_size: int) -> Iterator[Select]:
    """Yield the report's query for each window of `batch_size` assignment ids, in id order.

    What `iter_report_rows` runs, and what the CSV export on PostgreSQL hands to `COPY`.
    """
    query = report_select(scope, f, dates_as_text=True).order_by(Assignment.id)
    for low, high in id_windows(Assignment.id, batch_size):
        yield query.where(Assignment.id > low, Assignment.id <= high)


def id_windows(column: Any, size: int) -> Iterator[tuple[int, int]]:
    """Yield (low, high] windows of `size` ids covering every id of `column`'s table."""
    low, high = db.session.execute(select(func.min(column), func.max(column))).one()
    if low is None:
        return
    for start in range(low - 1, high, size):
        yield start, start + size


# -- choices for filter forms ----------------------------------------------------------------


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
            .join(ModuleVersion, (ModuleVersion.module_id == Module.id) & ModuleVersion.is_current)
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
