"""Assignment status, due dates, expiry and compliance: the training rules of DESIGN.md.

Plain functions of plain values and a day; views, reports and jobs call these
and never re-derive a rule. `lms.reports.status_sql.status_case` is the same table as a
SQL expression, so that reports can count statuses in the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from lms.periods import Period, add_period, subtract_period

EXEMPT = "exempt"
NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
OVERDUE = "overdue"
COMPLETE = "complete"
DUE_SOON = "due_soon"
EXPIRED = "expired"

STATUSES = (NOT_STARTED, IN_PROGRESS, OVERDUE, DUE_SOON, COMPLETE, EXPIRED, EXEMPT)
PENDING = frozenset({NOT_STARTED, IN_PROGRESS})
COMPLIANT = frozenset({COMPLETE, DUE_SOON, EXEMPT})
LABELS = {
    NOT_STARTED: "Not started",
    IN_PROGRESS: "In progress",
    OVERDUE: "Overdue",
    COMPLETE: "Complete",
    DUE_SOON: "Renewal open",
    EXPIRED: "Expired",
    EXEMPT: "Exempt",
}


def assignment_status(
    today: date,
    *,
    due_date: date,
    completed_on: date | None,
    expires_on: date | None,
    renewal_opens_on: date | None,
    is_exempt: bool = False,
    is_started: bool = False,
) -> str:
    """Return the status of an assignment on `today` (DESIGN.md, "Training rules").

    exempt beats everything; without a completion it is not_started/in_progress
    until the due date and overdue after it; with one it is complete until the
    renewal window opens, due_soon inside the window (expiry day included) and
    expired after the expiry day. A completion without expiry never lapses.
    """
    if is_exempt:
        return EXEMPT
    if completed_on is None:
        if today > due_date:
            return OVERDUE
        return IN_PROGRESS if is_started else NOT_STARTED
    if expires_on is None:
        return COMPLETE
    if today > expires_on:
        return EXPIRED
    if renewal_opens_on is not None and today >= renewal_opens_on:
        return DUE_SOON
    return COMPLETE


def due_date_for(
    hire_date: date | None, assigned_on: date, due_days: int, transferred_on: date | None = None
) -> date:
    """Return the due date of a new assignment.

    DESIGN.md: due_days count "after hire date for hires, after assignment
    otherwise". A person is a hire for a program when they are assigned within
    its due_days of starting (or before they start); someone who has been here
    longer is given the full due_days from the day of assignment, never a date
    already in the past. A transfer (a new department or role, after the hire
    date) is a new start: training it brings is due from the transfer.
    """
    start = hire_date
    if transferred_on is not None and (hire_date is None or transferred_on > hire_date):
        start = transferred_on
    if start is not None:
        from_start = start + timedelta(days=due_days)
        if from_start >= assigned_on:
            return from_start
    return assigned_on + timedelta(days=due_days)


def expiry_for(
    completed_on: date,
    renew_every: Period | None,
    *,
    due_date: date | None,
    previous_expiry: date | None,
) -> date | None:
    """Return when a completion expires (Totara's default expiry rule).

    First completion: on or before the due date, one period after the due date;
    late, one period after the completion day. Renewal: on or before the old
    expiry, one period after the old expiry (the anniversary is kept); after
    it, one period after the completion day. One-time training never expires.
    """
    if renew_every is None:
        return None
    if previous_expiry is not None:
        anchor = previous_expiry if completed_on <= previous_expiry else completed_on
    elif due_date is not None and completed_on <= due_date:
        anchor = due_date
    else:
        anchor = completed_on
    return add_period(anchor, renew_every)


def renewal_opens_for(expires_on: date | None, window: Period | None) -> date | None:
    """Return the first day of the renewal window: expiry minus the window."""
    if expires_on is None:
        return None
    if window is None:
        return expires_on
    return subtract_period(expires_on, window)


def attempts_left(limit: int | None, used: int, extra: int = 0) -> int | None:
    """Return attempts left in this cycle, or None when attempts are unlimited."""
    if limit is None:
        return None
    return max(0, limit + extra - used)


def compliance_rate(counts: Mapping[str, int]) -> float | None:
    """Return (complete + due_soon + exempt) / (all but pending), or None if nothing counts."""
    counted = sum(n for status, n in counts.items() if status not in PENDING)
    if counted == 0:
        return None
    return sum(counts.get(status, 0) for status in COMPLIANT) / counted


def count_statuses(statuses: Iterable[str]) -> dict[str, int]:
    """Return a count for every status, zeros included."""
    counts = dict.fromkeys(STATUSES, 0)
    for status in statuses:
        counts[status] += 1
    return counts


# What an employee can do next with an assignment (see `next_step`).
STEP_START = "start"  # read the module and take the quiz (or sign, if it has none)
STEP_RESUME = "resume"  # an attempt is open
STEP_SIGN = "sign"  # passed; the attestation is still to be signed
STEP_LOCKED = "locked"  # attempts used up this cycle; HR can grant more
STEP_DONE = "done"  # complete, nothing to do until the renewal window opens
STEP_EXEMPT = "exempt"


def next_step(
    status: str,
    *,
    has_quiz: bool,
    has_open_attempt: bool,
    has_unsigned_pass: bool,
    attempts_remaining: int | None,
) -> str:
    """Return what the employee can do next with an assignment in `status`.

    Work is open before completion and again once the renewal window opens
    (due_soon, expired). A pass waiting for a signature comes first, then an
    open attempt; with no attempts left the module is locked until HR grants more.
    """
    if status == EXEMPT:
        return STEP_EXEMPT
    if status == COMPLETE:
        return STEP_DONE
    if has_unsigned_pass or (not has_quiz):
        return STEP_SIGN if has_unsigned_pass else STEP_START
    if has_open_attempt:
        return STEP_RESUME
    if attempts_remaining == 0:
        return STEP_LOCKED
    return STEP_START
