"""The assignments report: one row per counted assignment, a page at a time or in CSV batches."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Row, Select, String, cast, func, select
from sqlalchemy.orm import aliased

from lms.extensions import db
from lms.models import Assignment, Module, ModuleVersion, Program, User
from lms.models.content import current_version
from lms.reports.filters import Filters, counted
from lms.reports.paging import Page, clamp_page
from lms.reports.scope import Scope
from lms.reports.status_sql import status_case

Manager = aliased(User, name="manager")

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
        .join(ModuleVersion, current_version())
        .outerjoin(Manager, Manager.id == User.manager_id)
        .outerjoin(Program, Program.id == Assignment.program_id)
    )


def count_of(scope: Scope, f: Filters) -> int:
    return db.session.scalar(counted(select(func.count()), scope, f))


def report_page(scope: Scope, f: Filters, page: int = 1, per_page: int = 50) -> Page:
    """Return one page of the assignments report, by person then module, and the total."""
    total = count_of(scope, f)
    page = clamp_page(page, total, per_page)
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
