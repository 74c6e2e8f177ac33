"""Idle sign-out on the server: end a session that has been idle too long, else note activity.

Each statement runs and commits on its own connection, outside the request's session:
they are called while the signed-in person is being loaded, before the view starts its
own work.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from lms.extensions import db
from lms.idle.rules import is_idle_expired, needs_touch
from lms.models import UserSession

_sessions = UserSession.__table__


def keep_if_active(session_id: int, last_seen_at: datetime, now: datetime, minutes: int) -> bool:
    """Whether the session still holds; if it has been idle `minutes`, end it (revoked now).

    Otherwise this request is its latest activity, written once `last_seen_at` is old
    enough (rules.needs_touch).
    """
    if is_idle_expired(last_seen_at, now, minutes):
        with db.engine.begin() as connection:
            connection.execute(
                update(_sessions)
                .where(_sessions.c.id == session_id, _sessions.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
        return False
    if needs_touch(last_seen_at, now, minutes):
        with db.engine.begin() as connection:
            connection.execute(
                update(_sessions).where(_sessions.c.id == session_id).values(last_seen_at=now)
            )
    return True
