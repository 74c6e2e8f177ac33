"""`status_case` (SQL) and `assignment_status` (Python) agree on every combination of dates."""

import itertools
from datetime import date, timedelta

import pytest
from sqlalchemy import insert, select

from lms.extensions import db
from lms.models import Assignment, Module, User
from lms.reports.status_sql import STATUS_GROUPS, status_case, status_condition, statuses_for
from lms.status import STATUSES, assignment_status

DAY = date(2026, 3, 31)
AROUND = [None, DAY - timedelta(days=1), DAY, DAY + timedelta(days=1)]


def combinations():
    """Every combination of each date before, on, after the day (or missing), exempt and started."""
    for due, completed, expires, opens, exempt, started in itertools.product(
        AROUND[1:], [None, DAY - timedelta(days=300)], AROUND, AROUND, [False, True], [False, True]
    ):
        yield {
            "due_date": due,
            "completed_on": completed,
            "expires_on": expires,
            "renewal_opens_on": opens,
            "is_exempt": exempt,
            "is_started": started,
        }


@pytest.fixture
def rows(app):
    """Insert one assignment per combination and return {assignment id: fields}."""
    cases = list(combinations())
    db.session.execute(insert(Module), [{"slug": "m"}])
    module_id = db.session.scalar(select(Module.id))
    db.session.execute(
        insert(User),
        [{"email": f"u{i}@example.com", "full_name": f"U {i}"} for i in range(len(cases))],
    )
    user_ids = db.session.scalars(select(User.id).order_by(User.id)).all()
    db.session.execute(
        insert(Assignment),
        [
            {
                "user_id": uid,
                "module_id": module_id,
                "assigned_on": DAY - timedelta(days=400),
                "due_date": c["due_date"],
                "completed_on": c["completed_on"],
                "expires_on": c["expires_on"],
                "renewal_opens_on": c["renewal_opens_on"],
                "exempt_reason": "waived" if c["is_exempt"] else None,
                "started_on": DAY - timedelta(days=2) if c["is_started"] else None,
            }
            for uid, c in zip(user_ids, cases, strict=True)
        ],
    )
    ids = db.session.scalars(select(Assignment.id).order_by(Assignment.user_id)).all()
    return dict(zip(ids, cases, strict=True))


@pytest.mark.parametrize("today", [DAY - timedelta(days=2), DAY, DAY + timedelta(days=2)])
def test_sql_status_matches_the_python_rule_for_every_combination(rows, today):
    sql = dict(db.session.execute(select(Assignment.id, status_case(today))).all())
    mismatches = {
        aid: (sql[aid], assignment_status(today, **fields))
        for aid, fields in rows.items()
        if sql[aid] != assignment_status(today, **fields)
    }
    assert mismatches == {}
    assert len(rows) == 384


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("today", [DAY - timedelta(days=2), DAY, DAY + timedelta(days=2)])
def test_status_conditions_select_exactly_the_rows_with_that_status(rows, status, today):
    selected = set(db.session.scalars(select(Assignment.id).where(status_condition(status, today))))
    expected = {aid for aid, fields in rows.items() if assignment_status(today, **fields) == status}
    assert selected == expected


def test_every_status_occurs_in_the_table_of_cases(rows):
    seen = set(db.session.scalars(select(status_case(DAY))))
    assert seen == set(STATUSES)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("overdue", {"overdue"}),
        ("pending", {"not_started", "in_progress"}),
        ("compliant", {"complete", "due_soon", "exempt"}),
        ("noncompliant", {"overdue", "expired"}),
    ],
)
def test_status_filter_names_stand_for_single_statuses(name, expected):
    assert statuses_for(name) == expected
    assert set(STATUS_GROUPS) == {"pending", "compliant", "noncompliant"}
