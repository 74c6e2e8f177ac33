"""The HR organisation fixture, and a full recount to hold the summary to."""

from datetime import date

from sqlalchemy import func, select

from lms.compliance.operations import summarised_managers
from lms.compliance.queries import cell_counts
from lms.extensions import db
from lms.models import Assignment, User
from lms.reports.dashboard import BY_STATUS
from lms.reports.filters import Filters, counted
from lms.reports.scope import Scope
from lms.reports.status_sql import status_case
from tests.hr.conftest import login, org, org_content  # noqa: F401 - fixtures reused here


def recounted(as_of: date, scope_id: int | None = None) -> dict:
    """Return {(department, module id): {status: count}} counted from every assignment."""
    status = status_case(as_of).label("status")
    rows = db.session.execute(
        counted(
            select(User.department, Assignment.module_id, status, func.count()),
            Scope(manager_id=scope_id),
            Filters(as_of=as_of),
        ).group_by(User.department, Assignment.module_id, BY_STATUS)
    ).all()
    cells: dict = {}
    for department, module_id, name, n in rows:
        cells.setdefault((department, module_id), {})[name] = n
    return cells


def summarised(as_of: date, scope_id: int | None = None) -> dict:
    """The summary's cells without their zero counts, to compare with `recounted`."""
    return {
        key: {name: n for name, n in counts.items() if n}
        for key, counts in cell_counts(as_of, scope_id).items()
    }


def managers() -> list[int]:
    """The managers with figures of their own: each one is checked against a recount."""
    return sorted(summarised_managers())
