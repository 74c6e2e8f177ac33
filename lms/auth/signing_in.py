"""Signing a person in and reading who is signed in: what the sign-in, SSO and activation views share.

`load_user` is Flask-Login's loader (one statement per signed-in request, on the driver's
cursor, with the idle sign-out check of lms.idle); `sign_in` starts a server-side session
in this browser. Here rather than in routes.py so other features' views (lms.sso,
lms.activation) sign people in without importing the sign-in blueprint.
"""

import secrets
from datetime import timedelta

from flask import (
    current_app,
    flash,
    g,
    session,
    url_for,
)
from flask_login import login_user, logout_user
from sqlalchemy import bindparam, exists, select

from lms.auth.operations import (
    hash_session_token,
    is_session_token,
    start_session,
)
from lms.auth.rules import is_session_live
from lms.database import DriverQuery, autocommit_connection
from lms.extensions import db, login_manager
from lms.idle.operations import keep_if_active
from lms.models import User, UserSession
from lms.models.base import utcnow
from lms.web.signed_in import SignedInPerson

_users = User.__table__
_reports = _users.alias("reports")
_sessions = UserSession.__table__
# The signed-in person's columns read on every signed-in request: what a request may read
# of them (`current_user`, lms.web.signed_in.SignedInPerson) and what says whether their
# session still holds. Not the password hash, which only the sign-in and password views
# need (they load the person), and none of the HR record's other fields: each column read
# costs on every signed-in request.
SIGNED_IN_FIELDS = ("id", "email", "full_name", "is_hr", "training_rev")
SESSION_CHECK_FIELDS = ("is_active", "session_version")
# The signed-in person's row with their session's, read on every signed-in request: built
# once, run on the driver's cursor (the ORM's session and identity map were a third of a
# cached page's time, SQLAlchemy's execution half of what was left), with whether anyone
# reports to them (the navigation and report scopes need it). One statement: the session
# is joined in, not read on its own.
SIGNED_IN_ROW = DriverQuery(
    select(
        *[_users.c[name] for name in (*SIGNED_IN_FIELDS, *SESSION_CHECK_FIELDS)],
        exists().where(_reports.c.manager_id == _users.c.id).label("has_reports"),
        _sessions.c.id.label("session_id"),
        _sessions.c.user_version,
        _sessions.c.expires_at,
        _sessions.c.revoked_at,
        _sessions.c.created_at,
        _sessions.c.last_seen_at,
    )
    .select_from(_sessions.join(_users, _users.c.id == _sessions.c.user_id))
    .where(_sessions.c.token_hash == bindparam("token_hash"))
)
PERSON_KEYS = (*SIGNED_IN_FIELDS, "has_reports", "session_id")


@login_manager.user_loader
def load_user(token: str) -> SignedInPerson | None:
    """Load the person a session cookie names, unless that session has ended.

    The session and its person are read fresh on every request, so signing out,
    expiry, deactivation and signing out everywhere take effect at once on every
    instance (a worker's cache of opened cookies, lms.web.sessions, only spares checking
    the cookie's signature again), with one statement outside the ORM session (one
    round trip on PostgreSQL). They come back as a `SignedInPerson` (lms.web.signed_in):
    exactly what views read; code that reads more of a person, or changes them, loads
    the `User` in the session.
    """
    if not is_session_token(token):
        return None  # not one of ours (a cookie from before server-side sessions, say)
    with autocommit_connection() as connection:
        row = SIGNED_IN_ROW.first(connection, {"token_hash": hash_session_token(token)})
    now = utcnow()
    if row is None or not is_session_live(
        is_active=row["is_active"],
        session_version=row["session_version"],
        user_version=row["user_version"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
        now=now,
    ):
        return None
    if not still_active(row, now):
        return None
    return SignedInPerson(**{key: row[key] for key in PERSON_KEYS}, session_token=token)


def idle_signout_minutes() -> int:
    """LMS_IDLE_SIGNOUT_MINUTES: shared devices sign out after that long idle (0: off)."""
    return current_app.config.get("LMS_IDLE_SIGNOUT_MINUTES") or 0


def still_active(row, now) -> bool:
    """Whether a session passes the idle sign-out (lms.idle); one that fails it is ended."""
    minutes = idle_signout_minutes()
    if not minutes:
        return True
    last_seen_at = row["last_seen_at"] or row["created_at"]
    if keep_if_active(row["session_id"], last_seen_at, now, minutes):
        return True
    flash(idle_message(minutes), "info")
    return False


def idle_message(minutes: int) -> str:
    return (
        f"You were signed out after {minutes} minute{'s' if minutes != 1 else ''} without activity."
    )


def sign_in(user: User, *, remember: bool) -> None:
    """Start a new server-side session for `user` in this browser, and commit it.

    The CSRF secret kept in the cookie session is replaced too, so a token handed
    out before signing in (to whoever was at the keyboard) is refused after.
    """
    config = current_app.config
    token = start_session(
        user,
        remembered=remember,
        now=utcnow(),
        session_hours=config["LMS_SESSION_HOURS"],
        remember_days=config["LMS_REMEMBER_DAYS"],
    )
    db.session.commit()
    logout_user()  # whatever this browser held before, and its remember-me cookie
    # The same person every later request of this session gets (one more statement,
    # on signing in only), so no request sees a person of another type.
    person = load_user(token)
    if person is not None:  # None for a deactivated person, whom Flask-Login refuses too
        login_user(person, remember=remember, duration=timedelta(days=config["LMS_REMEMBER_DAYS"]))
    rotate_csrf_secret()


def rotate_csrf_secret() -> None:
    """Give the session a new CSRF secret, as Flask-WTF makes one (40 hex digits).

    Replaced rather than dropped, so the next page signs its token for the new secret
    at once and the page cache (lms.web.pagecache) can keep that one signature.
    """
    name = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session[name] = secrets.token_hex(20)
    g.pop(name, None)  # the token Flask-WTF signed for the old secret in this request


def landing(user) -> str:
    """Where signing in leads when no `next` was given: HR to the dashboard, others to their training."""
    return url_for("hr.dashboard") if user.is_hr else url_for("learn.dashboard")
