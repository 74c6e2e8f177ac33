"""Read a day's status counts from the compliance summary: a fixed number of rows per cell.

`cell_counts` answers for one scope (everyone, or a manager's people) and one day,
past or future, with one query that reads each kind's year rows, the month rows
of the day's year and the day rows of the day's month (`lms.compliance.rules`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select, true, tuple_
from sqlalchemy.sql.elements import ColumnElement

from lms.compliance.rules import (
    KindCounts,
    before_ranges,
    bucket,
    statuses_from,
)
from lms.extensions import db
from lms.models import (
    Assignment,
    ComplianceCount,
    ComplianceManager,
    ComplianceScope,
    Module,
    ModuleVersion,
    User,
)
from lms.models.compliance import EVERYONE, NO_DEPARTMENT_KEY
from lms.reports.assignments import count_of as counted_count_of
from lms.reports.assignments import report_select
from lms.reports.dashboard import BY_STATUS, Bar, Dashboard, OverduePerson, module_titles
from lms.reports.dashboard import most_overdue as counted_most_overdue
from lms.reports.dashboard import status_counts as counted_status_counts
from lms.reports.filters import NO_DEPARTMENT, Filters, counted
from lms.reports.paging import KeysetPage
from lms.reports.scope import Scope
from lms.reports.status_sql import STATUS_GROUPS, status_case, statuses_for
from lms.status import OVERDUE, STATUSES

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
    module: str | None = None,
    department: str | None = None,
) -> dict[Cell, dict[str, int]]:
    """Return {(department, module id): {status: count}} of counted assignments on `as_of`.

    `scope_id` is a manager's id (their people, direct and indirect; only for one
    that `has_own_figures`) or None for everyone; `module` (a slug) and `department`
    narrow to one module or department (`NO_DEPARTMENT_KEY` for people with none).
    Archived modules are left out.
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
    if module is not None:
        query = query.where(Module.slug == module)
    if department is not None:
        query = query.where(c.department == department)
    kinds: dict[Cell, dict[str, KindCounts]] = {}
    for dept, mod, kind, all_, before_, upto in db.session.execute(query):
        key = (None if dept == NO_DEPARTMENT_KEY else dept, mod)
        kinds.setdefault(key, {})[kind] = KindCounts(all_, before_, upto)
    cells = {key: statuses_from(k) for key, k in kinds.items()}
    return {key: counts for key, counts in cells.items() if any(counts.values())}


# -- the pages' figures, from the summary --------------------------------------------------

# Filters the summary can answer; any other (program, status, manager, date ranges) is
# counted from the assignments, as before.
SUMMARY_FILTERS = frozenset({"as_of", "department", "module"})
OVERDUE_SAMPLE = 200  # oldest overdue rows read to find the most overdue people's cut-off


@dataclass(frozen=True)
class KeptScope(Scope):
    """A manager's people as `compliance_scopes` lists them (kept by the triggers), read
    through its index instead of walking the management tree on every request."""

    def people(self) -> ColumnElement[bool]:
        if self.manager_id is None:
            return true()
        return User.id.in_(
            select(ComplianceScope.user_id).where(ComplianceScope.scope_id == self.manager_id)
        )


def kept(scope: Scope) -> Scope:
    return scope if scope.is_everyone else KeptScope(manager_id=scope.manager_id)


def summary_scope(scope: Scope) -> int | None:
    """Return the summary scope for a viewer: EVERYONE for HR, the manager's id when their
    team has figures of its own, None when a small team is counted directly."""
    if scope.is_everyone:
        return EVERYONE
    return scope.manager_id if has_own_figures(scope.manager_id) else None


def answerable(scope: Scope, f: Filters) -> int | None:
    """Return the summary scope if the summary can answer `f` for this viewer, else None."""
    if any(getattr(f, name) not in (None, "") for name in vars(f) if name not in SUMMARY_FILTERS):
        return None
    return summary_scope(scope)


def summary_cells(scope_id: int, f: Filters) -> dict[Cell, dict[str, int]]:
    department = None
    if f.department == NO_DEPARTMENT:
        department = NO_DEPARTMENT_KEY
    elif f.department:
        department = f.department
    return cell_counts(
        f.as_of, None if scope_id == EVERYONE else scope_id, module=f.module, department=department
    )


def counted_cells(scope: Scope, f: Filters) -> dict[Cell, dict[str, int]]:
    """Return the same cells as `cell_counts`, counted from every assignment matching `f`."""
    status = status_case(f.as_of).label("status")
    cells: dict[Cell, dict[str, int]] = {}
    for department, module_id, name, n in db.session.execute(
        counted(
            select(User.department, Assignment.module_id, status, func.count()), scope, f
        ).group_by(User.department, Assignment.module_id, BY_STATUS)
    ):
        cells.setdefault((department, module_id), dict.fromkeys(STATUSES, 0))[name] = n
    return cells


def dashboard(scope: Scope, f: Filters, overdue_limit: int = 10) -> Dashboard:
    """Return compliance overall, by department and by module, and the most overdue people.

    Read from the summary when it can answer (`answerable`), else counted from every
    assignment: the same figures, and the same number of statements, either way.
    """
    scope_id = answerable(scope, f)
    scope = kept(scope)
    cells = counted_cells(scope, f) if scope_id is None else summary_cells(scope_id, f)
    titles = module_titles({module_id for _, module_id in cells})
    overall = Bar("", "All")
    departments: dict[str, Bar] = {}
    modules: dict[int, Bar] = {}
    for (department, module_id), counts in cells.items():
        key = department if department is not None else NO_DEPARTMENT
        dept = departments.setdefault(key, Bar(key, department or "No department"))
        slug, title = titles[module_id]
        mod = modules.setdefault(module_id, Bar(slug, title))
        for bar in (overall, dept, mod):
            for status, n in counts.items():
                bar.counts[status] += n
    return Dashboard(
        overall=overall,
        by_department=sorted(departments.values(), key=lambda b: b.label.casefold()),
        by_module=sorted(modules.values(), key=lambda b: b.label.casefold()),
        most_overdue=most_overdue(scope, f, overdue_limit) if overdue_limit > 0 else [],
    )


