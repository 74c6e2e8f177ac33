"""What one assignment adds to the compliance summary, and a day's counts read back from it.

A status depends on the day (due dates pass, renewal windows open, certificates
expire), so the summary does not store statuses. It stores, for each
(scope, department, module), how many assignments are in each *kind* with each
*key day*; the status on any day follows from comparing the key day with it:

| kind | key day | status on day T |
| --- | --- | --- |
| `x` exempt | none | exempt |
| `c` complete, never lapses | none | complete |
| `n` not started | due date | not_started; overdue once due date < T |
| `p` in progress | due date | in_progress; overdue once due date < T |
| `w` complete, lapses | first day of the renewal window | complete; due_soon once it is <= T |
| `e` (beside every `w`) | expiry day | expired once it is < T |

The window key is `min(renewal_opens_on, expires_on + 1)` (`expires_on + 1`
when there is no window), so `w` counts <= T minus `e` counts < T is exactly
the due_soon count: `lms.status.assignment_status` rule by rule.

Each count is kept at three resolutions (`LEVELS`): the year, the month and
the day of its key day. "How many before day X" is then the year rows before
X's year, the month rows of X's year before X's month, and the day rows of
X's month before X: at most ~50 rows per kind whatever the number of people,
and any day (past or future) is answered the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from lms.models.compliance import NO_DAY
from lms.status import (
    COMPLETE,
    DUE_SOON,
    EXEMPT,
    EXPIRED,
    IN_PROGRESS,
    NOT_STARTED,
    OVERDUE,
    STATUSES,
)

KIND_EXEMPT = "x"
KIND_COMPLETE = "c"
KIND_NOT_STARTED = "n"
KIND_IN_PROGRESS = "p"
KIND_WINDOW = "w"
KIND_EXPIRY = "e"
KINDS = (KIND_EXEMPT, KIND_COMPLETE, KIND_NOT_STARTED, KIND_IN_PROGRESS, KIND_WINDOW, KIND_EXPIRY)
LEVELS = ("y", "m", "d")


def contributions(
    *,
    is_exempt: bool,
    completed_on: date | None,
    started_on: date | None,
    due_date: date,
    expires_on: date | None,
    renewal_opens_on: date | None,
) -> list[tuple[str, date]]:
    """Return the (kind, key day) pairs one counted assignment adds to the summary."""
    if is_exempt:
        return [(KIND_EXEMPT, NO_DAY)]
    if completed_on is None:
        return [(KIND_IN_PROGRESS if started_on is not None else KIND_NOT_STARTED, due_date)]
    if expires_on is None:
        return [(KIND_COMPLETE, NO_DAY)]
    after_expiry = expires_on + timedelta(days=1)
    window = after_expiry if renewal_opens_on is None else min(renewal_opens_on, after_expiry)
    return [(KIND_WINDOW, window), (KIND_EXPIRY, expires_on)]


def bucket(day: date, level: str) -> date:
    """Return the day a count keyed on `day` is stored under at `level`."""
    if level == "y":
        return date(day.year, 1, 1)
    if level == "m":
        return date(day.year, day.month, 1)
    return day


def before_ranges(limit: date) -> dict[str, tuple[date | None, date]]:
    """Return, per level, the [low, high) stored days whose rows together count key days < `limit`."""
    year, month = bucket(limit, "y"), bucket(limit, "m")
    return {"y": (None, year), "m": (year, month), "d": (month, limit)}


def in_range(level: str, day: date, limit: date) -> bool:
    low, high = before_ranges(limit)[level]
    return (low is None or day >= low) and day < high


@dataclass
class KindCounts:
    """One kind's counts in one cell: all of them, those keyed before T, and those keyed <= T."""

    total: int = 0
    before: int = 0
    upto: int = 0


def statuses_from(kinds: Mapping[str, KindCounts]) -> dict[str, int]:
    """Return the count of every status (zeros included) on day T from one cell's kind counts."""
    k = {kind: kinds.get(kind, KindCounts()) for kind in KINDS}
    counts = dict.fromkeys(STATUSES, 0)
    counts[EXEMPT] = k[KIND_EXEMPT].total
    counts[OVERDUE] = k[KIND_NOT_STARTED].before + k[KIND_IN_PROGRESS].before
    counts[NOT_STARTED] = k[KIND_NOT_STARTED].total - k[KIND_NOT_STARTED].before
    counts[IN_PROGRESS] = k[KIND_IN_PROGRESS].total - k[KIND_IN_PROGRESS].before
    counts[EXPIRED] = k[KIND_EXPIRY].before
    counts[DUE_SOON] = k[KIND_WINDOW].upto - k[KIND_EXPIRY].before
    counts[COMPLETE] = k[KIND_COMPLETE].total + k[KIND_WINDOW].total - k[KIND_WINDOW].upto
    return counts


def kind_counts(rows: Iterable[tuple[str, str, date, int]], today: date) -> dict[str, KindCounts]:
    """Fold stored (kind, level, day, n) rows of one cell into `KindCounts` for `today`.

    The plain-Python twin of the SQL in `lms.compliance.queries`, for the tests.
    """
    tomorrow = today + timedelta(days=1)
    out: dict[str, KindCounts] = {}
    for kind, level, day, n in rows:
        c = out.setdefault(kind, KindCounts())
        if level == "y":
            c.total += n
        if in_range(level, day, today):
            c.before += n
        if in_range(level, day, tomorrow):
            c.upto += n
    return out
