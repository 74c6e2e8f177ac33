"""A learner's request to HR for more quiz attempts, and HR's decision."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow

OPEN, GRANTED, REFUSED = "open", "granted", "refused"


class AttemptRequest(db.Model):
    """One "Ask HR for more attempts": at most one open per assignment and cycle."""

    __tablename__ = "attempt_requests"
    __table_args__ = (
        Index(
            "uq_attempt_requests_open",
            "assignment_id",
            "cycle",
            unique=True,
            sqlite_where=text("state = 'open'"),
            postgresql_where=text("state = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    cycle: Mapped[int]
    message: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default=OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(Text)  # HR's, kept in the audit trail too
    attempts_granted: Mapped[int | None]
