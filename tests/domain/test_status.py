from datetime import date

import pytest

from lms.periods import parse_period
from lms.status import (
    assignment_status,
    attempts_left,
    compliance_rate,
    count_statuses,
    due_date_for,
    expiry_for,
    next_step,
    renewal_opens_for,
)

D = date
DUE = D(2026, 3, 31)
EXPIRY = D(2027, 3, 31)
OPENS = D(2027, 3, 1)


@pytest.mark.parametrize(
    ("today", "fields", "expected"),
    [
        # exempt beats everything
        (D(2026, 5, 1), {"is_exempt": True}, "exempt"),
        (
            D(2028, 1, 1),
            {"is_exempt": True, "completed_on": D(2026, 3, 1), "expires_on": EXPIRY},
            "exempt",
        ),
        # never completed
        (D(2026, 3, 1), {}, "not_started"),
        (DUE, {}, "not_started"),  # the due date itself is not overdue
        (D(2026, 3, 1), {"is_started": True}, "in_progress"),
        (D(2026, 4, 1), {}, "overdue"),
        (D(2026, 4, 1), {"is_started": True}, "overdue"),
        # completed
        (
            D(2026, 6, 1),
            {"completed_on": D(2026, 3, 1), "expires_on": EXPIRY, "renewal_opens_on": OPENS},
            "complete",
        ),
        (
            D(2027, 2, 28),
            {"completed_on": D(2026, 3, 1), "expires_on": EXPIRY, "renewal_opens_on": OPENS},
            "complete",
        ),
        (
            OPENS,
            {"completed_on": D(2026, 3, 1), "expires_on": EXPIRY, "renewal_opens_on": OPENS},
            "due_soon",
        ),
        (
            EXPIRY,
            {"completed_on": D(2026, 3, 1), "expires_on": EXPIRY, "renewal_opens_on": OPENS},
            "due_soon",
        ),
        (
            D(2027, 4, 1),
            {"completed_on": D(2026, 3, 1), "expires_on": EXPIRY, "renewal_opens_on": OPENS},
            "expired",
        ),
        # one-time training never lapses
        (D(2040, 1, 1), {"completed_on": D(2026, 3, 1)}, "complete"),
    ],
)
def test_assignment_status_follows_the_training_rules(today, fields, expected):
    values = {"due_date": DUE, "completed_on": None, "expires_on": None, "renewal_opens_on": None}
    values.update(fields)
    assert assignment_status(today, **values) == expected


@pytest.mark.parametrize(
    ("hire", "assigned", "days", "expected"),
    [
        (D(2026, 3, 1), D(2026, 3, 1), 30, D(2026, 3, 31)),  # hired today
        (D(2026, 3, 10), D(2026, 3, 1), 30, D(2026, 4, 9)),  # imported before the start date
        (D(2026, 3, 1), D(2026, 3, 20), 30, D(2026, 3, 31)),  # hire still inside due_days
        (D(2026, 3, 1), D(2026, 3, 31), 30, D(2026, 3, 31)),  # assigned on the last day: a hire
        (D(2026, 3, 1), D(2026, 4, 1), 30, D(2026, 5, 1)),  # the day after: from assignment
        (D(2024, 1, 1), D(2026, 3, 1), 30, D(2026, 3, 31)),  # long-standing staff: from assignment
        (None, D(2026, 3, 1), 14, D(2026, 3, 15)),
    ],
)
def test_due_date_counts_from_hire_for_hires_and_from_assignment_otherwise(
    hire, assigned, days, expected
):
    assert due_date_for(hire, assigned, days) == expected


@pytest.mark.parametrize(
    ("hire", "transferred", "assigned", "expected"),
    [
        (D(2026, 3, 1), D(2026, 3, 10), D(2026, 3, 10), D(2026, 4, 9)),  # new hire moves: from move
        (D(2024, 1, 1), D(2026, 3, 1), D(2026, 3, 1), D(2026, 3, 31)),  # long-standing: from move
        (
            D(2024, 1, 1),
            D(2026, 3, 1),
            D(2026, 3, 20),
            D(2026, 3, 31),
        ),  # assigned later: still move
        (D(2024, 1, 1), D(2026, 1, 1), D(2026, 3, 1), D(2026, 3, 31)),  # move long ago: assignment
        (D(2026, 3, 10), D(2026, 3, 1), D(2026, 3, 1), D(2026, 4, 9)),  # moved before starting
        (None, D(2026, 3, 5), D(2026, 3, 5), D(2026, 4, 4)),
    ],
)
def test_due_date_counts_from_a_transfer_like_a_new_start(hire, transferred, assigned, expected):
    assert due_date_for(hire, assigned, 30, transferred) == expected


YEAR = parse_period("1 year")
MONTH = parse_period("1 month")