def status_counts(scope: Scope, f: Filters) -> dict[str, int]:
    """Return a count for every status (zeros included) of the assignments matching `f`."""
    scope_id = answerable(scope, f)
    if scope_id is None:
        return counted_status_counts(kept(scope), f)
    counts = dict.fromkeys(STATUSES, 0)
    for cell in summary_cells(scope_id, f).values():
        for status, n in cell.items():
            counts[status] += n
    return counts


def count_of(scope: Scope, f: Filters) -> int:
    """Return how many assignments match `f` (a status filter included)."""
    if f.status and f.status not in STATUSES and f.status not in STATUS_GROUPS:
        return counted_count_of(kept(scope), f)
    wanted = statuses_for(f.status) if f.status else frozenset(STATUSES)
    without_status = Filters(**{**vars(f), "status": None})
    scope_id = answerable(scope, without_status)
    if scope_id is None:
        return counted_count_of(kept(scope), f)
    cells = summary_cells(scope_id, without_status).values()
    return sum(cell[s] for cell in cells for s in wanted)


def most_overdue(scope: Scope, f: Filters, limit: int) -> list[OverduePerson]:
    """Return the people whose oldest overdue assignment is oldest, with how many they have.

    The oldest overdue rows come first along `ix_assignments_pending_due` (pending
    assignments only); the `limit`-th person met there sets a cut-off day, and only
    the people with something overdue by then are grouped. Everyone in the answer
    has their oldest overdue on or before the cut-off, so nobody is missed.
    """
    scope = kept(scope)
    overdue = Filters(**{**vars(f), "status": OVERDUE})
    oldest_rows = db.session.execute(
        counted(select(Assignment.user_id, Assignment.due_date), scope, overdue)
        .order_by(Assignment.due_date)
        .limit(OVERDUE_SAMPLE)
    ).all()
    firsts: dict[int, date] = {}
    for user_id, due in oldest_rows:
        firsts.setdefault(user_id, due)
    # Fewer than `limit` people met: every overdue row was read (a person has one
    # assignment per module), so group them all.
    candidates = None
    if len(firsts) >= limit:
        cutoff = list(firsts.values())[limit - 1]
        narrowed = Filters(**{**vars(overdue), "due_to": cutoff})
        # Anyone's: the outer query keeps the viewer's people (and one team CTE per statement).
        candidates = counted(select(Assignment.user_id), Scope(), narrowed)
    return counted_most_overdue(scope, f, limit, among=candidates)


# -- the assignments report, a page at a time by keyset --------------------------------------


def report_keys() -> tuple[Any, ...]:
    return (User.full_name, User.id, ModuleVersion.title, Assignment.id)


def report_page(
    scope: Scope,
    f: Filters,
    after: int | None = None,
    before: int | None = None,
    per_page: int = 50,
) -> KeysetPage:
    """Return the report's rows after assignment `after` (or before `before`), and the total.

    The total comes from the summary when it can answer (`count_of`). An unknown
    cursor gives the first page.
    """
    total = count_of(scope, f)
    cursor = after if after is not None else before
    rows = report_rows(scope, f, cursor, forward=before is None or after is not None, n=per_page)
    if cursor is not None and rows is None:
        cursor, rows = None, report_rows(scope, f, None, forward=True, n=per_page)
    rows = rows or []
    forward = cursor is None or after is not None
    more = len(rows) > per_page
    if forward:
        rows = rows[:per_page]
    else:
        rows = list(reversed(rows[:per_page]))
    page = KeysetPage(rows, total, per_page)
    if rows:
        if (forward and more) or (not forward and cursor is not None):
            page.after = rows[-1].assignment_id
        if (forward and cursor is not None) or (not forward and more):
            page.before = rows[0].assignment_id
    return page


def report_rows(
    scope: Scope, f: Filters, cursor: int | None, forward: bool, n: int
) -> list[Any] | None:
    """Return up to n + 1 rows on one side of `cursor` (None if the cursor is no assignment)."""
    keys = report_keys()
    query = report_select(kept(scope), f)
    if cursor is not None:
        # The cursor row's keys as scalar subqueries: the database reads them first, and
        # walks the name index from the cursor's name on (not from the first name).
        at = [
            select(k)
            .select_from(Assignment)
            .join(User, User.id == Assignment.user_id)
            .join(
                ModuleVersion,
                (ModuleVersion.module_id == Assignment.module_id) & ModuleVersion.is_current,
            )
            .where(Assignment.id == cursor)
            .scalar_subquery()
            for k in keys
        ]
        if forward:
            query = query.where(User.full_name >= at[0], tuple_(*keys) > tuple_(*at))
        else:
            query = query.where(User.full_name <= at[0], tuple_(*keys) < tuple_(*at))
    order = keys if forward else tuple(k.desc() for k in keys)
    rows = db.session.execute(query.order_by(*order).limit(n + 1)).all()
    if cursor is not None and not rows:
        exists = db.session.scalar(select(Assignment.id).where(Assignment.id == cursor))
        return [] if exists is not None else None
    return rows
