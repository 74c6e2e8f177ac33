"""`lms.status.assignment_status` as a SQL CASE expression, so reports count in the database.

tests/hr/test_status_sql.py runs both over a table of cases (and every
combination of dates around the day) so that the two can never disagree.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, case, literal
from sqlalchemy.sql.elements import ColumnElement

from lms.models import Assignment
from lms.status import (
    COMPLETE,
    COMPLIANT,
    DUE_SOON,
    EXEMPT,
    EXPIRED,
    IN_PROGRESS,
    NOT_STARTED,
    OVERDUE,
    PENDING,
)


def status_case(today: date) -> ColumnElement[str]:
    """Return the status of `Assignment` on `today`, in the order `assignment_status` decides it."""
    day = literal(today, Date)
    a = Assignment
    return case(
        (a.exempt_reason.is_not(None), EXEMPT),
        (a.completed_on.is_(None) & (a.due_date < day), OVERDUE),
        (a.completed_on.is_(None) & a.started_on.is_not(None), IN_PROGRESS),
        (a.completed_on.is_(None), NOT_STARTED),
        (a.expires_on.is_(None), COMPLETE),
        (a.expires_on < day, EXPIRED),
        (a.renewal_opens_on.is_not(None) & (a.renewal_opens_on <= day), DUE_SOON),
        else_=COMPLETE,
    )


def status_condition(status: str, today: date) -> ColumnElement[bool]:
    """Return a WHERE condition true exactly when `status_case(today) == status`.

    The same rules as plain comparisons, so the database can rule a row out on
    its first column (`completed_on IS NULL`, say) without working out the CASE.
    """
    day = literal(today, Date)
    a = Assignment
    waived, done = a.exempt_reason.is_not(None), a.completed_on.is_not(None)
    lapses = a.expires_on.is_not(None)
    window_open = a.renewal_opens_on.is_not(None) & (a.renewal_opens_on <= day)
    conditions = {
        EXEMPT: waived,
        OVERDUE: ~waived & ~done & (a.due_date < day),
        IN_PROGRESS: ~waived & ~done & (a.due_date >= day) & a.started_on.is_not(None),
        NOT_STARTED: ~waived & ~done & (a.due_date >= day) & a.started_on.is_(None),
        EXPIRED: ~waived & done & lapses & (a.expires_on < day),
        DUE_SOON: ~waived & done & lapses & (a.expires_on >= day) & window_open,
        COMPLETE: ~waived & done & (~lapses | ((a.expires_on >= day) & ~window_open)),
    }
    return conditions[status]


# Statuses a report filter may ask for, beyond the single ones: groups shown on the dashboard.
STATUS_GROUPS = {
    "pending": PENDING,
    "compliant": COMPLIANT,
    "noncompliant": frozenset({OVERDUE, EXPIRED}),
}


def statuses_for(name: str) -> frozenset[str]:
    """Return the single statuses a filter name stands for (`overdue`, or a group like `pending`)."""
    return STATUS_GROUPS.get(name, frozenset({name}))