@pytest.mark.parametrize(
    ("completed", "period", "due", "previous", "expected"),
    [
        # first completion on time: one period after the due date
        (D(2026, 3, 10), YEAR, D(2026, 3, 31), None, D(2027, 3, 31)),
        (D(2026, 3, 31), YEAR, D(2026, 3, 31), None, D(2027, 3, 31)),
        # late first completion: one period after the completion day
        (D(2026, 4, 15), YEAR, D(2026, 3, 31), None, D(2027, 4, 15)),
        # renewal inside the window keeps the anniversary
        (D(2027, 3, 5), YEAR, None, D(2027, 3, 31), D(2028, 3, 31)),
        (D(2027, 3, 31), YEAR, None, D(2027, 3, 31), D(2028, 3, 31)),
        # renewal after expiry runs from the completion day
        (D(2027, 4, 10), YEAR, None, D(2027, 3, 31), D(2028, 4, 10)),
        # month-end clamping: 31 January, 29 February, year end
        (D(2026, 1, 20), MONTH, D(2026, 1, 31), None, D(2026, 2, 28)),
        (D(2028, 1, 31), MONTH, D(2028, 1, 31), None, D(2028, 2, 29)),
        (D(2028, 2, 29), YEAR, D(2028, 2, 29), None, D(2029, 2, 28)),
        (D(2026, 12, 31), MONTH, D(2026, 12, 31), None, D(2027, 1, 31)),
        # one-time training
        (D(2026, 3, 10), None, D(2026, 3, 31), None, None),
    ],
)
def test_expiry_follows_totaras_default_rule(completed, period, due, previous, expected):
    assert expiry_for(completed, period, due_date=due, previous_expiry=previous) == expected


@pytest.mark.parametrize(
    ("expires", "window", "expected"),
    [
        (D(2027, 3, 31), "30 days", D(2027, 3, 1)),
        (D(2027, 3, 31), "1 month", D(2027, 2, 28)),
        (D(2027, 3, 31), "1 year", D(2026, 3, 31)),  # years are 12 months back
        (D(2028, 2, 29), "1 year", D(2027, 2, 28)),
        (D(2027, 3, 31), "2 weeks", D(2027, 3, 17)),
        (D(2027, 3, 31), None, D(2027, 3, 31)),
        (None, "30 days", None),
    ],
)
def test_renewal_window_opens_the_window_before_expiry(expires, window, expected):
    assert renewal_opens_for(expires, parse_period(window) if window else None) == expected


@pytest.mark.parametrize(
    ("limit", "used", "extra", "expected"),
    [(3, 0, 0, 3), (3, 3, 0, 0), (3, 3, 2, 2), (3, 5, 0, 0), (None, 9, 0, None)],
)
def test_attempts_left(limit, used, extra, expected):
    assert attempts_left(limit, used, extra) == expected


def test_attempts_left_counts_no_extra_attempts_unless_granted():
    assert attempts_left(3, 1) == 2


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # (complete + due_soon + exempt) / everything but not_started and in_progress
        (
            {
                "complete": 2,
                "due_soon": 1,
                "exempt": 1,
                "overdue": 3,
                "expired": 1,
                "not_started": 5,
                "in_progress": 4,
            },
            4 / 8,
        ),
        ({"complete": 3, "not_started": 9}, 1.0),  # statuses left out count as none
        ({"overdue": 1, "in_progress": 2}, 0.0),
        ({"expired": 1, "exempt": 3}, 3 / 4),
    ],
)
def test_compliance_rate_leaves_pending_out(counts, expected):
    assert compliance_rate(counts) == expected


def test_count_statuses_counts_every_status_zeros_included():
    assert count_statuses(["overdue", "complete", "overdue", "exempt"]) == {
        "not_started": 0,
        "in_progress": 0,
        "overdue": 2,
        "due_soon": 0,
        "complete": 1,
        "expired": 0,
        "exempt": 1,
    }


def test_compliance_rate_is_none_when_nothing_counts():
    assert compliance_rate(count_statuses(["not_started"])) is None


@pytest.mark.parametrize(
    ("status", "flags", "expected"),
    [
        ("exempt", {}, "exempt"),
        ("complete", {}, "done"),
        ("not_started", {}, "start"),
        ("overdue", {"has_open_attempt": True}, "resume"),
        ("in_progress", {"has_unsigned_pass": True, "has_open_attempt": True}, "sign"),
        ("in_progress", {"attempts_remaining": 0}, "locked"),
        ("due_soon", {}, "start"),
        ("expired", {"attempts_remaining": 0}, "locked"),
        ("not_started", {"has_quiz": False}, "start"),
    ],
)
def test_next_step(status, flags, expected):
    values = {
        "has_quiz": True,
        "has_open_attempt": False,
        "has_unsigned_pass": False,
        "attempts_remaining": 2,
    }
    values.update(flags)
    assert next_step(status, **values) == expected
