"""Certificates: one per completed cycle, verifiable by its code."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.models.base import UTCDateTime, utcnow
from lms.models.people import User
from lms.models.training import Completion


class Certificate(db.Model):
    """The certificate of one Completion.

    `code` is the canonical form (upper case, no dashes) of the verification
    code; `holder_name` is the name as it was on the day of issue, so the PDF and
    the verify page always agree. The PDF is rendered on first download and kept
    in `pdf` (see README, "Certificates"); it is deferred and raises if loaded
    implicitly, so listing certificates never drags the bytes along.
    """

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    completion_id: Mapped[int] = mapped_column(ForeignKey("completions.id"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    holder_name: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    rendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True, deferred_raiseload=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoke_reason: Mapped[str | None] = mapped_column(Text)

    completion: Mapped[Completion] = relationship(lazy="raise")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="raise")

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
