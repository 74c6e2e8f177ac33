"""Sign-ins: each browser's session, kept on the server so that it can be ended there."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow
from lms.models.people import User


class UserSession(db.Model):
    """One sign-in in one browser: what its session (and remember-me) cookie names.

    The cookie holds a random token; only its SHA-256 is kept, so a copy of the
    database opens no sessions. The signed-in person is read on every request
    together with this row (lms.auth.routes), so a session ends everywhere at once
    when it is revoked (sign-out), when it expires (`expires_at`: a few hours, or
    LMS_REMEMBER_DAYS for "keep me signed in"), or when the person's
    `users.session_version` is raised past `user_version` (a password or email
    change, leaving: every session of that person, remembered ones included).
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # users.session_version when the session started; raising that ends the session.
    user_version: Mapped[int]
    is_remembered: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The session's latest activity, for signing out idle shared devices (lms.idle): moved
    # on by requests at most every few seconds. None for sessions from before it was kept.
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="raise")
