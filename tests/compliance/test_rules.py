"""`lms.compliance.rules` against `lms.status.assignment_status`, case by case and day by day."""

from datetime import date, timedelta
from itertools import product

import pytest

from lms.compliance.rules import LEVELS, bucket, contributions, kind_counts, statuses_from
from lms.status import assignment_status, count_statuses

D = date(2024, 12, 30)  # the key days below straddle a month and a year end


def day(n: int | None) -> date | None:
    return None if n is None else D + timedelta(days=n)


# (is_exempt, completed_on, started_on, due_date, expires_on, renewal_opens_on) as day offsets.
CASES = [
    (True, None, None, 0, None, None),
    (True, -5, None, 0, 3, 1),
    (False, None, None, 0, None, None),
    (False, None, -3, 2, None, None),
    (False, -10, None, 0, None, None),
    (False, -10, None, 0, 3, 1),
    (False, -10, None, 0, 3, 3),
    (False, -10, None, 0, 3, None),
    (False, -10, None, 0, 3, 9),  # a window opening after expiry never opens
    (False, -10, None, 0, 0, -40),
]


def status_on(today: date, facts: dict) -> str:
    started = facts["started_on"] is not None
    rest = {k: v for k, v in facts.items() if k != "started_on"}
    return assignment_status(today, **rest, is_started=started)


def stored_rows(facts: dict) -> list[tuple[str, str, date, int]]:
    return [
        (kind, level, bucket(key, level), 1)
        for kind, key in contributions(**facts)
        for level in LEVELS
    ]


@pytest.mark.parametrize("case", CASES)
def test_the_counts_read_back_are_the_statuses_on_every_day(case):
    exempt, completed, started, due, expires, opens = case
    facts = {
        "is_exempt": exempt,
        "completed_on": day(completed),
        "started_on": day(started),
        "due_date": day(due),
        "expires_on": day(expires),
        "renewal_opens_on": day(opens),
    }
    rows = stored_rows(facts)
    for offset in range(-70, 70):
        today = D + timedelta(days=offset)
        status = status_on(today, facts)
        assert statuses_from(kind_counts(rows, today)) == count_statuses([status]), (case, offset)


def test_many_assignments_add_up():
    cases = [
        dict(
            zip(
                ("is_exempt", "completed_on", "started_on", "due_date", "expires_on"),
                values,
                strict=True,
            )
        )
        for values in product(
            (False, True), (None, day(-3)), (None, day(-1)), (day(-2), day(40)), (None, day(35))
        )
    ]
    facts = [{**c, "renewal_opens_on": day(5) if c["expires_on"] else None} for c in cases]
    rows = [row for f in facts for row in stored_rows(f)]
    for offset in (-400, -3, 0, 5, 31, 36, 41, 400):
        today = D + timedelta(days=offset)
        expected = count_statuses(status_on(today, f) for f in facts)
        assert statuses_from(kind_counts(rows, today)) == expected, offset
