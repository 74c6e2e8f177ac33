"""People: employees, managers and HR users are all `User` rows."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import DDL, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow

# HR's search matches part of a name (`ILIKE '%patel%'`), which no B-tree can answer: on
# PostgreSQL a trigram index does (pg_trgm), so a search reads the people it finds, not all
# of them (bench/README.md, "The people list": 160 ms -> 6 ms at 100,000). On SQLite it is
# a plain index on the name (SQLite has no trigram index). The operator class is named with
# its schema: the extension lives in `public`, whatever the connection's search_path.
TRIGRAM_OPS = "public.gin_trgm_ops"
CREATE_TRIGRAMS = DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")


class User(db.Model):
    __tablename__ = "users"
    __table_args__ = (
        Index(
            "ix_users_full_name_trgm",
            "full_name",
            postgresql_using="gin",
            postgresql_ops={"full_name": TRIGRAM_OPS},
        ),
        # HR's people list runs in (name, id) order: with both in the index a page's ids are
        # an index-only walk, a search's `ILIKE` checked on the way (lms.hr.queries.people_rows).
        Index("ix_users_full_name_id", "full_name", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for someone with no work email (most frontline staff): they sign in with their
    # employee_id, get an activation letter instead of an invitation, and their reminders go
    # to their manager (lms.activation). Unique among the addresses there are: both databases
    # let any number of rows hold NULL under a UNIQUE constraint.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    # Indexed with the id (ix_users_full_name_id): HR lists people by name, a page at a time.
    full_name: Mapped[str] = mapped_column(String(200))
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

    manager: Mapped[User | None] = relationship(remote_side=[id], lazy="raise")

    # Not Flask-Login's user: a request's `current_user` is a SignedInPerson
    # (lms.web.signed_in), read with its session by lms.auth.signing_in.load_user.

    @property
    def first_name(self) -> str:
        return self.full_name.split()[0] if self.full_name.split() else self.full_name

    @property
    def login_name(self) -> str:
        """What names this person on a page or in a list: their email, else their employee number."""
        return self.email or self.employee_id or f"#{self.id}"

    def __repr__(self) -> str:
        return f"<User {self.login_name}>"


event.listen(User.__table__, "before_create", CREATE_TRIGRAMS.execute_if(dialect="postgresql"))
