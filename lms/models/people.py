"""People: employees, managers and HR users are all `User` rows."""

from __future__ import annotations

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for someone with no work email (most frontline staff): they sign in with their
    # employee_id, get an activation letter instead of an invitation, and their reminders go
    # to their manager (lms.activation). Unique among the addresses there are: both databases
    # let any number of rows hold NULL under a UNIQUE constraint.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    # Indexed: HR reports list people by name, a page at a time (see lms.reports).
    full_name: Mapped[str] = mapped_column(String(200), index=True)
    employee_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    department: Mapped[str | None] = mapped_column(String(120), index=True)
    role: Mapped[str | None] = mapped_column(String(120))
    hire_date: Mapped[date | None]
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    is_hr: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Raising it ends every session of this person, remembered ones included (lms.auth).
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    department_changed_on: Mapped[date | None]
    # Raised by database triggers whenever this person's training changes (lms.models.revisions);
    # their cached pages are keyed on it.
    training_rev: Mapped[int] = mapped_column(default=0, server_default="0")

    # Whether anyone reports to this person: loaded with the signed-in user (lms.auth),
    # None when not loaded.
    has_reports: Mapped[bool | None] = query_expression()

    manager: Mapped[User | None] = relationship(remote_side=[id], lazy="raise")

    # Not columns: the signed-in session a request's `current_user` came with (lms.auth.routes).
    session_token = None  # what the cookies name: Flask-Login's id for this sign-in
    session_id = None  # its UserSession row

    def get_id(self) -> str | None:
        return self.session_token

    @property
    def first_name(self) -> str:
        return self.full_name.split()[0] if self.full_name.split() else self.full_name

    @property
    def login_name(self) -> str:
        """What names this person on a page or in a list: their email, else their employee number."""
        return self.email or self.employee_id or f"#{self.id}"

    def __repr__(self) -> str:
        return f"<User {self.login_name}>"
