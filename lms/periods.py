"""Periods such as `1 year` or `30 days`, and calendar arithmetic with them."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

UNITS = ("day", "week", "month", "year")
MAX_PERIOD_DAYS = 100 * 365  # a century: renewal periods and windows are years at most
_PERIOD = re.compile(r"^\s*(\d+)\s*(day|week|month|year)s?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    amount: int
    unit: str  # one of UNITS

    def __str__(self) -> str:
        return f"{self.amount} {self.unit}{'' if self.amount == 1 else 's'}"


def parse_period(text: str) -> Period:
    """Parse `N days|weeks|months|years`; raise ValueError for anything else."""
    match = _PERIOD.match(str(text))
    if not match or int(match.group(1)) <= 0:
        raise ValueError(
            f"{text!r} is not a period; write a positive number and a unit, like '1 year' or '30 days'"
        )
    period = Period(int(match.group(1)), match.group(2).lower())
    if approximate_days(period) > MAX_PERIOD_DAYS:
        # Longer ones overflowed the dates they were added to (99999 years from today).
        raise ValueError(f"{text!r} is longer than {MAX_PERIOD_DAYS // 365} years")
    return period


def add_months(start: date, months: int) -> date:
    """Add calendar months, clamping to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def add_period(start: date, period: Period) -> date:
    """Return `start` moved forward by `period`; years are 12 calendar months."""
    if period.unit == "day":
        return start + timedelta(days=period.amount)
    if period.unit == "week":
        return start + timedelta(weeks=period.amount)
    if period.unit == "month":
        return add_months(start, period.amount)
    return add_months(start, 12 * period.amount)


def subtract_period(end: date, period: Period) -> date:
    """Return `end` moved back by `period`, clamping at month end like `add_period`."""
    if period.unit in ("day", "week"):
        days = period.amount * (7 if period.unit == "week" else 1)
        return end - timedelta(days=days)
    months = period.amount * (12 if period.unit == "year" else 1)
    return add_months(end, -months)


DAYS_PER_UNIT = {"day": 1, "week": 7, "month": 30, "year": 365}


def approximate_days(period: Period) -> int:
    """Return a period's length in days, months as 30 and years as 365, for comparing periods."""
    return period.amount * DAYS_PER_UNIT[period.unit]
