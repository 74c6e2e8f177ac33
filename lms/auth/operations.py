"""Sessions and passwords of signed-in people (flushes only; the request or command commits).

A session is a `UserSession` row named by a random token in the browser's cookies;
the signed-in person is read together with it on every request (lms.auth.routes),
so ending it here ends it on every instance at once.

To end every session of a person (remembered ones included), raise their
`users.session_version`, in the ORM or in SQL: `lms.people.operations.end_all_sessions` does that.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime

from sqlalchemy import delete, or_, update

from lms.audit import record_event
from lms.auth.rules import session_expires_at
from lms.extensions import db
from lms.models import User, UserSession
from lms.people.passwords import hash_password, password_problem, user_inputs, verify_password

# secrets.token_urlsafe(32): 43 URL-safe characters, 256 random bits.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


class PasswordChangeError(ValueError):
    """A password change refused: the current password is wrong, or the new one too weak."""


def hash_session_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_session_token(value: object) -> bool:
    """Whether a cookie's value could be a session token (anything else needs no query)."""
    return isinstance(value, str) and TOKEN_PATTERN.fullmatch(value) is not None


def start_session(
    user: User, *, remembered: bool, now: datetime, session_hours: int, remember_days: int
) -> str:
    """Record a new session for `user` and return its token, for the browser's cookies only.

    The person's sessions that have ended are deleted first, so the table holds
    about one row per browser signed in.
    """
    db.session.execute(
        delete(UserSession)
        .where(
            UserSession.user_id == user.id,
            or_(
                UserSession.revoked_at.is_not(None),
                UserSession.expires_at <= now,
                UserSession.user_version != user.session_version,
            ),
        )
        .execution_options(synchronize_session=False)
    )
    token = secrets.token_urlsafe(32)
    expires_at = session_expires_at(
        now, remembered=remembered, session_hours=session_hours, remember_days=remember_days
    )
    db.session.add(
        UserSession(
            user_id=user.id,
            token_hash=hash_session_token(token),
            user_version=user.session_version,
            is_remembered=remembered,
            created_at=now,
            last_seen_at=now,
            expires_at=expires_at,
        )
    )
    db.session.flush()
    return token


def end_sessions(user_id: int, now: datetime, *, keep_id: int | None = None) -> None:
    """Revoke every open session of a person (remembered ones included), but `keep_id`'s."""
    query = update(UserSession).where(
        UserSession.user_id == user_id, UserSession.revoked_at.is_(None)
    )
    if keep_id is not None:
        query = query.where(UserSession.id != keep_id)
    db.session.execute(query.values(revoked_at=now).execution_options(synchronize_session=False))


def change_password(
    user: User, current: str, new: str, *, now: datetime, session_id: int | None
) -> None:
    """Change a signed-in person's password; end their other sessions (DESIGN "Signing in").

    `session_id` is the session asking, which carries on; every other one of the
    person's, remembered ones included, is revoked.
    """
    if not verify_password(user.password_hash, current):
        raise PasswordChangeError("Your current password is not right.")
    if problem := password_problem(new, user_inputs(user)):
        raise PasswordChangeError(problem)
    user.password_hash = hash_password(new)
    end_sessions(user.id, now, keep_id=session_id)
    record_event("password.changed", actor_id=user.id, user_id=user.id)


def end_session(session_id: int, now: datetime) -> None:
    """Revoke one session (this browser's), leaving the person's others as they are."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.id == session_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
