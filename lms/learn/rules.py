"""The order of a learner's list of modules: what needs doing first (issue 17).

1. Late: overdue (oldest due date first), and expired (oldest expiry first), mixed by that date.
2. To do: in progress and not started, the soonest due first; on the same due date
   the one in progress before the one not started.
3. Renewal open (due_soon): the soonest expiry first.
4. Complete: the soonest expiry first, those that never expire last.
5. Exempt.

Among equals (same group, date and progress), the welcome module (slug "welcome", the
first of the onboarding program) comes first, then by title.
"""

from __future__ import annotations

from datetime import date

from lms.status import (
    COMPLETE,
    DUE_SOON,
    EXEMPT,
    EXPIRED,
    IN_PROGRESS,
    NOT_STARTED,
    OVERDUE,
)

WELCOME_SLUG = "welcome"
LATE = frozenset({OVERDUE, EXPIRED})
GROUPS = {
    OVERDUE: 0,
    EXPIRED: 0,
    IN_PROGRESS: 1,
    NOT_STARTED: 1,
    DUE_SOON: 2,
    COMPLETE: 3,
    EXEMPT: 4,
}


def todo_order(
    status: str, *, due_date: date, expires_on: date | None, slug: str, title: str
) -> tuple:
    """Return the sort key of one assignment in the learner's list (see the module docstring)."""
    group = GROUPS[status]
    if status in (OVERDUE, IN_PROGRESS, NOT_STARTED):
        when = due_date
    elif status == EXEMPT:
        when = date.max
    else:
        when = expires_on or date.max
    return (group, when, 0 if status == IN_PROGRESS else 1, slug != WELCOME_SLUG, title)


def late_count(statuses) -> int:
    """How many are overdue or expired: the number the progress card shows first."""
    return sum(1 for status in statuses if status in LATE)
