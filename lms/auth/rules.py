"""When a signed-in session still holds: plain functions of plain values and a time."""

from __future__ import annotations

from datetime import datetime, timedelta


def session_expires_at(
    started_at: datetime, *, remembered: bool, session_hours: int, remember_days: int
) -> datetime:
    """Return when a session started at `started_at` ends on its own, whatever happens.

    A plain sign-in lasts `session_hours` (LMS_SESSION_HOURS: a working day, so a
    browser left open does not stay signed in for weeks); "keep me signed in" lasts
    `remember_days` (LMS_REMEMBER_DAYS) and then asks for the password again.
    """
    if remembered:
        return started_at + timedelta(days=remember_days)
    return started_at + timedelta(hours=session_hours)


def is_session_live(
    *,
    is_active: bool,
    session_version: int,
    user_version: int,
    expires_at: datetime,
    revoked_at: datetime | None,
    now: datetime,
) -> bool:
    """Whether a session still signs its person in (DESIGN "Signing in").

    It ends when revoked (signing out), when it expires, when the person leaves
    (`is_active`), and when their `session_version` is raised past the one it
    started under (a password or email change, leaving: every session at once,
    remembered ones included).
    """
    return is_active and revoked_at is None and user_version == session_version and now < expires_at
