"""The one way Attest writes a date for people: "2 Dec 2026" (and "2 Dec 2026 14:05").

Registered as the Jinja filters `date` and `datetime`; every template formats its
dates through them, so a page, an email and a certificate never disagree.
"""

from __future__ import annotations

from datetime import date, datetime


def format_date(value: date | datetime | None) -> str:
    """Return "2 Dec 2026" (no leading zero, short month), or "" for None."""
    if value is None:
        return ""
    return f"{value.day} {value:%b %Y}"


def format_datetime(value: datetime | None) -> str:
    """Return "2 Dec 2026 14:05" (the time as stored: UTC), or "" for None."""
    if value is None:
        return ""
    return f"{format_date(value)} {value:%H:%M}"


def register(app) -> None:
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime
